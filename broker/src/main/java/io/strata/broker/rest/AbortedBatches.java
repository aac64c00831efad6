package io.strata.broker.rest;

import io.strata.broker.log.AbortedTxn;
import org.apache.kafka.common.record.RecordBatch;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Tells a read_committed reader which batches to skip, as Kafka's consumer does with a fetch's aborted
 * transactions: a producer's transactional batches are skipped from its aborted transaction's first offset until
 * its abort marker. Batches must be shown in log order; the aborted transactions of several reads may overlap.
 *
 * <p>Not thread-safe: one read.
 */
final class AbortedBatches {

    private final PriorityQueue<AbortedTxn> upcoming = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
    private final Set<AbortedTxn> known = new HashSet<>();
    private final Set<Long> abortingProducers = new HashSet<>();

    /** Adds the aborted transactions a read listed. */
    void add(List<AbortedTxn> aborted) {
        for (AbortedTxn txn : aborted) {
            if (known.add(txn)) {
                upcoming.add(txn);
            }
        }
    }

    /** Whether {@code batch}, the next one in log order, holds records of an aborted transaction. */
    boolean skips(RecordBatch batch) {
        while (!upcoming.isEmpty() && upcoming.peek().firstOffset() <= batch.lastOffset()) {
            abortingProducers.add(upcoming.poll().producerId());
        }
        if (batch.isControlBatch()) {
            // The marker ends its producer's transaction, whether it aborted it or not.
            abortingProducers.remove(batch.producerId());
            return true;
        }
        return batch.isTransactional() && abortingProducers.contains(batch.producerId());
    }
}
