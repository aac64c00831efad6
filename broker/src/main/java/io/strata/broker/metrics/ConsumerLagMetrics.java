package io.strata.broker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code strata_consumer_group_lag{group,topic,partition}}: log end offset minus committed offset
 * of every partition a group has committed to, refreshed periodically so a scrape never waits on
 * the group coordinator. Rows of groups and partitions that disappear are dropped.
 */
@ApplicationScoped
public class ConsumerLagMetrics {

    private static final Logger LOG = Logger.getLogger(ConsumerLagMetrics.class);

    private final BrokerLifecycle lifecycle;
    private final MultiGauge lag;

    public ConsumerLagMetrics(MeterRegistry registry, BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
        this.lag = MultiGauge.builder("strata.consumer.group.lag")
                .description("Records between a group's committed offset and the partition's log end offset")
                .register(registry);
    }

    @Scheduled(every = "${strata.metrics.lag-refresh-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            return;
        }
        GroupCoordinator groups = broker.groupCoordinator();
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (String groupId : groups.groupIds().get(5, TimeUnit.SECONDS)) {
                for (GroupCoordinator.PartitionLag partition : groups.lag(groupId).get(5, TimeUnit.SECONDS)) {
                    rows.add(MultiGauge.Row.of(Tags.of("group", groupId, "topic", partition.partition().topic(),
                            "partition", Integer.toString(partition.partition().partition())), partition.lag()));
                }
            }
            lag.register(rows, true);
        } catch (Exception e) {
            LOG.debugf("Consumer lag not refreshed: %s", e.getMessage());
        }
    }
}
