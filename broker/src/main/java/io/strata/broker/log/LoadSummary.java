package io.strata.broker.log;

/**
 * What {@link LogLoader} found and repaired when it opened a log.
 *
 * @param cleanShutdown      the clean-shutdown marker was present, so segments were trusted unscanned
 * @param segments           segments in the log after loading
 * @param segmentsRecovered  segments scanned and re-indexed (unflushed, or with a missing or bad index)
 * @param bytesTruncated     invalid or torn bytes cut off the end of recovered segments
 * @param segmentsDropped    whole segments deleted because they followed a truncated one
 */
public record LoadSummary(boolean cleanShutdown, int segments, int segmentsRecovered, long bytesTruncated,
                          int segmentsDropped) {

    /**
     * Whether the log had no segment on disk and was created by the open. A log that had segments was
     * either closed cleanly or has at least its active segment recovered.
     */
    public boolean newLog() {
        return !cleanShutdown && segmentsRecovered == 0;
    }
}
