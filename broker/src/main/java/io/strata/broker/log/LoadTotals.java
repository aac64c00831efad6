package io.strata.broker.log;

/**
 * The {@link LoadSummary}s of the logs a broker opens together, such as every partition at start-up,
 * added up for one log line: a broker holds thousands of partitions, and a line each would bury the
 * one that matters.
 *
 * <p>Not thread-safe: one thread opens the logs and adds them up.
 */
public final class LoadTotals {

    private int logs;
    private int existing;
    private int recovered;
    private long bytesTruncated;
    private int segmentsDropped;

    public void add(LoadSummary summary) {
        logs++;
        if (!summary.newLog()) {
            existing++;
        }
        if (summary.segmentsRecovered() > 0) {
            recovered++;
        }
        bytesTruncated += summary.bytesTruncated();
        segmentsDropped += summary.segmentsDropped();
    }

    /** Logs added so far. */
    public int logs() {
        return logs;
    }

    /** Whether any log added had files on disk, so that loading it could have needed recovery. */
    public boolean anyExisting() {
        return existing > 0;
    }

    /** One line: how many logs, how many needed recovery, what recovery cut off, and how long it all took. */
    public String describe(long elapsedMs) {
        return "Loaded " + logs + " partition log(s) (" + (logs - existing) + " new) in " + elapsedMs + " ms: "
                + recovered + " needed recovery, " + bytesTruncated + " bytes truncated, "
                + segmentsDropped + " segments dropped";
    }
}
