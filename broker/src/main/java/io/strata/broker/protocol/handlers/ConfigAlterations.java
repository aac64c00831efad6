package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The config changes AlterConfigs and IncrementalAlterConfigs share: topic configs change through
 * the replicated metadata; broker configs come from the broker's settings and environment, so they
 * are read-only over the Kafka protocol.
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
                    throw new InvalidRequestException("Broker configs are read-only: set them as STRATA_* environment "
                            + "variables or in application.properties and restart the broker.");
                }
                default -> throw new InvalidRequestException("Altering configs of " + type + " resources is not supported.");
            };
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
