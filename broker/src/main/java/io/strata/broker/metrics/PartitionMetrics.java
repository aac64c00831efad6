package io.strata.broker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Partition and traffic meters:
 * <ul>
 * <li>{@code strata_partitions}, {@code strata_kafka_connections}, {@code strata_fetch_sessions} and
 * {@code strata_fetch_session_partitions} (the incremental fetch sessions kept, and their partitions):
 * read at each scrape;</li>
 * <li>{@code strata_partition_log_bytes{topic,partition,tier=local|remote}}: the bytes of each partition's
 * local log and of its tiered segments, read at each scrape;</li>
 * <li>{@code strata_partition_last_stable_offset_lag{topic,partition}}: the high watermark minus the last stable
 * offset, the records read_committed consumers cannot see yet because a transaction is open below them;</li>
 * <li>{@code strata_topic_bytes_in_total{topic}}, {@code strata_topic_bytes_out_total{topic}}: record bytes
 * appended to, and sent to Kafka consumers from, a topic's partitions since start, summed at each
 * scrape.</li>
 * </ul>
 * Every {@code strata.metrics.partition-refresh-interval} the meters of new partitions are added and those
 * of deleted ones removed. A refresh with no partition come or gone costs one lookup a partition: a broker
 * holds thousands, and rebuilding all their meters each time was a steady share of its CPU.
 */
@ApplicationScoped
public class PartitionMetrics {

    private final BrokerLifecycle lifecycle;
    private final MeterRegistry registry;
    /** Touched by the refresh only, which never runs concurrently with itself. */
    private final Map<Partition, List<Meter>> partitionMeters = new HashMap<>();
    private final Map<String, TopicTraffic> topics = new HashMap<>();

    public PartitionMetrics(BrokerLifecycle lifecycle, MeterRegistry registry) {
        this.lifecycle = lifecycle;
        this.registry = registry;
    }

    void register(@Observes StartupEvent event) {
        Gauge.builder("strata.partitions", lifecycle,
                        RunningBroker.value(broker -> broker.partitions().partitions().size()))
                .description("Partitions this broker holds").register(registry);
        Gauge.builder("strata.kafka.connections", lifecycle, RunningBroker.value(Broker::kafkaConnections))
                .description("Open Kafka protocol connections").register(registry);
        Gauge.builder("strata.fetch.sessions", lifecycle, RunningBroker.value(broker -> broker.fetchSessions().sessions()))
                .description("Incremental fetch sessions kept for consumers and followers").register(registry);
        Gauge.builder("strata.fetch.session.partitions", lifecycle,
                        RunningBroker.value(broker -> broker.fetchSessions().partitions()))
                .description("Partitions over all incremental fetch sessions").register(registry);
    }

    @Scheduled(every = "${strata.metrics.partition-refresh-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            return;
        }
        Set<Partition> live = new HashSet<>(broker.partitions().partitions());
        boolean changed = partitionMeters.entrySet().removeIf(entry -> {
            boolean gone = !live.contains(entry.getKey());
            if (gone) {
                entry.getValue().forEach(registry::remove);
            }
            return gone;
        });
        for (Partition partition : live) {
            if (!partitionMeters.containsKey(partition)) {
                partitionMeters.put(partition, List.of(logBytes(partition, "local", Partition::localBytes),
                        logBytes(partition, "remote", Partition::tieredBytes), lastStableOffsetLag(partition)));
                changed = true;
            }
        }
        if (changed) {
            refreshTopics(live);
        }
    }

    private Meter logBytes(Partition partition, String tier, ToLongFunction<Partition> bytes) {
        return Gauge.builder("strata.partition.log.bytes", partition, p -> bytes.applyAsLong(p))
                .description("Bytes of a partition's log, on local disk or in the object store")
                .tags("topic", partition.topicPartition().topic(),
                        "partition", Integer.toString(partition.topicPartition().partition()), "tier", tier)
                .strongReference(true)
                .register(registry);
    }

    private Meter lastStableOffsetLag(Partition partition) {
        return Gauge.builder("strata.partition.last.stable.offset.lag", partition,
                        p -> Math.max(0, p.highWatermark() - p.lastStableOffset()))
                .description("Records below a partition's high watermark that read_committed consumers cannot see yet")
                .tags("topic", partition.topicPartition().topic(),
                        "partition", Integer.toString(partition.topicPartition().partition()))
                .strongReference(true)
                .register(registry);
    }

    private void refreshTopics(Set<Partition> live) {
        Map<String, List<Partition>> byTopic = new HashMap<>();
        for (Partition partition : live) {
            byTopic.computeIfAbsent(partition.topicPartition().topic(), t -> new ArrayList<>()).add(partition);
        }
        topics.entrySet().removeIf(entry -> {
            boolean gone = !byTopic.containsKey(entry.getKey());
            if (gone) {
                entry.getValue().remove(registry);
            }
            return gone;
        });
        byTopic.forEach((topic, partitions) ->
                topics.computeIfAbsent(topic, t -> new TopicTraffic(registry, t)).partitions = List.copyOf(partitions));
    }

    /** The traffic meters of one topic, over its partitions as of the last refresh. */
    private static final class TopicTraffic {
        volatile List<Partition> partitions = List.of();
        final FunctionCounter bytesIn;
        final FunctionCounter bytesOut;

        TopicTraffic(MeterRegistry registry, String topic) {
            bytesIn = FunctionCounter.builder("strata.topic.bytes.in", this, traffic -> traffic.sum(Partition::bytesAppended))
                    .description("Record bytes appended to the topic (Kafka and REST produce)")
                    .tag("topic", topic).register(registry);
            bytesOut = FunctionCounter.builder("strata.topic.bytes.out", this, traffic -> traffic.sum(Partition::bytesFetched))
                    .description("Record bytes of the topic sent in Kafka fetch responses")
                    .tag("topic", topic).register(registry);
        }

        double sum(ToLongFunction<Partition> bytes) {
            long total = 0;
            for (Partition partition : partitions) {
                total += bytes.applyAsLong(partition);
            }
            return total;
        }

        void remove(MeterRegistry registry) {
            registry.remove(bytesIn);
            registry.remove(bytesOut);
        }
    }
}
