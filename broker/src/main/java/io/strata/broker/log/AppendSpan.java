package io.strata.broker.log;

/**
 * The offsets one append writes, and its largest batch timestamp with the last offset of the batch holding it
 * (-1, -1 if no batch has a timestamp).
 */
record AppendSpan(long firstOffset, long lastOffset, long maxTimestamp, long offsetOfMaxTimestamp) {
}
