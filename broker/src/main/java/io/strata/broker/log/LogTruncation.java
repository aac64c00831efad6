package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Segments leaving a partition log: those below a new log start (DeleteRecords), one replaced by its compacted
 * copy, and the files and state a follower's truncation changes ({@link PartitionLog#truncateTo},
 * {@link PartitionLog#truncateFullyAndStartAt}): segments, recovery point, leader epochs, producer state. The
 * owning log publishes the offsets; it lowers them before calling here, so no read reaches what is cut.
 *
 * <p>Crash-safe: segments leave through {@code .deleted} renames and the directory is fsynced, the cut segment is
 * fsynced, and the checkpoints are written after the data they describe is gone.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its lock.
 */
final class LogTruncation {

    private static final Logger LOG = Logger.getLogger(LogTruncation.class);

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Time time;
    private final LogSegments segments;
    private final RetiredSegments retired;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochs;
    private final LogDurability durability;
    private final OffsetCheckpointFile logStartOffsetFile;

    LogTruncation(Path dir, TopicPartition topicPartition, Time time, LogSegments segments, RetiredSegments retired,
                  ProducerStateManager producerState, LeaderEpochCache epochs, LogDurability durability,
                  OffsetCheckpointFile logStartOffsetFile) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.time = time;
        this.segments = segments;
        this.retired = retired;
        this.producerState = producerState;
        this.epochs = epochs;
        this.durability = durability;
        this.logStartOffsetFile = logStartOffsetFile;
    }

    /**
     * DeleteRecords: persists {@code offset} as the log start, then retires the segments wholly below it, never the
     * active one. Persisted first, so that a crash before the deletions finishes them on the next open.
     */
    void deleteRecordsBefore(long offset, long now) throws IOException {
        logStartOffsetFile.write(offset);
        for (LogSegment segment : segments.below(segments.active().baseOffset())) {
            if (segments.nextBaseOffset(segment.baseOffset()).getAsLong() > offset) {
                break;
            }
            retired.retire(segments, segment, now);
        }
    }

    /**
     * Retires the segments above {@code offset}, cuts the one holding it at the batch holding it, and brings the
     * recovery point, leader epochs and producer state down to the new end.
     *
     * @param offset at or above the first segment's base offset
     * @return the new log end: {@code offset} if it is a batch boundary, else the end of the last batch before it
     */
    OffsetMetadata truncateTo(long offset, long now) throws IOException {
        for (LogSegment segment : segments.above(offset)) {
            retired.retire(segments, segment, now);
        }
        LogSegment active = segments.active();
        int bytes = active.truncateTo(offset);
        active.flush();
        Utils.flushDir(dir);
        long end = active.readNextOffset();
        durability.truncateTo(end);
        epochs.truncateFromEnd(end);
        producerState.rebuild(segments, end);
        LOG.infof("Truncated %s to offset %d, cutting %d bytes off segment %d", topicPartition, end, bytes,
                active.baseOffset());
        return new OffsetMetadata(end, active.baseOffset(), active.size());
    }

    /**
     * Retires every segment for an empty one at {@code newOffset}, persisting {@code newOffset} as the log start
     * first, resets the recovery point and leader epochs to it, and replaces the producer state (snapshots deleted)
     * by the one {@code producerSnapshot} holds, or by none if it is null. The caller then publishes the offsets. A
     * crash part way opens either the old log, its start clamped to its end, or an empty log at {@code newOffset}.
     *
     * @return the new log end, {@code newOffset}
     */
    OffsetMetadata startAt(long newOffset, ByteBuffer producerSnapshot, LogConfig config, long now)
            throws IOException {
        logStartOffsetFile.write(newOffset);
        List<LogSegment> old = segments.all();
        for (LogSegment segment : old) {
            // Renamed before the new segment is created: one of them may have its base offset.
            segment.markDeleted();
        }
        // Added before the old ones leave, so that a concurrent read always finds an active segment.
        segments.add(LogSegment.create(dir, newOffset, config, time));
        for (LogSegment segment : old) {
            segments.remove(segment);
            retired.add(segment, now);
        }
        Utils.flushDir(dir);
        durability.resetTo(newOffset);
        epochs.clear();
        producerState.truncateFullyAndStartAt(newOffset);
        if (producerSnapshot != null) {
            producerState.installSnapshot(newOffset, producerSnapshot);
        }
        LOG.infof("Truncated %s fully: the log restarts empty at offset %d", topicPartition, newOffset);
        return new OffsetMetadata(newOffset, newOffset, 0);
    }

    /**
     * Puts {@code cleaned} in the place of the closed segment {@code old} crash-safely
     * ({@link LogSegment#replaceOnDisk}) and retires {@code old}, so that reads in flight keep its open file.
     *
     * @return false, changing nothing, if {@code old} is no longer a closed segment of this log
     */
    boolean replace(LogSegment old, LogSegment cleaned, long now) throws IOException {
        if (cleaned.baseOffset() != old.baseOffset()) {
            throw new IllegalArgumentException("Cannot replace segment " + old + " of " + topicPartition
                    + " by a segment at another base offset: " + cleaned);
        }
        if (!segments.contains(old) || old.baseOffset() >= segments.active().baseOffset()) {
            return false;
        }
        cleaned.replaceOnDisk(old, dir);
        segments.add(cleaned);
        retired.add(old, now);
        return true;
    }
}
