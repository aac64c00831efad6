package io.strata.broker.txn;

import io.strata.broker.cluster.TopicImage;
import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps the transaction coordinator's state in step with this broker's leadership of {@code __transaction_state}:
 * a partition it starts leading, or leads in a new epoch, is replayed into the state and the transactions it left
 * half ended are finished; the ids of a partition it stopped leading are forgotten. Runs on the coordinator's
 * thread, which owns the state it changes.
 */
final class TransactionStateLoader {

    private static final Logger LOG = Logger.getLogger(TransactionStateLoader.class);

    private final PartitionManager partitions;
    private final Map<String, TransactionMetadata> transactions;
    private final Map<Integer, Integer> loaded;
    private final Consumer<TransactionMetadata> finish;

    /**
     * @param transactions the coordinator's state, by transactional id
     * @param loaded       the partitions loaded, with the leader epoch they were loaded in
     * @param finish       writes the markers of a transaction found prepared
     */
    TransactionStateLoader(PartitionManager partitions, Map<String, TransactionMetadata> transactions,
                           Map<Integer, Integer> loaded, Consumer<TransactionMetadata> finish) {
        this.partitions = partitions;
        this.transactions = transactions;
        this.loaded = loaded;
        this.finish = finish;
    }

    /** Loads the partitions of {@code topic} this broker leads and has not loaded in their epoch; unloads the rest. */
    void follow(TopicImage topic) {
        long begin = System.nanoTime();
        int count = 0;
        int unloaded = 0;
        CoordinatorLog.ReplayTotals totals = new CoordinatorLog.ReplayTotals(0, 0);
        for (int p = 0; p < topic.partitions(); p++) {
            Optional<Partition> leading = partitions.leading(new TopicPartition(topic.name(), p));
            Integer loadedEpoch = loaded.get(p);
            if (loadedEpoch != null && (leading.isEmpty() || leading.get().leaderEpoch() != loadedEpoch)) {
                unload(p, topic.partitions());
                unloaded++;
            }
            if (leading.isPresent() && !loaded.containsKey(p)) {
                totals = totals.plus(load(leading.get(), topic.partitions()));
                count++;
            }
        }
        if (unloaded > 0) {
            LOG.infof("Unloaded %d partition(s) of %s: this broker no longer leads them", unloaded, topic.name());
        }
        if (count > 0) {
            LOG.infof("Loaded %d partition(s) of %s from %d record(s) (%d bytes) in %d ms: %d transactional id(s)",
                    count, topic.name(), totals.records(), totals.bytes(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), transactions.size());
        }
    }

    /** Replays one partition, then writes the markers of the transactions it left half ended. */
    private CoordinatorLog.ReplayTotals load(Partition partition, int partitionCount) {
        int index = partition.topicPartition().partition();
        CoordinatorLog.ReplayTotals totals = CoordinatorLog.replay(partition, (batch, record) -> {
            String id = record.hasKey() ? TransactionRecords.decodeKey(record.key()) : null;
            if (id == null) {
                LOG.warnf("Skipping a record of unknown version at offset %d of %s", record.offset(),
                        partition.topicPartition());
                return;
            }
            try {
                TransactionMetadata txn = record.hasValue() ? TransactionRecords.decodeValue(id, record.value()) : null;
                if (txn == null) {
                    transactions.remove(id);
                } else {
                    transactions.put(id, txn);
                }
            } catch (IllegalArgumentException e) {
                LOG.errorf("Skipping record %d of %s: %s", record.offset(), partition.topicPartition(), e.getMessage());
            }
        });
        loaded.put(index, partition.leaderEpoch());
        List<TransactionMetadata> unfinished = transactions.values().stream()
                .filter(txn -> TransactionCoordinator.partitionFor(txn.transactionalId(), partitionCount) == index
                        && txn.state().isPreparing())
                .toList();
        if (!unfinished.isEmpty()) {
            LOG.infof("Finishing %d transaction(s) of %s: writing their markers", unfinished.size(),
                    partition.topicPartition());
        }
        unfinished.forEach(finish);
        return totals;
    }

    private void unload(int partition, int partitionCount) {
        loaded.remove(partition);
        transactions.keySet().removeIf(id -> TransactionCoordinator.partitionFor(id, partitionCount) == partition);
    }
}
