package io.strata.broker.compaction;

import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.ProducerStateEntry;

import java.util.List;
import java.util.Map;

/**
 * The rewrite of one compaction: the cleanable segments of a log, local or tiered, filtered from the log's start
 * in offset order, one {@link CompactionFilter} per segment, sharing what the pass learns of transactions
 * ({@link CleanedTransactions}). Not thread-safe.
 */
public final class CompactionPass {

    private final OffsetMap map;
    private final long mappedEnd;
    private final long now;
    private final long deleteRetentionMs;
    private final Map<Long, ProducerStateEntry> producers;
    private final CleanedTransactions transactions = new CleanedTransactions();
    private long nextDue = Long.MAX_VALUE;
    private CompactionFilter current;

    /**
     * @param map               latest offset per key of the dirty records mapped
     * @param mappedEnd         the map covers every keyed record below this offset
     * @param now               the time compaction runs at
     * @param deleteRetentionMs {@code delete.retention.ms} of the topic
     * @param producers         the state of the log's active producers, by producer id
     */
    public CompactionPass(OffsetMap map, long mappedEnd, long now, long deleteRetentionMs,
                          Map<Long, ProducerStateEntry> producers) {
        this.map = map;
        this.mappedEnd = mappedEnd;
        this.now = now;
        this.deleteRetentionMs = deleteRetentionMs;
        this.producers = Map.copyOf(producers);
    }

    /**
     * The filter of the next segment, the one after the last filtered.
     *
     * @param aborted the aborted transactions with records in that segment, from the transaction indexes
     */
    public CompactionFilter nextSegment(List<AbortedTxn> aborted) {
        noteDue();
        transactions.addAborted(aborted);
        transactions.startSegment();
        current = new CompactionFilter(map, mappedEnd, now, deleteRetentionMs, producers, transactions);
        return current;
    }

    /** The aborted transactions that the last segment filtered keeps markers of, for its transaction index. */
    public List<AbortedTxn> segmentIndex() {
        return transactions.segmentIndex();
    }

    /**
     * Whether the compacted copy of the segment last filtered, of which {@code stats} tell, differs from the segment,
     * whose transaction index holds {@code oldIndex}: records or batches dropped (empty batch headers too), a delete
     * horizon stamped, or an aborted transaction whose records are all gone left out of the index.
     */
    public boolean changed(SegmentCompactor.Stats stats, List<AbortedTxn> oldIndex) {
        return current.changedAnything() || stats.bytesRetained() != stats.bytesRead()
                || !segmentIndex().equals(oldIndex);
    }

    /**
     * When the log is due again for what this pass kept: the earliest delete horizon of a tombstone or marker, or
     * now if records of aborted transactions went (their markers can go next), else {@link Long#MAX_VALUE}.
     */
    public long nextDue() {
        noteDue();
        return nextDue;
    }

    private void noteDue() {
        if (current != null) {
            nextDue = Math.min(nextDue, current.abortedRecordsDropped() ? now : current.earliestDeleteHorizon());
            current = null;
        }
    }
}
