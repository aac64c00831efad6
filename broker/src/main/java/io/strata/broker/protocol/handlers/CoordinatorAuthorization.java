package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The authorization checks of the group and transaction APIs, as Kafka's {@code KafkaApis} makes them: a request
 * refused as a whole with the error of the resource type it names, or the parts of a request (topics, groups, ids)
 * split into those the client may act on and those it may not.
 */
final class CoordinatorAuthorization {

    private CoordinatorAuthorization() {
    }

    /**
     * {@code call}'s answer when the client may do {@code operation} on the resource; otherwise the request fails
     * with the resource type's authorization error, which becomes the API's own error response.
     */
    static <T> CompletionStage<T> ifAllowed(RequestContext context, AclOperation operation, ResourceType type,
                                            String name, Supplier<? extends CompletionStage<T>> call) {
        return context.allowed(operation, type, name) ? call.get()
                : CompletableFuture.failedFuture(Authorizer.denied(type).exception());
    }

    /** {@link #ifAllowed} for an operation on the cluster. */
    static <T> CompletionStage<T> ifAllowedOnCluster(RequestContext context, AclOperation operation,
                                                     Supplier<? extends CompletionStage<T>> call) {
        return context.allowedOnCluster(operation) ? call.get()
                : CompletableFuture.failedFuture(Authorizer.denied(ResourceType.CLUSTER).exception());
    }


    /** {@code items} split by whether the client may do {@code operation} on the resource each names. */
    static <T> Split<T> split(RequestContext context, AclOperation operation, ResourceType type, Collection<T> items,
                              Function<T, String> name) {
        List<T> allowed = new ArrayList<>();
        List<T> denied = new ArrayList<>();
        for (T item : items) {
            (context.allowed(operation, type, name.apply(item)) ? allowed : denied).add(item);
        }
        return new Split<>(allowed, denied);
    }

    /**
     * The {@code items} whose resource the client may do {@code operation} on, in their order, for an answer that
     * lists what the client may see: the others are left out without a refusal to audit.
     */
    static <T> List<T> visible(RequestContext context, AclOperation operation, ResourceType type, Collection<T> items,
                               Function<T, String> name) {
        return items.stream().filter(item -> context.allowedSilently(operation, type, name.apply(item))).toList();
    }

    /** The parts of a request the client may act on and those it may not, each in the request's order. */
    record Split<T>(List<T> allowed, List<T> denied) {
    }
}
