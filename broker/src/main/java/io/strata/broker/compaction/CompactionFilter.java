package io.strata.broker.compaction;

import io.strata.broker.log.ProducerStateEntry;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

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
 *   <li>the records of an aborted transaction are dropped, whatever their keys: no reader may see them;</li>
 *   <li>a transaction marker is kept while records of its transaction remain; once none does (see
 *       {@link CleanedTransactions}) it is stamped with a delete horizon as a tombstone is, and dropped after it.</li>
 * </ul>
 * A batch whose records all go disappears, except the last batch of each active idempotent producer,
 * which stays as an empty batch header so that its sequence numbers survive a rebuild of producer state (for a
 * producer known only by its markers, each marker of its current epoch stays so).
 *
 * <p>Also counts what it dropped and the earliest delete horizon it kept, so the caller knows
 * whether the output differs from the input and when compaction is next due for tombstones and markers.
 * Not thread-safe: one per segment being compacted.
 */
public final class CompactionFilter extends MemoryRecords.RecordFilter {

    private final OffsetMap map;
    private final long mappedEnd;
    private final Map<Long, ProducerStateEntry> producers;
    private final CleanedTransactions transactions;
    /** Whether the records of the batch being filtered all go: aborted, or a marker past its horizon. */
    private boolean discardBatchRecords;
    private int batchesDropped;
    private int recordsDropped;
    private int horizonsStamped;
    private boolean abortedRecordsDropped;
    private long earliestDeleteHorizon = Long.MAX_VALUE;

    /**
     * @param map               latest offset per key of the dirty records mapped
     * @param mappedEnd         the map covers every keyed record below this offset
     * @param now               the time compaction runs at
     * @param deleteRetentionMs {@code delete.retention.ms} of the topic
     * @param producers         the state of the log's active producers, by producer id
     * @param transactions      the pass's view of transactions, which reads each batch this filter sees
     */
    CompactionFilter(OffsetMap map, long mappedEnd, long now, long deleteRetentionMs,
                     Map<Long, ProducerStateEntry> producers, CleanedTransactions transactions) {
        super(now, deleteRetentionMs);
        this.map = map;
        this.mappedEnd = mappedEnd;
        this.producers = producers;
        this.transactions = transactions;
    }

    @Override
    protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
        boolean control = batch.isControlBatch();
        boolean discardable = control ? transactions.onControl(batch) : transactions.onData(batch);
        OptionalLong horizon = batch.deleteHorizonMs();
        discardBatchRecords = control ? discardable && horizon.isPresent() && horizon.getAsLong() <= currentTime
                : discardable;
        // An emptied control batch has nothing to stamp: filterTo writes a horizon only into a batch that keeps records.
        if (control && discardable && !discardBatchRecords && !CleanedTransactions.isEmpty(batch)) {
            if (horizon.isEmpty()) {
                horizonsStamped++;
            }
            earliestDeleteHorizon = Math.min(earliestDeleteHorizon, horizon.orElse(currentTime + deleteRetentionMs));
        }
        if (!control && discardable && !CleanedTransactions.isEmpty(batch)) {
            abortedRecordsDropped = true;
        }
        BatchRetention retention;
        if (lastOfProducer(batch)) {
            retention = BatchRetention.RETAIN_EMPTY;
        } else if (discardBatchRecords) {
            retention = BatchRetention.DELETE;
            batchesDropped++;
        } else {
            retention = BatchRetention.DELETE_EMPTY;
        }
        return new BatchRetentionResult(retention, control && discardable);
    }

    /**
     * Whether {@code batch} is the last its producer wrote here, which keeps the producer's sequence and epoch:
     * its last data batch, or, for a producer known only by markers, a marker of its current epoch.
     */
    private boolean lastOfProducer(RecordBatch batch) {
        ProducerStateEntry producer = batch.hasProducerId() ? producers.get(batch.producerId()) : null;
        if (producer == null) {
            return false;
        }
        return producer.lastOffset() >= 0 ? batch.lastOffset() == producer.lastOffset()
                : batch.isControlBatch() && batch.producerEpoch() == producer.producerEpoch();
    }

    @Override
    protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
        boolean retain = !discardBatchRecords && (batch.isControlBatch() || retain(batch, record));
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
        if (record.offset() >= mappedEnd) {
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

    /**
     * Whether the output differs from the input: something was dropped, or a batch of tombstones or a marker got
     * its horizon.
     */
    public boolean changedAnything() {
        return batchesDropped > 0 || recordsDropped > 0 || horizonsStamped > 0;
    }

    /** Records dropped so far. */
    public int recordsDropped() {
        return recordsDropped;
    }

    /**
     * Whether records of an aborted transaction were dropped: their markers then guard nothing, which the next
     * pass finds (see {@link CleanedTransactions}), so one is due soon.
     */
    public boolean abortedRecordsDropped() {
        return abortedRecordsDropped;
    }

    /** The earliest delete horizon of a tombstone or marker kept, or {@link Long#MAX_VALUE} if none was kept. */
    public long earliestDeleteHorizon() {
        return earliestDeleteHorizon;
    }
}
