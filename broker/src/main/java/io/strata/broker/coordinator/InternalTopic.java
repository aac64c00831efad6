package io.strata.broker.coordinator;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.MetadataImage;
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
 * the replication factor asked for, or as many replicas as the cluster has brokers if fewer, and never tiered (a
 * compacted topic cannot be, and {@code STRATA_LOG_REMOTE_STORAGE_ENABLE} must not apply).
 */
public final class InternalTopic {

    private static final Logger LOG = Logger.getLogger(InternalTopic.class);

    private InternalTopic() {
    }

    /**
     * Creates {@code name} unless it exists and completes once this broker has applied it (its partitions open in the
     * background after the metadata change); fails with {@link CoordinatorNotAvailableException} if it could not.
     *
     * @param configs            the topic's configs besides {@code cleanup.policy=compact}, {@code remote.storage.enable}
     *                           and {@code min.insync.replicas}
     * @param minInsyncReplicas  its {@code min.insync.replicas}, at most its replicas; 0 for the broker's default
     */
    public static CompletableFuture<TopicImage> create(TopicAdmin admin, PartitionManager partitions, String name,
                                                       int partitionCount, short replicationFactor,
                                                       Map<String, String> configs, int minInsyncReplicas) {
        Optional<TopicImage> existing = admin.image().topic(name);
        if (existing.isPresent()) {
            return CompletableFuture.completedFuture(existing.get());
        }
        long begin = System.nanoTime();
        // As many replicas as asked for, but no more than the cluster has brokers (registered ones, or metadata voters
        // while they register): a single broker runs with one, and a cluster starting up waits for its brokers
        // rather than settling for fewer replicas for good.
        MetadataImage image = admin.image();
        int brokers = Math.max(image.brokers().size(), image.directories().size());
        short replicas = (short) Math.max(1, Math.min(replicationFactor, brokers));
        if (image.liveBrokers().size() < replicas) {
            return CompletableFuture.failedFuture(new CoordinatorNotAvailableException("The coordinator is not "
                    + "available: " + name + " wants " + replicas + " replicas and " + image.liveBrokers().size()
                    + " broker(s) are up"));
        }
        Map<String, String> all = new HashMap<>(configs);
        all.put("cleanup.policy", "compact");
        all.put("remote.storage.enable", "false");
        if (minInsyncReplicas > 0) {
            // Fewer replicas than asked for while brokers are down: a larger minimum would refuse every write.
            all.put("min.insync.replicas", Integer.toString(Math.min(minInsyncReplicas, replicas)));
        }
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
