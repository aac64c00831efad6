package io.strata.broker.group;

import io.strata.broker.cluster.TopicImage;
import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.partition.Partition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.ControlRecordType;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which partitions of {@code __consumer_offsets} the coordinator holds in memory: exactly those this broker
 * leads, as Kafka's coordinator loads a partition when it is elected and unloads it when it resigns. A
 * partition is replayed from its log when this broker starts leading it (to its log end: as leader its log
 * is the partition's); its groups and offsets are dropped, their timers cancelled and their waiting members
 * answered NOT_COORDINATOR when it stops. Runs on the coordinator thread; {@link #isLoaded} from any thread.
 */
final class GroupLoader {

    private static final Logger LOG = Logger.getLogger(GroupLoader.class);

    private final CoordinatorRuntime runtime;
    private final Rebalancer rebalancer;
    /** The partitions loaded, with the leader epoch they were loaded in. */
    private final Map<Integer, Integer> loaded = new ConcurrentHashMap<>();

    GroupLoader(CoordinatorRuntime runtime, Rebalancer rebalancer) {
        this.runtime = runtime;
        this.rebalancer = rebalancer;
    }

    /** Whether the groups of partition {@code partition} are in memory: this broker leads it and has replayed it. */
    boolean isLoaded(int partition) {
        return loaded.containsKey(partition);
    }

    /**
     * Loads the partitions of {@code topic} this broker leads now and has not loaded, and unloads those it
     * no longer leads. A partition led in a new epoch since its load is loaded again: leadership went and came
     * back, and what was written meanwhile is only in the log.
     *
     * @return what was replayed
     */
    CoordinatorLog.ReplayTotals follow(TopicImage topic) {
        CoordinatorLog.ReplayTotals totals = new CoordinatorLog.ReplayTotals(0, 0);
        for (int p = 0; p < topic.partitions(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            Optional<Partition> leading = runtime.partitions().leading(tp);
            Integer loadedEpoch = loaded.get(p);
            if (loadedEpoch != null && (leading.isEmpty() || leading.get().leaderEpoch() != loadedEpoch)) {
                unload(p, tp);
            }
            if (leading.isPresent() && !loaded.containsKey(p)) {
                totals = totals.plus(replay(leading.get()));
                loaded.put(p, leading.get().leaderEpoch());
                int partition = p;
                runtime.store().groups().stream().filter(group -> runtime.partitionFor(group.groupId()) == partition)
                        .forEach(rebalancer::onLoaded);
            }
        }
        return totals;
    }

    private void unload(int partition, TopicPartition tp) {
        loaded.remove(partition);
        int groups = 0;
        for (ClassicGroup group : runtime.store().unload(groupId -> runtime.partitionFor(groupId) == partition)) {
            rebalancer.onUnloaded(group);
            groups++;
        }
        LOG.infof("Unloaded %d group(s) of %s: this broker no longer leads it, or leads it in a new epoch", groups, tp);
    }

    /** Replays the partition's log from its start into the store. */
    private CoordinatorLog.ReplayTotals replay(Partition partition) {
        TopicPartition tp = partition.topicPartition();
        return CoordinatorLog.replay(partition, (batch, record) -> {
            if (batch.isControlBatch()) {
                ControlRecordType type = ControlRecordType.parse(record.key());
                if (type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT) {
                    runtime.store().completeTransaction(batch.producerId(), type == ControlRecordType.COMMIT,
                            groupId -> runtime.partitionFor(groupId) == tp.partition());
                }
                return;
            }
            try {
                GroupRecords.CoordinatorRecord decoded = GroupRecords.decode(record.key(), record.value());
                if (decoded == null) {
                    LOG.warnf("Skipping a record of unknown type or version at offset %d of %s", record.offset(), tp);
                } else if (batch.isTransactional()) {
                    runtime.store().replayTransactional(batch.producerId(), decoded);
                } else {
                    runtime.store().replay(decoded);
                }
            } catch (IllegalArgumentException e) {
                LOG.errorf("Skipping record %d of %s: %s", record.offset(), tp, e.getMessage());
            }
        });
    }
}
