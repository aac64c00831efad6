package io.strata.broker.log;

/** A leader epoch of a partition and the offset of its first record. */
public record EpochEntry(int epoch, long startOffset) {
}
