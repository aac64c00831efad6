package io.strata.broker.log;

/**
 * A segment of a {@link PartitionLog} that only compaction may still change, with the offset it ends
 * before: the next segment's base offset (its records may end earlier, compaction leaves gaps).
 */
public record ClosedSegment(LogSegment segment, long endOffset) {
}
