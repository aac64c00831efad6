package io.strata.broker.compaction;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and with how much memory the log cleaner compacts.
 *
 * @param interval          the pause between two rounds over every compacted partition
 * @param dedupeBufferBytes the offset map's memory (24 bytes per key; Kafka's
 *                          {@code log.cleaner.dedupe.buffer.size}), allocated at the first compaction
 */
public record CleanerSettings(Duration interval, long dedupeBufferBytes) {

    public static final long MIN_DEDUPE_BUFFER_BYTES = 1L << 20;
    public static final long MAX_DEDUPE_BUFFER_BYTES = 1L << 30;

    public static final CleanerSettings DEFAULTS = new CleanerSettings(Duration.ofSeconds(15), 32L << 20);

    public CleanerSettings {
        Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("The cleaner interval must be positive, not " + interval);
        }
        if (dedupeBufferBytes < MIN_DEDUPE_BUFFER_BYTES || dedupeBufferBytes > MAX_DEDUPE_BUFFER_BYTES) {
            throw new IllegalArgumentException("The cleaner's dedupe buffer takes " + MIN_DEDUPE_BUFFER_BYTES + " to "
                    + MAX_DEDUPE_BUFFER_BYTES + " bytes, not " + dedupeBufferBytes);
        }
    }

    public CleanerSettings withInterval(Duration value) {
        return new CleanerSettings(value, dedupeBufferBytes);
    }
}
