package io.strata.broker.group;

import io.strata.broker.cluster.TopicImage;
import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.partition.Partition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.jboss.logging.Logger;

import java.util.Optional;
import java.util.Set;
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
    private static final int LOAD_READ_BYTES = 1 << 20;

    private final CoordinatorRuntime runtime;
    private final Rebalancer rebalancer;
    private final Set<Integer> loaded = ConcurrentHashMap.newKeySet();

    GroupLoader(CoordinatorRuntime runtime, Rebalancer rebalancer) {
        this.runtime = runtime;
        this.rebalancer = rebalancer;
    }

    /** Whether the groups of partition {@code partition} are in memory: this broker leads it and has replayed it. */
    boolean isLoaded(int partition) {
        return loaded.contains(partition);
    }

    /**
     * Loads the partitions of {@code topic} this broker leads now and has not loaded, and unloads those it
     * no longer leads.
     *
     * @return the records and bytes replayed
     */
    long[] follow(TopicImage topic) {
        long[] totals = new long[2];
        for (int p = 0; p < topic.partitions(); p++) {
            TopicPartition tp = new TopicPartition(topic.name(), p);
            Optional<Partition> leading = runtime.partitions().leading(tp);
            if (leading.isPresent() && !loaded.contains(p)) {
                long[] counts = replay(leading.get());
                totals[0] += counts[0];
                totals[1] += counts[1];
                loaded.add(p);
                int partition = p;
                runtime.store().groups().stream().filter(group -> runtime.partitionFor(group.groupId()) == partition)
                        .forEach(rebalancer::onLoaded);
            } else if (leading.isEmpty() && loaded.remove(p)) {
                int partition = p;
                int groups = 0;
                for (ClassicGroup group : runtime.store().unload(groupId -> runtime.partitionFor(groupId) == partition)) {
                    rebalancer.onUnloaded(group);
                    groups++;
                }
                LOG.infof("Unloaded %d group(s) of %s: this broker no longer leads it", groups, tp);
            }
        }
        return totals;
    }

    /** Replays the partition's log from its start into the store; returns the records and bytes read. */
    private long[] replay(Partition partition) {
        TopicPartition tp = partition.topicPartition();
        long offset = partition.logStartOffset();
        long end = partition.logEndOffset();
        long records = 0;
        long bytes = 0;
        while (offset < end) {
            // The topic is never tiered, so the read is of the local log and complete at once.
            LogReadResult read = partition.read(offset, LOAD_READ_BYTES, true, FetchIsolation.LOG_END).join();
            long next = offset;
            for (RecordBatch batch : read.records().batches()) {
                for (Record record : batch) {
                    if (record.offset() < offset) {
                        continue;
                    }
                    records++;
                    try {
                        GroupRecords.CoordinatorRecord decoded = GroupRecords.decode(record.key(), record.value());
                        if (decoded == null) {
                            LOG.warnf("Skipping a record of unknown type or version at offset %d of %s", record.offset(), tp);
                        } else {
                            runtime.store().replay(decoded);
                        }
                    } catch (IllegalArgumentException e) {
                        LOG.errorf("Skipping record %d of %s: %s", record.offset(), tp, e.getMessage());
                    }
                }
                bytes += batch.sizeInBytes();
                next = batch.nextOffset();
            }
            if (next <= offset) {
                throw new IllegalStateException("No complete record batch at offset " + offset + " of " + tp);
            }
            offset = next;
        }
        return new long[] {records, bytes};
    }
}
