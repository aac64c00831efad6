package io.strata.broker.replication;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.DynamicBrokerConfigs;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.partition.Partition;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.MetricConfig;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Quota;
import org.apache.kafka.common.metrics.QuotaViolationException;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.SimpleRate;
import org.apache.kafka.common.utils.Time;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One side of this broker's replication throttle, as Kafka's replication quotas (KIP-73) that
 * {@code kafka-reassign-partitions --throttle} sets: the topics' {@code leader.replication.throttled.replicas}
 * or {@code follower.replication.throttled.replicas} name the partitions it covers on this broker, and the
 * broker's dynamic {@code leader.replication.throttled.rate} or {@code follower.replication.throttled.rate} how
 * many bytes per second they may move together, measured as Kafka does over eleven one-second windows. Over
 * the rate, a leader sends a covered partition's out-of-sync follower no records, and a follower out of sync
 * leaves the covered partition out of its fetch; replicas in sync are never held back.
 *
 * <p>Thread-safe: the metadata listener replaces what it covers; fetches read and record from any thread.
 */
public final class ReplicationThrottle implements AutoCloseable {

    /** Which side of replication a throttle holds back, with the configs that set it. */
    public enum Side {
        LEADER(DynamicBrokerConfigs.LEADER_REPLICATION_THROTTLED_RATE,
                TopicConfigCatalog.LEADER_REPLICATION_THROTTLED_REPLICAS_CONFIG),
        FOLLOWER(DynamicBrokerConfigs.FOLLOWER_REPLICATION_THROTTLED_RATE,
                TopicConfigCatalog.FOLLOWER_REPLICATION_THROTTLED_REPLICAS_CONFIG);

        private final String rateConfig;
        private final String replicasConfig;

        Side(String rateConfig, String replicasConfig) {
            this.rateConfig = rateConfig;
            this.replicasConfig = replicasConfig;
        }
    }

    private static final int SAMPLES = 11;

    private final Side side;
    private final int localId;
    private final Time time;
    private final Metrics metrics;
    private final Sensor sensor;
    private final MetricName rateMetric;
    private volatile long rate = Long.MAX_VALUE;
    private volatile Set<TopicPartition> covered = Set.of();

    public ReplicationThrottle(Side side, int localId, Time time) {
        this.side = side;
        this.localId = localId;
        this.time = time;
        this.metrics = new Metrics(time);
        this.sensor = metrics.sensor(side.name().toLowerCase() + "-replication");
        this.rateMetric = metrics.metricName("byte-rate", "replication-throttle");
        sensor.add(rateMetric, new SimpleRate(), config(Long.MAX_VALUE));
    }

    private static MetricConfig config(long rate) {
        return new MetricConfig().samples(SAMPLES).timeWindow(1, TimeUnit.SECONDS).quota(Quota.upperBound(rate));
    }

    /** Takes the rate and the covered partitions from {@code image}; a metadata listener. */
    public void onMetadataImage(MetadataImage image) {
        long newRate = DynamicBrokerConfigs.rate(side.rateConfig, image.brokerConfigs(Integer.toString(localId)),
                image.brokerConfigs(""));
        if (newRate != rate) {
            rate = newRate;
            metrics.metric(rateMetric).config(config(newRate));
        }
        Set<TopicPartition> partitions = new HashSet<>();
        for (TopicImage topic : image.topics()) {
            String replicas = topic.configs().get(side.replicasConfig);
            if (replicas != null && !replicas.isBlank()) {
                partitions.addAll(coveredHere(topic, List.of(replicas.split(","))));
            }
        }
        covered = Set.copyOf(partitions);
    }

    /** The partitions of {@code topic} that the list of {@code *} or {@code partition:broker} entries names on this broker. */
    private Set<TopicPartition> coveredHere(TopicImage topic, List<String> entries) {
        Set<TopicPartition> partitions = new HashSet<>();
        for (String entry : entries) {
            String trimmed = entry.trim();
            if (trimmed.equals("*")) {
                for (int p = 0; p < topic.partitions(); p++) {
                    partitions.add(new TopicPartition(topic.name(), p));
                }
            } else {
                int colon = trimmed.indexOf(':');
                if (Integer.parseInt(trimmed.substring(colon + 1).trim()) == localId) {
                    partitions.add(new TopicPartition(topic.name(), Integer.parseInt(trimmed.substring(0, colon).trim())));
                }
            }
        }
        return partitions;
    }

    /**
     * Whether the throttle holds back replication of {@code partition} to or for replica {@code replicaId} now:
     * the partition is covered, the replica is not in sync, and the covered partitions are over the rate.
     */
    public boolean holdsBack(Partition partition, int replicaId) {
        if (rate == Long.MAX_VALUE || !covered.contains(partition.topicPartition())
                || partition.state().isr().contains(replicaId)) {
            return false;
        }
        try {
            sensor.checkQuotas(time.milliseconds());
            return false;
        } catch (QuotaViolationException e) {
            return true;
        }
    }

    /** Counts {@code bytes} of {@code partition} replicated, towards the rate if the partition is covered. */
    public void record(TopicPartition partition, long bytes) {
        if (bytes > 0 && covered.contains(partition)) {
            sensor.record(bytes, time.milliseconds(), false);
        }
    }

    @Override
    public void close() {
        metrics.close();
    }
}
