package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes batches whose offsets are final, a leader's or a follower's, to the active segment of a partition log,
 * rolling it first when it is due: the write both appends share.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its lock.
 */
final class SegmentAppender {

    private static final Logger LOG = Logger.getLogger(SegmentAppender.class);

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Time time;
    private final LogSegments segments;
    private final LeaderEpochCache epochs;
    private final LogDurability durability;
    private final ProducerStateManager producerState;

    SegmentAppender(Path dir, TopicPartition topicPartition, Time time, LogSegments segments, LeaderEpochCache epochs,
                    LogDurability durability, ProducerStateManager producerState) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.time = time;
        this.segments = segments;
        this.epochs = epochs;
        this.durability = durability;
        this.producerState = producerState;
    }

    /**
     * Records the new leader epochs (before their batches, so the checkpoint never lacks an epoch of the log),
     * rolls the active segment if needed and appends {@code records}.
     *
     * @param newEpochs the leader epochs the batches carry, each with the first offset it writes
     * @return the log end after the write, for the caller to publish
     */
    OffsetMetadata append(MemoryRecords records, AppendSpan span, List<EpochEntry> newEpochs, LogConfig config,
                          long now) throws IOException {
        for (EpochEntry epoch : newEpochs) {
            epochs.assign(epoch.epoch(), epoch.startOffset());
        }
        LogSegment segment = maybeRoll(segments.active(), config, records.sizeInBytes(), span, now);
        segment.append(span.lastOffset(), span.maxTimestamp(), span.offsetOfMaxTimestamp(), records);
        return new OffsetMetadata(span.lastOffset() + 1, segment.baseOffset(), segment.size());
    }

    private LogSegment maybeRoll(LogSegment active, LogConfig config, int messagesSize, AppendSpan span, long now)
            throws IOException {
        if (!active.shouldRoll(config, messagesSize, span.maxTimestamp(), span.lastOffset(), now)) {
            return active;
        }
        // The first offset written, not the log end: a follower's batches may start after a gap.
        long newBaseOffset = span.firstOffset();
        active.onBecomeInactive();
        LogSegment next = LogSegment.create(dir, newBaseOffset, config, time);
        segments.add(next);
        // The old segment is complete: make it durable now so that a crash recovers the new one only.
        durability.flushUpTo(() -> newBaseOffset);
        producerState.takeSnapshot();
        LOG.debugf("Rolled %s to a new segment at offset %d", topicPartition, newBaseOffset);
        return next;
    }
}
