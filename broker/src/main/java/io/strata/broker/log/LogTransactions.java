package io.strata.broker.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * What the log knows of transactions beyond each producer's state: where the oldest open transaction begins (the
 * first unstable offset, which bounds what read_committed readers see) and the aborted transactions recorded in
 * the segments' transaction indexes (which those readers skip).
 *
 * <p>{@link #refresh} and {@link #recordAborted} run under the log's lock, after each change of the producer
 * state; {@link #lastStable} and {@link #abortedBetween} run on readers' threads without it.
 */
final class LogTransactions {

    private final LogSegments segments;
    private final ProducerStateManager producerState;
    /** Where the oldest open transaction begins, or null when none is open. */
    private volatile OffsetMetadata firstUnstable;

    LogTransactions(LogSegments segments, ProducerStateManager producerState) {
        this.segments = segments;
        this.producerState = producerState;
    }

    /** Takes the first unstable offset from the producer state, after an append, a truncation or a load. */
    void refresh(OffsetMetadata logEnd) {
        OptionalLong offset = producerState.firstUnstableOffset();
        OffsetMetadata current = firstUnstable;
        if (offset.isEmpty()) {
            firstUnstable = null;
        } else if (current == null || current.messageOffset() != offset.getAsLong()) {
            // Looked up only when it moves: appends to a transaction already open leave it where it is, and a
            // truncation below it rebuilds the producer state, which closes it, before the next refresh.
            firstUnstable = segments.offsetMetadata(offset.getAsLong(), logEnd);
        }
    }

    /** The last stable offset: the first unstable offset if below {@code highWatermark}, else the high watermark. */
    OffsetMetadata lastStable(OffsetMetadata highWatermark) {
        OffsetMetadata unstable = firstUnstable;
        return unstable != null && unstable.messageOffset() < highWatermark.messageOffset() ? unstable : highWatermark;
    }

    /** Records each aborted transaction in the index of the segment holding its marker. */
    void recordAborted(List<AbortedTxn> aborted) throws IOException {
        for (AbortedTxn txn : aborted) {
            segments.floor(txn.lastOffset()).txnIndex().append(txn);
        }
    }

    /**
     * The aborted transactions with records in {@code [fetchOffset, upperBound)}, from the segment holding
     * {@code fetchOffset} on, stopping at the first index that shows no later one can matter. A transaction's entry
     * sits with its abort marker, which may lie past {@code upperBound} while its records do not (another
     * transaction, still open, holds the last stable offset back), so later segments are searched too, as in Kafka.
     */
    List<AbortedTxn> abortedBetween(long fetchOffset, long upperBound) throws IOException {
        List<AbortedTxn> aborted = new ArrayList<>();
        for (LogSegment segment = segments.floor(fetchOffset); segment != null; segment = segments.next(segment)) {
            TransactionIndex.SearchResult found = segment.txnIndex().collectAbortedTxns(fetchOffset, upperBound);
            aborted.addAll(found.abortedTxns());
            if (found.isComplete()) {
                break;
            }
        }
        return aborted;
    }
}
