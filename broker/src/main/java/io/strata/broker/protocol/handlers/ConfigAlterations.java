package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The config changes AlterConfigs and IncrementalAlterConfigs share: topic configs and the dynamic broker
 * configs ({@link io.strata.broker.config.DynamicBrokerConfigs}) change through the replicated metadata; every
 * other broker config comes from the broker's settings and environment, so it is read-only over the Kafka protocol.
 */
public record ConfigAlterations(TopicAdmin admin, int nodeId) {

    /** Never throws: failures complete the future with the exception Kafka's error code comes from. */
    CompletableFuture<Void> alter(byte resourceType, String resourceName, Map<String, String> set, Set<String> delete,
                                  boolean replace, boolean validateOnly) {
        try {
            ConfigResource.Type type = ConfigResource.Type.forId(resourceType);
            return switch (type) {
                case TOPIC -> admin.alterConfigs(resourceName, set, delete, replace, validateOnly);
                case BROKER -> {
                    BrokerResources.requireThisBroker(resourceName, nodeId);
                    yield admin.alterBrokerConfigs(resourceName, set, delete, replace, validateOnly);
                }
                default -> throw new InvalidRequestException("Altering configs of " + type + " resources is not supported.");
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
