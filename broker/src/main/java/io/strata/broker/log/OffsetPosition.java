package io.strata.broker.log;

/** An offset index entry: the batch holding {@code offset} starts at byte {@code position} of the segment. */
public record OffsetPosition(long offset, int position) {
}
