package io.strata.broker.log;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.FileRecords;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The read side of a {@link PartitionLog}: fetches between an offset and the bound the reader's isolation sets,
 * and the searches by timestamp. Runs without the log's lock, on the positions the log published when the read
 * began; a segment deleted meanwhile is an out-of-range answer, as it would have been a moment later.
 */
record LogReader(TopicPartition topicPartition, Path dir, LogSegments segments, LogTransactions transactions,
                 StorageErrors errors) {

    /**
     * Reads from the segment holding {@code fetchOffset}, starting at the batch that holds it and stopping at the
     * bound of {@code isolation}: the high watermark, the log end, or the last stable offset, for which it also
     * lists the aborted transactions that may have records among those read. Never copies record bytes.
     *
     * @param maxBytes      bytes wanted
     * @param minOneMessage return the first batch whole even if larger than {@code maxBytes}; without it,
     *                      a first batch larger than {@code maxBytes} gives an empty result
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     * @throws KafkaStorageException     on I/O failure
     */
    LogReadResult read(long fetchOffset, int maxBytes, boolean minOneMessage, FetchIsolation isolation,
                       long logStartOffset, OffsetMetadata highWatermark, OffsetMetadata end) {
        OffsetMetadata lastStable = transactions.lastStable(highWatermark);
        OffsetMetadata upTo = switch (isolation) {
            case LOG_END -> end;
            case HIGH_WATERMARK -> highWatermark;
            case TXN_COMMITTED -> lastStable;
        };
        OffsetRange range = new OffsetRange(logStartOffset, end.messageOffset());
        if (!range.readable(fetchOffset)) {
            throw range.outOfRange(topicPartition, fetchOffset);
        }
        try {
            FileRecords records = fetchOffset < upTo.messageOffset()
                    ? segments.read(fetchOffset, maxBytes, upTo, minOneMessage)
                    : segments.active().log().slice(0, 0);
            if (records == null) {
                // DeleteRecords removed the segment since the range check.
                throw range.outOfRange(topicPartition, fetchOffset);
            }
            List<AbortedTxn> aborted = isolation == FetchIsolation.TXN_COMMITTED && records.sizeInBytes() > 0
                    ? transactions.abortedBetween(fetchOffset, upTo.messageOffset()) : List.of();
            return new LogReadResult(records, highWatermark.messageOffset(), lastStable.messageOffset(), range.start(),
                    range.end(), aborted);
        } catch (KafkaException e) {
            throw errors.unwrap(e, "reading");
        } catch (IOException e) {
            throw errors.of("reading the transaction indexes of", dir, e);
        }
    }

    /** {@link LogTransactions#abortedBetween}, from the local log's start when {@code fetchOffset} lies below it. */
    List<AbortedTxn> abortedBetween(long fetchOffset, long upperBound) {
        try {
            return transactions.abortedBetween(Math.max(fetchOffset, segments.firstBaseOffset()), upperBound);
        } catch (IOException e) {
            throw errors.of("reading the transaction indexes of", dir, e);
        }
    }

    /**
     * The first record below {@code highWatermark} whose timestamp is {@code >= timestamp}, with its timestamp.
     * Decodes the records of the batches it scans.
     */
    Optional<TimestampOffset> offsetForTimestamp(long timestamp, long logStartOffset, long highWatermark) {
        try {
            return segments.firstWithTimestampAtLeast(timestamp, logStartOffset)
                    .filter(found -> found.offset() < highWatermark);
        } catch (KafkaException e) {
            throw errors.unwrap(e, "searching by timestamp in");
        }
    }

    /**
     * The largest timestamp below {@code highWatermark} and the offset of the first record carrying it, or
     * {@link TimestampOffset#UNKNOWN} if no record has a timestamp.
     */
    TimestampOffset maxTimestampOffset(long highWatermark) {
        try {
            TimestampOffset max = segments.maxTimestamp();
            return max.offset() < highWatermark ? max : TimestampOffset.UNKNOWN;
        } catch (KafkaException e) {
            throw errors.unwrap(e, "searching the max timestamp in");
        }
    }
}
