package io.strata.broker.compaction;

import io.strata.broker.config.LogDefaultsConfig;

import java.time.Duration;
import java.util.Objects;

import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * How often and with how much memory the log cleaner compacts; the defaults are
 * {@link LogDefaultsConfig}'s. Immutable.
 *
 * @param interval          the pause between two rounds over every compacted partition
 * @param dedupeBufferBytes the most memory one compaction's offset map takes (24 bytes per key; Kafka's
 *                          {@code log.cleaner.dedupe.buffer.size}); a compaction takes what its dirty offsets need
 *                          within it, and frees it when done
 */
public record CleanerSettings(Duration interval, long dedupeBufferBytes) {

    public static final long MIN_DEDUPE_BUFFER_BYTES = 1L << 20;
    public static final long MAX_DEDUPE_BUFFER_BYTES = 1L << 30;

    public CleanerSettings {
        Objects.requireNonNull(interval, "interval");
        requirePositive("strata.log.cleaner-interval", interval);
        requireRange("strata.log.cleaner-dedupe-buffer-size", dedupeBufferBytes, MIN_DEDUPE_BUFFER_BYTES,
                MAX_DEDUPE_BUFFER_BYTES);
    }

    /** The settings the configuration gives. */
    public static CleanerSettings from(LogDefaultsConfig config) {
        return new CleanerSettings(config.cleanerInterval(), config.cleanerDedupeBufferSize());
    }
}
