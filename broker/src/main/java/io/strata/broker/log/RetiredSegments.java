package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Segments that left a log (deleted by retention or DeleteRecords, cut by a follower's truncation, or replaced
 * by a compacted copy) but keep their files open for the log's {@code file.delete.delay.ms}, so that file
 * slices already handed to a fetch stay readable; their files are renamed {@code .deleted} meanwhile. Oldest first.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its lock.
 */
final class RetiredSegments {

    private static final Logger LOG = Logger.getLogger(RetiredSegments.class);

    private record Retired(LogSegment segment, long retiredAtMs) {
    }

    private final TopicPartition topicPartition;
    private final ArrayDeque<Retired> retired = new ArrayDeque<>();

    RetiredSegments(TopicPartition topicPartition) {
        this.topicPartition = topicPartition;
    }

    void add(LogSegment segment, long now) {
        retired.add(new Retired(segment, now));
    }

    /** Takes {@code segment} out of {@code segments}, renames its files {@code .deleted} and keeps it until due. */
    void retire(LogSegments segments, LogSegment segment, long now) throws IOException {
        segments.remove(segment);
        segment.markDeleted();
        add(segment, now);
    }

    /** Deletes the segments retired at least {@code delayMs} before {@code now}. */
    void deleteDue(long now, long delayMs) {
        while (!retired.isEmpty() && now - retired.peekFirst().retiredAtMs() >= delayMs) {
            delete(retired.pollFirst().segment());
        }
    }

    /** Deletes every retired segment: the log is closing, so no fetch can hold a slice any more. */
    void deleteAll() {
        while (!retired.isEmpty()) {
            delete(retired.pollFirst().segment());
        }
    }

    private void delete(LogSegment segment) {
        try {
            segment.delete();
        } catch (IOException e) {
            // Left as a .deleted file, which the next open removes.
            LOG.warnf(e, "Failed to delete segment %s of %s", segment, topicPartition);
        }
    }
}
