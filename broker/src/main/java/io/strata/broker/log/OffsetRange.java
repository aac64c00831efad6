package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;

/**
 * The offsets a log can be read from: {@code start} to {@code end}, where {@code end} is the offset the
 * next record will get (a read there finds nothing yet, and is no error). Immutable.
 */
public record OffsetRange(long start, long end) {

    /** Whether a read may start at {@code offset}. */
    public boolean readable(long offset) {
        return offset >= start && offset <= end;
    }

    /**
     * The error for a read of {@code offset} outside this range of {@code topicPartition}: the one
     * wording of it, for the local log and the whole partition alike.
     */
    public OffsetOutOfRangeException outOfRange(TopicPartition topicPartition, long offset) {
        String holds = start < end
                ? "the log holds offsets " + start + " to " + (end - 1) + " and its next offset is " + end
                : "the log is empty and its next offset is " + end;
        return new OffsetOutOfRangeException("Offset " + offset + " is out of range for " + topicPartition + ": " + holds);
    }
}
