package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Utils;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The authorization checks several handlers make alike, as Kafka's {@code KafkaApis} makes them: a cluster operation
 * whose refusal is the API's whole error response, the ACL resource a config resource is authorized on, and the
 * operations a client may do on a resource for the responses that report them (KIP-430).
 */
final class Authorizations {

    /** The operations Kafka's ACLs know for each resource type reported here (its {@code AclEntry.supportedOperations}). */
    private static final Map<ResourceType, List<AclOperation>> OPERATIONS = Map.of(
            ResourceType.TOPIC, List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
                    AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS,
                    AclOperation.ALTER_CONFIGS),
            ResourceType.GROUP, List.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS),
            ResourceType.CLUSTER, List.of(AclOperation.CREATE, AclOperation.CLUSTER_ACTION,
                    AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE,
                    AclOperation.ALTER, AclOperation.DESCRIBE));

    private Authorizations() {
    }

    /** {@code answer}'s response when the client may do {@code operation} on the cluster, else the API's error response. */
    static <T extends ApiMessage> CompletionStage<T> onCluster(RequestContext context, AclOperation operation,
                                                              AbstractRequest request,
                                                              Supplier<? extends CompletionStage<T>> answer) {
        return onCluster(context, List.of(operation), request, answer);
    }

    /**
     * {@code answer}'s response when the client may do any of {@code operations} on the cluster, else the API's
     * error response with {@code CLUSTER_AUTHORIZATION_FAILED}, as Kafka sends it.
     */
    @SuppressWarnings("unchecked")
    static <T extends ApiMessage> CompletionStage<T> onCluster(RequestContext context, List<AclOperation> operations,
                                                              AbstractRequest request,
                                                              Supplier<? extends CompletionStage<T>> answer) {
        if (operations.stream().anyMatch(context::allowedOnCluster)) {
            return answer.get();
        }
        ClusterAuthorizationException refusal = new ClusterAuthorizationException(context.session().principal()
                + " may not " + operations.stream().map(AclOperation::name).collect(Collectors.joining(" or "))
                + " the cluster, which " + request.apiKey() + " needs.");
        // A request's error response is its own API's response, the body type its handler answers with.
        return CompletableFuture.completedFuture((T) request.getErrorResponse(0, refusal).data());
    }

    /**
     * Throws the exception of the error Kafka answers for a config resource on which the client may not do
     * {@code operation}: broker, broker logger and client metrics configs are authorized on the cluster
     * ({@code CLUSTER_AUTHORIZATION_FAILED}), topic and group configs on the topic or group. Returns when the client
     * may, or for a resource type no ACL covers, which the handler refuses itself.
     */
    static void requireOnConfigs(RequestContext context, AclOperation operation, byte resourceType,
                                 String resourceName) {
        ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
        Optional<Errors> refusal = switch (type) {
            case BROKER, BROKER_LOGGER, CLIENT_METRICS -> refusal(context.allowedOnCluster(operation),
                    Errors.CLUSTER_AUTHORIZATION_FAILED);
            case TOPIC -> refusal(context.allowed(operation, ResourceType.TOPIC, resourceName),
                    Errors.TOPIC_AUTHORIZATION_FAILED);
            case GROUP -> refusal(context.allowed(operation, ResourceType.GROUP, resourceName),
                    Errors.GROUP_AUTHORIZATION_FAILED);
            default -> Optional.empty();
        };
        if (refusal.isPresent()) {
            throw refusal.get().exception(context.session().principal() + " may not " + operation + " the configs of "
                    + type + " '" + resourceName + "'.");
        }
    }

    private static Optional<Errors> refusal(boolean allowed, Errors error) {
        return allowed ? Optional.empty() : Optional.of(error);
    }

    /**
     * The operations the client may do on the cluster, as Metadata and DescribeCluster report them: as Kafka, none
     * are told to a client that may not DESCRIBE the cluster.
     */
    static int clusterAuthorizedOperations(RequestContext context) {
        return context.allowedOnClusterSilently(AclOperation.DESCRIBE)
                ? authorizedOperations(context, ResourceType.CLUSTER, Authorizer.CLUSTER) : 0;
    }

    /**
     * The operations the client may do on a topic, a group or the cluster, as the bit field (bit i for the operation
     * of code i) Metadata, DescribeCluster and DescribeGroups report.
     */
    static int authorizedOperations(RequestContext context, ResourceType type, String name) {
        return Utils.to32BitField(OPERATIONS.get(type).stream()
                .filter(operation -> context.allowedSilently(operation, type, name))
                .map(AclOperation::code)
                .collect(Collectors.toSet()));
    }
}
