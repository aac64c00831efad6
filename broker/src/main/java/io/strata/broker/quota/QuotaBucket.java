package io.strata.broker.quota;

/**
 * The bytes one quota's clients may still send or fetch, as a token bucket: it fills at the quota's rate up to a
 * burst of {@code burstMs} worth of it, every byte recorded takes from it, and a client that took it below empty
 * waits until it is back at empty. Over any stretch the clients so get at most the quota plus one burst, and a
 * client that never pauses gets exactly the quota. Not thread-safe: its owner synchronizes.
 */
final class QuotaBucket {

    private final long burstMs;
    private double tokens;
    private long lastMs;
    /** The rate it filled at when last taken from. */
    private double bytesPerSecond;

    /** A full bucket. */
    QuotaBucket(double bytesPerSecond, long burstMs, long nowMs) {
        this.burstMs = burstMs;
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond * burstMs / 1000.0;
        this.lastMs = nowMs;
    }

    /** Whether the bucket was full by {@code sinceMs} and untouched since: forgetting it changes nothing. */
    boolean idleSince(long sinceMs) {
        return lastMs < sinceMs
                && tokens + bytesPerSecond * (sinceMs - lastMs) / 1000.0 >= bytesPerSecond * burstMs / 1000.0;
    }

    /** Takes {@code bytes} at {@code bytesPerSecond}; returns the milliseconds until the bucket is no longer short. */
    long take(double bytes, double bytesPerSecond, long nowMs) {
        double capacity = bytesPerSecond * burstMs / 1000.0;
        tokens = Math.min(capacity, tokens + bytesPerSecond * Math.max(0, nowMs - lastMs) / 1000.0) - bytes;
        lastMs = nowMs;
        this.bytesPerSecond = bytesPerSecond;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / bytesPerSecond * 1000.0);
    }
}
