package io.strata.broker.partition;

/**
 * What a partition leader knows of one follower, from its fetches: how far its log reaches and when it
 * was last caught up, as Kafka's {@code Replica} tracks it. A follower is caught up at a fetch from the
 * leader's log end offset, and also, as of its previous fetch, when it now fetches from where the leader's
 * log ended at that previous fetch: a follower that keeps fetching everything the leader had a moment
 * before is in sync even while records keep coming. Guarded by the partition.
 */
final class FollowerProgress {

    /** Unknown until the follower fetches from this leader. */
    static final long UNKNOWN_OFFSET = -1;

    private long logEndOffset = UNKNOWN_OFFSET;
    private long lastCaughtUpMs;
    private long previousFetchMs;
    private long leaderEndAtPreviousFetch = UNKNOWN_OFFSET;

    /** A follower of a leader that started leading at {@code nowMs}, given until the lag time to fetch. */
    FollowerProgress(long nowMs) {
        this.lastCaughtUpMs = nowMs;
    }

    /** Records a fetch from {@code fetchOffset} at {@code nowMs}, when the leader's log ended at {@code leaderEnd}. */
    void fetched(long fetchOffset, long leaderEnd, long nowMs) {
        if (fetchOffset >= leaderEnd) {
            lastCaughtUpMs = Math.max(lastCaughtUpMs, nowMs);
        } else if (fetchOffset >= leaderEndAtPreviousFetch && leaderEndAtPreviousFetch != UNKNOWN_OFFSET) {
            lastCaughtUpMs = Math.max(lastCaughtUpMs, previousFetchMs);
        }
        logEndOffset = fetchOffset;
        leaderEndAtPreviousFetch = leaderEnd;
        previousFetchMs = nowMs;
    }

    long logEndOffset() {
        return logEndOffset;
    }

    long lastCaughtUpMs() {
        return lastCaughtUpMs;
    }
}
