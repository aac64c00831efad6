package io.strata.broker.compaction;

import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.TxnMarkers;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * What a compaction pass learns of transactions as it reads a log's batches in offset order, as Kafka's
 * {@code CleanedTransactionMetadata} does: which data batches hold records of aborted transactions, and which
 * transaction markers guard no record any more. A marker guards its transaction's records while any batch of them
 * is still read in the pass, so it goes only after the pass that dropped the last of them; so does the
 * aborted transaction's entry in the transaction index, which read_committed readers need only while its records
 * remain.
 *
 * <p>The aborted transactions are fed ({@link #addAborted}) from the transaction indexes of the segments about to
 * be read; each is taken up when the pass reaches its first offset. The map phase of a compaction reads with one
 * (see {@link OffsetMap#putAll}), the rewrite with another (see {@link CompactionPass}). Not thread-safe: one per
 * reading.
 */
public final class CleanedTransactions {

    /** An aborted transaction the pass has reached, and whether a batch of its records was read. */
    private static final class OngoingAbort {
        private final AbortedTxn txn;
        private boolean recordsRead;

        private OngoingAbort(AbortedTxn txn) {
            this.txn = txn;
        }
    }

    private final PriorityQueue<AbortedTxn> upcoming = new PriorityQueue<>(
            Comparator.comparingLong(AbortedTxn::firstOffset));
    /** The aborted transactions fed so far, by producer id and first offset: indexes of neighbours overlap. */
    private final Set<List<Long>> fed = new HashSet<>();
    private final Map<Long, OngoingAbort> ongoingAborts = new HashMap<>();
    /** The producers with records of a committed (or still open) transaction read since their last marker. */
    private final Set<Long> ongoingCommits = new HashSet<>();
    private List<AbortedTxn> segmentIndex = new ArrayList<>();

    /** Adds aborted transactions, from a transaction index, that batches about to be read may belong to. */
    public void addAborted(List<AbortedTxn> aborted) {
        for (AbortedTxn txn : aborted) {
            if (fed.add(List.of(txn.producerId(), txn.firstOffset()))) {
                upcoming.add(txn);
            }
        }
    }

    /** Starts the transaction index of the next segment read: see {@link #segmentIndex()}. */
    void startSegment() {
        segmentIndex = new ArrayList<>();
    }

    /** The aborted transactions whose markers, in the segment read since {@link #startSegment()}, guard records. */
    List<AbortedTxn> segmentIndex() {
        return List.copyOf(segmentIndex);
    }

    /** Reads a data batch; whether its records belong to an aborted transaction, which no reader may see. */
    boolean onData(RecordBatch batch) {
        takeUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        OngoingAbort abort = ongoingAborts.get(batch.producerId());
        if (abort != null) {
            abort.recordsRead = true;
            return true;
        }
        ongoingCommits.add(batch.producerId());
        return false;
    }

    /**
     * Reads a control batch; whether it may go once its delete horizon has passed: a marker whose transaction has no
     * record left, or a control batch emptied earlier. An abort marker that still guards records is listed in
     * {@link #segmentIndex()}.
     */
    boolean onControl(RecordBatch batch) {
        takeUpTo(batch.lastOffset());
        Optional<EndTransactionMarker> marker = TxnMarkers.read(batch);
        if (marker.isEmpty()) {
            return isEmpty(batch);
        }
        long producerId = batch.producerId();
        if (marker.get().controlType() == ControlRecordType.ABORT) {
            OngoingAbort abort = ongoingAborts.remove(producerId);
            if (abort != null && abort.recordsRead) {
                segmentIndex.add(abort.txn);
                return false;
            }
            return true;
        }
        return !ongoingCommits.remove(producerId);
    }

    /** Whether {@code batch} holds no record: a header an earlier compaction emptied and kept. */
    static boolean isEmpty(RecordBatch batch) {
        Integer count = batch.countOrNull();
        return count != null && count == 0;
    }

    /** Takes up the aborted transactions starting at or before {@code offset}. */
    private void takeUpTo(long offset) {
        while (!upcoming.isEmpty() && upcoming.peek().firstOffset() <= offset) {
            AbortedTxn txn = upcoming.poll();
            ongoingAborts.put(txn.producerId(), new OngoingAbort(txn));
        }
    }
}
