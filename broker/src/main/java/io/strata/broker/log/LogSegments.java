package io.strata.broker.log;

import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.StreamSupport;

/**
 * The segments of one partition log by base offset, the last one active. A segment holds the offsets
 * from its base offset up to the next segment's base offset.
 *
 * <p>Thread-safety: backed by a {@link ConcurrentSkipListMap}, so lookups and iterations may run on any
 * thread without a lock and see a weakly consistent view; the owning {@link PartitionLog} serialises
 * changes. Lists returned are snapshots; {@link #view()} is live.
 */
final class LogSegments {

    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();

    /** Adds {@code segment}, replacing the one of the same base offset if any. */
    void add(LogSegment segment) {
        segments.put(segment.baseOffset(), segment);
    }

    void remove(LogSegment segment) {
        segments.remove(segment.baseOffset(), segment);
    }

    /** Whether {@code segment} itself (not another of its base offset) is in the log. */
    boolean contains(LogSegment segment) {
        return segments.get(segment.baseOffset()) == segment;
    }

    boolean isEmpty() {
        return segments.isEmpty();
    }

    int count() {
        return segments.size();
    }

    long firstBaseOffset() {
        return segments.firstKey();
    }

    /** The last segment, the one appends go to. */
    LogSegment active() {
        return segments.lastEntry().getValue();
    }

    /** The base offset of the segment after the one at {@code baseOffset}, if there is one. */
    OptionalLong nextBaseOffset(long baseOffset) {
        Long next = segments.higherKey(baseOffset);
        return next == null ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** The segment whose range holds {@code offset}, or null if {@code offset} is below the first segment. */
    LogSegment floor(long offset) {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        return entry == null ? null : entry.getValue();
    }

    /** The segment after {@code segment}, or null if it is the last. */
    LogSegment next(LogSegment segment) {
        Map.Entry<Long, LogSegment> entry = segments.higherEntry(segment.baseOffset());
        return entry == null ? null : entry.getValue();
    }

    /** Every segment, oldest first: a snapshot. */
    List<LogSegment> all() {
        return List.copyOf(segments.values());
    }

    /** Every segment, oldest first, as a live view for reads that must not copy. */
    Collection<LogSegment> view() {
        return segments.values();
    }

    /** The segments whose base offset is below {@code baseOffset}, oldest first: a snapshot. */
    List<LogSegment> below(long baseOffset) {
        return List.copyOf(segments.headMap(baseOffset).values());
    }

    /** The segments whose base offset is above {@code offset}, oldest first: a snapshot. */
    List<LogSegment> above(long offset) {
        return List.copyOf(segments.tailMap(offset, false).values());
    }

    /** The segments whose base offset is below {@code bound}, each with the offset it ends before, oldest first. */
    List<ClosedSegment> closedBelow(long bound) {
        List<ClosedSegment> closed = new ArrayList<>();
        for (LogSegment segment : segments.headMap(bound).values()) {
            closed.add(new ClosedSegment(segment, segments.higherKey(segment.baseOffset())));
        }
        return closed;
    }

    /** The segments holding offsets in {@code [from, to)}, oldest first, as a live view. */
    Collection<LogSegment> holding(long from, long to) {
        Long first = segments.floorKey(from);
        return segments.subMap(first == null ? segments.firstKey() : first, true, to, false).values();
    }

    /**
     * Reads from the segment holding {@code fetchOffset}, starting at the batch that holds it (or the next one) and
     * stopping at {@code upTo}. A first batch cut by {@code maxBytes} gives an empty slice, as Kafka does for fetch
     * v3+: it is useless to the client.
     *
     * @return a slice of one segment file, possibly empty; null if no segment holds {@code fetchOffset}
     */
    FileRecords read(long fetchOffset, int maxBytes, OffsetMetadata upTo, boolean minOneMessage) {
        LogSegment segment = floor(fetchOffset);
        if (segment == null) {
            return null;
        }
        for (; segment != null && segment.baseOffset() <= upTo.segmentBaseOffset(); segment = next(segment)) {
            long maxPosition = segment.baseOffset() == upTo.segmentBaseOffset() ? upTo.relativePosition() : segment.size();
            SegmentRead read = segment.read(fetchOffset, maxBytes, maxPosition, minOneMessage);
            if (read != null) {
                return read.firstBatchIncomplete() ? read.records().slice(0, 0) : read.records();
            }
        }
        return active().log().slice(0, 0);
    }

    /** Where {@code offset} sits: the segment and position of the batch holding it; {@code end} if at or past it. */
    OffsetMetadata offsetMetadata(long offset, OffsetMetadata end) {
        if (offset >= end.messageOffset()) {
            return end;
        }
        for (LogSegment segment = floor(offset); segment != null; segment = next(segment)) {
            FileRecords.LogOffsetPosition position = segment.translateOffset(offset);
            if (position != null) {
                return new OffsetMetadata(offset, segment.baseOffset(), position.position);
            }
        }
        return end;
    }

    /**
     * The batches whose base offset is at least {@code from}, in log order, read header by header (no record is
     * decoded) from the segment holding {@code from} on.
     */
    Iterable<FileChannelRecordBatch> batchesFrom(long from) {
        if (segments.isEmpty()) {
            return List.of();
        }
        return () -> holding(from, Long.MAX_VALUE).stream()
                .flatMap(segment -> StreamSupport.stream(
                        segment.log().batchesFrom(segment.offsetIndex().lookup(from).position()).spliterator(), false))
                .filter(batch -> batch.baseOffset() >= from)
                .iterator();
    }

    /**
     * The first record at or after {@code startOffset} whose timestamp is at least {@code timestamp}, with its
     * timestamp. Skips segments by their largest timestamp; decodes the records of the batches it scans.
     */
    Optional<TimestampOffset> firstWithTimestampAtLeast(long timestamp, long startOffset) {
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar().timestamp() >= timestamp) {
                Optional<TimestampOffset> found = segment.findOffsetByTimestamp(timestamp, startOffset);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The largest timestamp in the log and the offset of the first record carrying it, or
     * {@link TimestampOffset#UNKNOWN} if no record has a timestamp. Scans the batches of one segment.
     */
    TimestampOffset maxTimestamp() {
        LogSegment best = null;
        TimestampOffset max = TimestampOffset.UNKNOWN;
        for (LogSegment segment : segments.values()) {
            TimestampOffset candidate = segment.maxTimestampSoFar();
            if (candidate.timestamp() > max.timestamp()) {
                best = segment;
                max = candidate;
            }
        }
        if (best == null) {
            return TimestampOffset.UNKNOWN;
        }
        int position = best.offsetIndex().lookup(max.offset()).position();
        for (FileChannelRecordBatch batch : best.log().batchesFrom(position)) {
            if (batch.maxTimestamp() == max.timestamp()) {
                return new TimestampOffset(max.timestamp(), batch.offsetOfMaxTimestamp().orElse(batch.lastOffset()));
            }
        }
        return TimestampOffset.UNKNOWN;
    }

    /** Total bytes of record batches in the segments. */
    long sizeInBytes() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.size();
        }
        return size;
    }
}
