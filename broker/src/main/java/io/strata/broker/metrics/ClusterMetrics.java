package io.strata.broker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The cluster as this broker's metadata sees it, read at each scrape:
 * <ul>
 * <li>{@code strata_cluster_brokers{state=live|fenced}}: registered brokers, by whether the cluster can
 * see them;</li>
 * <li>{@code strata_cluster_offline_partitions}: partitions no broker leads, whose records can be neither
 * written nor read (Kafka's OfflinePartitionsCount);</li>
 * <li>{@code strata_leader_partitions}: partitions this broker leads;</li>
 * <li>{@code strata_under_replicated_partitions}: partitions this broker leads with fewer in-sync replicas
 * than replicas (Kafka's UnderReplicatedPartitions);</li>
 * <li>{@code strata_under_min_isr_partitions}: partitions this broker leads whose in-sync replicas are fewer
 * than their {@code min.insync.replicas} requires (at most every replica), which refuse acks=all appends (Kafka's
 * UnderMinIsrPartitionCount);</li>
 * <li>{@code strata_isr_shrinks_total}, {@code strata_isr_expands_total}: in-sync replica changes this broker
 * committed as a leader, by whether a replica left or joined (Kafka's IsrShrinksPerSec, IsrExpandsPerSec);</li>
 * <li>{@code strata_replication_max_lag_records}: the most records any follower of a partition this broker
 * leads, among those that fetched since it leads (Kafka measures MaxLag on the followers; the leader also
 * sees a follower that stopped fetching);</li>
 * <li>{@code strata_controller_active}: 1 on the metadata quorum's leader (Kafka's ActiveControllerCount).</li>
 * </ul>
 */
@ApplicationScoped
public class ClusterMetrics {

    private final BrokerLifecycle lifecycle;
    private final MeterRegistry registry;

    public ClusterMetrics(BrokerLifecycle lifecycle, MeterRegistry registry) {
        this.lifecycle = lifecycle;
        this.registry = registry;
    }

    void register(@Observes StartupEvent event) {
        Gauge.builder("strata.cluster.brokers", lifecycle, fromImage(image -> image.liveBrokers().size()))
                .tag("state", "live").description("Registered brokers the cluster sees").register(registry);
        Gauge.builder("strata.cluster.brokers", lifecycle,
                        fromImage(image -> image.brokers().stream().filter(BrokerImage::fenced).count()))
                .tag("state", "fenced").description("Registered brokers the cluster lost sight of").register(registry);
        Gauge.builder("strata.cluster.offline.partitions", lifecycle,
                        fromImage(image -> countPartitions(image, PartitionImage.NO_LEADER)))
                .description("Partitions no broker leads").register(registry);
        Gauge.builder("strata.leader.partitions", lifecycle, RunningBroker.value(broker ->
                        countPartitions(broker.metadataImage(), broker.identity().nodeId())))
                .description("Partitions this broker leads").register(registry);
        Gauge.builder("strata.under.replicated.partitions", lifecycle, leading(partition ->
                        partition.state().isUnderReplicated()))
                .description("Partitions this broker leads that have replicas out of sync").register(registry);
        Gauge.builder("strata.under.min.isr.partitions", lifecycle, leading(partition ->
                        partition.state().isUnderMinIsr(partition.log().config().minInsyncReplicas())))
                .description("Partitions this broker leads with fewer in-sync replicas than min.insync.replicas")
                .register(registry);
        FunctionCounter.builder("strata.isr.shrinks", lifecycle, RunningBroker.value(broker -> broker.isrUpdater().shrinks()))
                .description("In-sync replica changes this broker committed that removed a replica").register(registry);
        FunctionCounter.builder("strata.isr.expands", lifecycle, RunningBroker.value(broker -> broker.isrUpdater().expands()))
                .description("In-sync replica changes this broker committed that added a replica").register(registry);
        Gauge.builder("strata.replication.max.lag.records", lifecycle, RunningBroker.value(broker ->
                        broker.partitions().partitions().stream().mapToLong(Partition::maxFollowerLag).max().orElse(0)))
                .description("Records the furthest-behind follower of a partition this broker leads lacks").register(registry);
        Gauge.builder("strata.controller.active", lifecycle, RunningBroker.value(broker -> broker.isController() ? 1 : 0))
                .description("1 on the broker that leads the metadata quorum (the controller), 0 elsewhere").register(registry);
    }

    /** Counts the partitions this broker leads that satisfy {@code condition}. */
    private static ToDoubleFunction<BrokerLifecycle> leading(Predicate<Partition> condition) {
        return RunningBroker.value(broker -> broker.partitions().partitions().stream()
                .filter(partition -> partition.isLeader() && condition.test(partition)).count());
    }

    private static ToDoubleFunction<BrokerLifecycle> fromImage(ToDoubleFunction<MetadataImage> value) {
        return RunningBroker.value(broker -> value.applyAsDouble(broker.metadataImage()));
    }

    private static long countPartitions(MetadataImage image, int leader) {
        long count = 0;
        for (TopicImage topic : image.topics()) {
            for (PartitionImage partition : topic.partitionStates()) {
                if (partition.leader() == leader) {
                    count++;
                }
            }
        }
        return count;
    }
}
