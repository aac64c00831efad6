package io.strata.broker.log;

import org.apache.kafka.common.record.FileRecords;

/**
 * What {@link LogSegment#read} found: a zero-copy slice of the segment file and where the fetch offset sits.
 *
 * @param fetchOffsetMetadata   the requested offset with the position of the batch holding it
 * @param records               the slice, starting at that batch; its last batch may be cut short
 * @param firstBatchIncomplete  the size limit cut the first batch, so the slice holds no whole batch
 */
public record SegmentRead(OffsetMetadata fetchOffsetMetadata, FileRecords records, boolean firstBatchIncomplete) {
}
