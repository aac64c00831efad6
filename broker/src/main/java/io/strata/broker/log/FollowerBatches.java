package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * The batches of a follower's append ({@link PartitionLog#appendAsFollower}), checked and kept as the leader
 * wrote them. Only whole batches count: a partial batch at the end, as a fetch cut by its size limit returns, is
 * left out of {@link #records()}.
 *
 * @param records   the whole batches, a view of the fetched buffer
 * @param batches   the same, one by one, in offset order
 * @param span      their offsets and largest timestamp
 * @param newEpochs each leader epoch the batches carry, with the base offset of its first batch
 */
record FollowerBatches(MemoryRecords records, List<RecordBatch> batches, AppendSpan span, List<EpochEntry> newEpochs) {

    /**
     * Checks that each batch is magic v2 with a valid CRC, that the first starts at or after {@code logEndOffset}
     * and each later one after the one before (gaps are allowed: compaction leaves them in the leader's log), and
     * that they fit in a segment.
     *
     * @return the batches; none if {@code records} holds no whole batch
     * @throws OffsetOutOfRangeException    if the first batch starts below {@code logEndOffset}
     * @throws CorruptRecordException       if a batch is not v2, fails its CRC, or does not follow the one before it
     * @throws RecordBatchTooLargeException if the batches do not fit in a segment of {@code segmentBytes}
     */
    static FollowerBatches check(MemoryRecords records, long logEndOffset, int segmentBytes, TopicPartition tp) {
        List<RecordBatch> batches = new ArrayList<>();
        List<EpochEntry> newEpochs = new ArrayList<>();
        long nextOffset = logEndOffset;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long offsetOfMaxTimestamp = -1L;
        int validBytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new CorruptRecordException("Follower append to " + tp + ": the batch at offset "
                        + batch.baseOffset() + " has magic " + batch.magic() + ", not 2");
            }
            batch.ensureValid();
            if (batches.isEmpty() && batch.baseOffset() < logEndOffset) {
                throw new OffsetOutOfRangeException("Follower append to " + tp + " starts at offset "
                        + batch.baseOffset() + ", below the log end offset " + logEndOffset);
            }
            if (batch.baseOffset() < nextOffset || batch.lastOffset() < batch.baseOffset()) {
                throw new CorruptRecordException("Follower append to " + tp + ": batch offsets " + batch.baseOffset()
                        + ".." + batch.lastOffset() + " do not follow offset " + (nextOffset - 1));
            }
            if (newEpochs.isEmpty() || newEpochs.get(newEpochs.size() - 1).epoch() != batch.partitionLeaderEpoch()) {
                newEpochs.add(new EpochEntry(batch.partitionLeaderEpoch(), batch.baseOffset()));
            }
            if (batch.maxTimestamp() > maxTimestamp) {
                maxTimestamp = batch.maxTimestamp();
                offsetOfMaxTimestamp = batch.lastOffset();
            }
            batches.add(batch);
            validBytes += batch.sizeInBytes();
            nextOffset = batch.nextOffset();
        }
        if (validBytes > segmentBytes) {
            throw new RecordBatchTooLargeException("Follower append of " + validBytes + " bytes to " + tp
                    + " does not fit in a segment of " + segmentBytes + " bytes");
        }
        MemoryRecords whole = validBytes == records.sizeInBytes() ? records : MemoryRecords.readableRecords(
                records.buffer().duplicate().limit(records.buffer().position() + validBytes));
        long firstOffset = batches.isEmpty() ? logEndOffset : batches.get(0).baseOffset();
        return new FollowerBatches(whole, batches, new AppendSpan(firstOffset, nextOffset - 1, maxTimestamp,
                offsetOfMaxTimestamp), newEpochs);
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }
}
