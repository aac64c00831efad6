package io.strata.tiered;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The tiered part of one partition's log: its committed segments, sorted by base offset, and the
 * offset the tiered log starts at. Immutable.
 *
 * <p>Segments may leave gaps between them only where compaction removed records; the offsets a segment
 * covers are {@code [baseOffset, lastOffset]} whatever it still holds, so consecutive segments are
 * contiguous. The start offset is where retention or DeleteRecords moved the log start to: it may fall
 * inside the first segment, whose records below it are then no longer part of the log.
 *
 * @param logStartOffset where the tiered log starts, at least the first segment's base offset once
 *                       there is one; {@code 0} before anything was trimmed
 * @param segments       the committed segments, sorted by base offset, none wholly below the start
 */
public record RemoteManifest(long logStartOffset, List<RemoteSegment> segments) {

    public static final RemoteManifest EMPTY = new RemoteManifest(0, List.of());

    public RemoteManifest {
        if (logStartOffset < 0) {
            throw new IllegalArgumentException("Negative log start offset " + logStartOffset);
        }
        segments = List.copyOf(segments);
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /** The first offset of the tiered log; meaningless when it is empty. */
    public long startOffset() {
        return isEmpty() ? logStartOffset : Math.max(logStartOffset, segments.get(0).baseOffset());
    }

    /** The last offset tiered, or {@code -1} if nothing is. */
    public long lastOffset() {
        return isEmpty() ? -1 : segments.get(segments.size() - 1).lastOffset();
    }

    /** The offset after the last one tiered, or {@code 0} if nothing is. */
    public long endOffset() {
        return lastOffset() + 1;
    }

    /** The bytes of every segment's {@code .log}. */
    public long sizeInBytes() {
        return segments.stream().mapToLong(RemoteSegment::sizeInBytes).sum();
    }

    /** The segment covering {@code offset}, if the tiered log holds it. */
    public Optional<RemoteSegment> segmentFor(long offset) {
        if (isEmpty() || offset < startOffset() || offset > lastOffset()) {
            return Optional.empty();
        }
        for (RemoteSegment segment : segments) {
            if (segment.lastOffset() >= offset) {
                return Optional.of(segment);
            }
        }
        return Optional.empty();
    }

    /** The segment right after {@code segment}, if any. */
    public Optional<RemoteSegment> next(RemoteSegment segment) {
        for (RemoteSegment candidate : segments) {
            if (candidate.baseOffset() > segment.lastOffset()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public boolean contains(UUID segmentId) {
        return segments.stream().anyMatch(segment -> segment.segmentId().equals(segmentId));
    }

    /** This manifest with {@code segment} added in base-offset order, unless it lies wholly below the start. */
    public RemoteManifest with(RemoteSegment segment) {
        return updated(logStartOffset, Set.of(), List.of(segment));
    }

    /**
     * This manifest with the segments of {@code removed} taken out, {@code added} put in, and the start
     * moved up to {@code newLogStartOffset} if that is higher; segments then wholly below the start go.
     */
    public RemoteManifest updated(long newLogStartOffset, Set<UUID> removed, List<RemoteSegment> added) {
        long start = Math.max(logStartOffset, newLogStartOffset);
        List<RemoteSegment> result = new ArrayList<>(segments.size() + added.size());
        for (RemoteSegment segment : segments) {
            if (!removed.contains(segment.segmentId())) {
                result.add(segment);
            }
        }
        result.addAll(added);
        result.removeIf(segment -> segment.lastOffset() < start);
        result.sort(Comparator.comparingLong(RemoteSegment::baseOffset));
        return new RemoteManifest(start, result);
    }
}
