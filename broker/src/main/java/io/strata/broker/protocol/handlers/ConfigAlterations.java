package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.ApiError;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The config changes AlterConfigs and IncrementalAlterConfigs share, and their authorization: topic configs and the
 * dynamic broker configs ({@link io.strata.broker.config.DynamicBrokerConfigs}) change through the replicated
 * metadata; every other broker config comes from the broker's settings and environment, so it is read-only over the
 * Kafka protocol.
 */
public record ConfigAlterations(TopicAdmin admin, int nodeId) {

    /** The configs a request sets on one resource, and those it resets to their defaults. */
    record Changes(Map<String, String> set, Set<String> delete) {
    }

    /**
     * Makes the {@code changes} to one resource's configs if the client may ALTER_CONFIGS on it; they are worked out
     * only then, so a refusal wins over an invalid change; with {@code replace}, every override not set is reset.
     * Never fails: completes with the resource's error, which is {@link ApiError#NONE} once the change is made.
     */
    CompletableFuture<ApiError> alterIfAllowed(RequestContext context, byte resourceType, String resourceName,
                                               Supplier<Changes> changes, boolean replace, boolean validateOnly) {
        CompletableFuture<Void> change;
        try {
            Authorizations.requireOnConfigs(context, AclOperation.ALTER_CONFIGS, resourceType, resourceName);
            Changes asked = changes.get();
            ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
            change = switch (type) {
                case TOPIC -> admin.alterConfigs(resourceName, asked.set(), asked.delete(), replace, validateOnly);
                case BROKER -> {
                    BrokerResources.requireThisBroker(resourceName, nodeId);
                    yield admin.alterBrokerConfigs(resourceName, asked.set(), asked.delete(), replace, validateOnly);
                }
                default -> throw new InvalidRequestException("Altering configs of " + type + " resources is not supported.");
            };
        } catch (RuntimeException refused) {
            change = CompletableFuture.failedFuture(refused);
        }
        return change.thenApply(ignored -> ApiError.NONE).exceptionally(ApiError::fromThrowable);
    }
}
