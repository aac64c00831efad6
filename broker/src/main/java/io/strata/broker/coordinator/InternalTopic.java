package io.strata.broker.coordinator;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the compacted internal topic a coordinator keeps its state in, on its first request, as Kafka does: with
 * the replication factor asked for, or fewer replicas while fewer brokers are alive, and never tiered (a compacted
 * topic cannot be, and {@code STRATA_LOG_REMOTE_STORAGE_ENABLE} must not apply).
 */
public final class InternalTopic {

    private static final Logger LOG = Logger.getLogger(InternalTopic.class);

    private InternalTopic() {
    }

    /**
     * Creates {@code name} unless it exists and completes once this broker has applied it (its partitions open in the
     * background after the metadata change); fails with {@link CoordinatorNotAvailableException} if it could not.
     *
     * @param configs the topic's configs besides {@code cleanup.policy=compact} and {@code remote.storage.enable}
     */
    public static CompletableFuture<TopicImage> create(TopicAdmin admin, PartitionManager partitions, String name,
                                                       int partitionCount, short replicationFactor,
                                                       Map<String, String> configs) {
        Optional<TopicImage> existing = admin.image().topic(name);
        if (existing.isPresent()) {
            return CompletableFuture.completedFuture(existing.get());
        }
        long begin = System.nanoTime();
        short replicas = (short) Math.max(1, Math.min(replicationFactor, admin.image().liveBrokers().size()));
        Map<String, String> all = new HashMap<>(configs);
        all.put("cleanup.policy", "compact");
        all.put("remote.storage.enable", "false");
        CompletableFuture<TopicImage> created = new CompletableFuture<>();
        admin.createTopic(name, partitionCount, replicas, all, false).whenComplete((ignored, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            Optional<TopicImage> topic = admin.image().topic(name);
            if ((cause == null || cause instanceof TopicExistsException) && topic.isPresent()) {
                if (cause == null) {
                    LOG.infof("Created %s with %d partitions in %d ms", name, partitionCount,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
                }
                partitions.reconciled(admin.image().version()).thenRun(() -> created.complete(topic.get()));
            } else {
                LOG.warnf("Creating %s failed: %s", name, cause);
                created.completeExceptionally(new CoordinatorNotAvailableException("The coordinator is not available: "
                        + "creating " + name + " failed: " + (cause == null ? "no topic" : cause.getMessage())));
            }
        });
        return created;
    }
}
