package io.strata.broker.compaction;

import io.strata.broker.log.AbortedTxn;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Decides, record by record, what compaction keeps (Kafka's rules, for {@link MemoryRecords#filterTo}):
 * <ul>
 *   <li>a record at or above {@code mappedEnd} is kept: the {@link OffsetMap} knows nothing about it;</li>
 *   <li>a record whose key the map holds at a higher offset is dropped: a newer record replaces it;</li>
 *   <li>a record without a key is dropped (a compacted log refuses them; older ones predate the policy);</li>
 *   <li>a tombstone (null value) is kept until its batch's delete horizon has passed. The first
 *       compaction that keeps a tombstone stamps its batch with the horizon {@code now +
 *       delete.retention.ms} ({@code filterTo} writes it into the batch's base timestamp and sets the
 *       delete-horizon attribute, KIP-534); a later compaction at or after that time drops it;</li>
 *   <li>control batches are kept whole, and so are the transaction markers they hold;</li>
 *   <li>the records of an aborted transaction are dropped, whatever their keys: no reader may see them.</li>
 * </ul>
 * A batch whose records all go disappears, except the last batch of each active idempotent producer,
 * which stays as an empty batch header so that its sequence numbers survive a rebuild of producer state.
 *
 * <p>Also counts what it dropped and the earliest delete horizon it kept, so the caller knows
 * whether the output differs from the input and when compaction is next due for tombstones.
 * Not thread-safe: one per segment being compacted.
 */
public final class CompactionFilter extends MemoryRecords.RecordFilter {

    private final OffsetMap map;
    private final long mappedEnd;
    private final Map<Long, Long> lastBatchOffsetByProducer;
    private final Map<Long, List<AbortedTxn>> abortedByProducer = new HashMap<>();
    /** Whether the batch whose records are being filtered belongs to an aborted transaction. */
    private boolean inAbortedBatch;
    private int batchesDropped;
    private int recordsDropped;
    private int horizonsStamped;
    private long earliestDeleteHorizon = Long.MAX_VALUE;

    /**
     * @param map                       latest offset per key of the dirty records mapped
     * @param mappedEnd                 the map covers every keyed record below this offset
     * @param now                       the time compaction runs at
     * @param deleteRetentionMs         {@code delete.retention.ms} of the topic
     * @param lastBatchOffsetByProducer last offset of each active producer's last batch
     * @param abortedTxns               the aborted transactions with records in the segment filtered
     */
    public CompactionFilter(OffsetMap map, long mappedEnd, long now, long deleteRetentionMs,
                            Map<Long, Long> lastBatchOffsetByProducer, List<AbortedTxn> abortedTxns) {
        super(now, deleteRetentionMs);
        this.map = map;
        this.mappedEnd = mappedEnd;
        this.lastBatchOffsetByProducer = Map.copyOf(lastBatchOffsetByProducer);
        abortedTxns.forEach(txn -> abortedByProducer.computeIfAbsent(txn.producerId(), id -> new ArrayList<>()).add(txn));
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean lastOfProducer = batch.hasProducerId()
                && Long.valueOf(batch.lastOffset()).equals(lastBatchOffsetByProducer.get(batch.producerId()));
        inAbortedBatch = isAborted(batch);
        if (inAbortedBatch && !lastOfProducer) {
            batchesDropped++;
            return new BatchRetentionResult(BatchRetention.DELETE, false);
        }
        return new BatchRetentionResult(lastOfProducer ? BatchRetention.RETAIN_EMPTY : BatchRetention.DELETE_EMPTY,
                false);
    }

    /** Whether {@code batch} holds records of a transaction its producer aborted: within one of its aborted spans. */
    private boolean isAborted(RecordBatch batch) {
        if (!batch.isTransactional() || batch.isControlBatch()) {
            return false;
        }
        for (AbortedTxn txn : abortedByProducer.getOrDefault(batch.producerId(), List.of())) {
            if (txn.firstOffset() <= batch.baseOffset() && batch.lastOffset() <= txn.lastOffset()) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        boolean retain = !inAbortedBatch && retain(batch, record);
        if (!retain) {
            recordsDropped++;
        } else if (!record.hasValue()) {
            OptionalLong horizon = batch.deleteHorizonMs();
            if (horizon.isEmpty()) {
                horizonsStamped++;
            }
            earliestDeleteHorizon = Math.min(earliestDeleteHorizon, horizon.orElse(currentTime + deleteRetentionMs));
        }
        return retain;
    }

    private boolean retain(RecordBatch batch, Record record) {
        if (batch.isControlBatch() || record.offset() >= mappedEnd) {
            return true;
        }
        if (!record.hasKey()) {
            return false;
        }
        if (map.get(record.key()) > record.offset()) {
            return false;
        }
        if (record.hasValue()) {
            return true;
        }
        OptionalLong horizon = batch.deleteHorizonMs();
        return horizon.isEmpty() || currentTime < horizon.getAsLong();
    }

    /** Whether the output differs from the input: something was dropped or a tombstone's batch got its horizon. */
    public boolean changedAnything() {
        return batchesDropped > 0 || recordsDropped > 0 || horizonsStamped > 0;
    }

    /** Records dropped so far. */
    public int recordsDropped() {
        return recordsDropped;
    }

    /** The earliest delete horizon of a tombstone kept, or {@link Long#MAX_VALUE} if none was kept. */
    public long earliestDeleteHorizon() {
        return earliestDeleteHorizon;
    }
}
