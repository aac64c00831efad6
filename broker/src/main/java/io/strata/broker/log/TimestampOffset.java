package io.strata.broker.log;

import org.apache.kafka.common.record.RecordBatch;

/** A timestamp and the offset it belongs to: a time index entry, or the answer to a lookup by time. */
public record TimestampOffset(long timestamp, long offset) {

    /** No timestamp known: {@code (-1, -1)}, what ListOffsets reports when nothing matches. */
    public static final TimestampOffset UNKNOWN = new TimestampOffset(RecordBatch.NO_TIMESTAMP, -1L);
}
