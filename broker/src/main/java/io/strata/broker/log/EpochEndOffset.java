package io.strata.broker.log;

/**
 * The answer to OffsetForLeaderEpoch for one partition ({@link LeaderEpochCache#endOffsetFor}): the largest
 * leader epoch of the log not above the one asked for, and the offset its records end before.
 *
 * @param epoch     that epoch, or {@value LeaderEpochCache#UNDEFINED_EPOCH}
 * @param endOffset the offset after its last record, or {@value LeaderEpochCache#UNDEFINED_EPOCH_OFFSET}
 */
public record EpochEndOffset(int epoch, long endOffset) {

    /** No epoch of the log answers the request. */
    public static final EpochEndOffset UNDEFINED =
            new EpochEndOffset(LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_EPOCH_OFFSET);
}
