package io.strata.broker.log;

import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;

import java.util.List;
import java.util.Optional;

/**
 * The batches of a leader's append ({@link PartitionLog#append(org.apache.kafka.common.record.MemoryRecords, int)}),
 * already validated by {@link LogValidator}: the offsets they will get, from the log end offset on, with their
 * producer sequences checked and staged; or, for a producer's retry, the batch already in the log.
 *
 * @param span      the offsets and the largest timestamp as stored
 * @param pending   the producer state changes, to commit once the batches are in the log
 * @param duplicate the retained batch the append retries, if it does: then nothing is to be appended
 */
record LeaderBatches(AppendSpan span, ProducerStateManager.PendingAppend pending, Optional<BatchMetadata> duplicate) {

    /**
     * @param logAppendTime the time every batch is stamped with, or {@link RecordBatch#NO_TIMESTAMP} to keep theirs
     * @param pending       the append's producer state changes, staged here
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException an epoch older than the producer's
     * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException a sequence gap, or a new epoch not at 0
     * @throws org.apache.kafka.common.errors.InvalidTxnStateException a transaction opened without verification,
     *         when {@code pending} requires it
     */
    static LeaderBatches plan(List<MutableRecordBatch> batches, long firstOffset, long logAppendTime,
                              ProducerStateManager.PendingAppend pending, ProducerStateManager producerState) {
        long nextOffset = firstOffset;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long offsetOfMaxTimestamp = -1L;
        for (MutableRecordBatch batch : batches) {
            long lastOffset = nextOffset + (batch.lastOffset() - batch.baseOffset());
            long timestamp = logAppendTime >= 0 ? logAppendTime : batch.maxTimestamp();
            if (batch.hasProducerId()) {
                Optional<BatchMetadata> duplicate = producerState.findDuplicate(batch);
                if (duplicate.isPresent()) {
                    return new LeaderBatches(null, pending, duplicate);
                }
                pending.append(batch, nextOffset, lastOffset, timestamp);
            }
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
                offsetOfMaxTimestamp = lastOffset;
            }
            nextOffset = lastOffset + 1;
        }
        return new LeaderBatches(new AppendSpan(firstOffset, nextOffset - 1, maxTimestamp, offsetOfMaxTimestamp),
                pending, Optional.empty());
    }
}
