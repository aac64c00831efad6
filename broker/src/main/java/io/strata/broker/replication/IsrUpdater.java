package io.strata.broker.replication;

import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.ThreadUtils;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * The leader's side of Kafka's AlterPartition: every {@value #CHECK_INTERVAL_MS} ms it asks each partition
 * this broker leads which in-sync replicas it wants ({@link Partition#wantedIsr}) and commits a change
 * through the metadata log, one at a time per partition. A change made by a deposed leader is refused by
 * the metadata, so only the current leader's view counts; the partition learns the committed set like any
 * other metadata change.
 */
public final class IsrUpdater implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(IsrUpdater.class);
    static final long CHECK_INTERVAL_MS = 200;

    private final PartitionManager partitions;
    private final RaftMetadataLog metadata;
    private final long lagTimeMaxMs;
    private final Set<TopicPartition> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicLong shrinks = new AtomicLong();
    private final AtomicLong expands = new AtomicLong();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            ThreadUtils.createThreadFactory("strata-isr-updater", true));

    public IsrUpdater(PartitionManager partitions, RaftMetadataLog metadata, Duration lagTimeMax) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.lagTimeMaxMs = lagTimeMax.toMillis();
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::check, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        MetadataImage image = metadata.image();
        // A fenced broker's last fetches may look caught up: only live brokers join.
        IntPredicate live = id -> image.liveBroker(id).isPresent();
        for (Partition partition : partitions.partitions()) {
            if (!partition.isLeader() || inFlight.contains(partition.topicPartition())) {
                continue;
            }
            try {
                partition.wantedIsr(lagTimeMaxMs, live).ifPresent(isr -> submit(partition, isr));
            } catch (RuntimeException e) {
                LOG.warnf("Checking the in-sync replicas of %s failed: %s", partition.topicPartition(), e.toString());
            }
        }
    }

    private void submit(Partition partition, List<Integer> isr) {
        TopicPartition tp = partition.topicPartition();
        PartitionImage state = partition.state();
        inFlight.add(tp);
        LOG.infof("%s the in-sync replicas of %s from %s to %s", isr.size() < state.isr().size() ? "Shrinking"
                : "Expanding", tp, state.isr(), isr);
        metadata.submit(new AlterPartition(partition.topicId(), tp.partition(), state.leader(), state.leaderEpoch(), isr))
                .whenComplete((result, failure) -> {
                    Optional<String> problem = failure != null ? Optional.of(failure.toString())
                            : result.isError() ? Optional.of(result.message()) : Optional.empty();
                    problem.ifPresentOrElse(message -> LOG.infof("The in-sync replicas of %s stay %s: %s", tp,
                            state.isr(), message), () -> count(state.isr(), isr));
                    // Until this broker applies the change, the partition still wants it: wait for the image.
                    partitions.reconciled(metadata.image().version()).whenComplete((ok, error) -> inFlight.remove(tp));
                });
    }

    /** A committed change counts as a shrink if a replica left, as an expansion if one joined (or both). */
    private void count(List<Integer> before, List<Integer> after) {
        if (!after.containsAll(before)) {
            shrinks.incrementAndGet();
        }
        if (!before.containsAll(after)) {
            expands.incrementAndGet();
        }
    }

    /** In-sync replica changes this broker committed that removed a replica, since start (Kafka's IsrShrinksPerSec). */
    public long shrinks() {
        return shrinks.get();
    }

    /** In-sync replica changes this broker committed that added a replica, since start (Kafka's IsrExpandsPerSec). */
    public long expands() {
        return expands.get();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
