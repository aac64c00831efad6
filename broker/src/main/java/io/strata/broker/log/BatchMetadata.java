package io.strata.broker.log;

import org.apache.kafka.common.record.RecordBatch;

/**
 * What a producer's batch looked like once in the log: enough to recognise a retry of it and to
 * answer the retry with the offsets the original got.
 */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {

    /** The metadata of {@code batch} as it sits in the log (offsets already assigned). */
    public static BatchMetadata of(RecordBatch batch) {
        return new BatchMetadata(batch.baseSequence(), batch.lastSequence(), batch.baseOffset(), batch.lastOffset(),
                batch.maxTimestamp());
    }
}
