package io.strata.broker.log;

/**
 * Where an offset sits in the log: the segment holding it and the byte position, in that segment,
 * of the batch holding it. Lets a read turn the high watermark into a byte bound without searching.
 */
public record OffsetMetadata(long messageOffset, long segmentBaseOffset, int relativePosition) {
}
