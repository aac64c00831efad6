package io.strata.broker.tiering;

import io.strata.broker.config.TieringConfig;
import io.strata.tiered.ObjectStores;
import io.strata.tiered.S3Settings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;
import static io.strata.broker.config.SettingCheck.requireAtLeastOneMillisecond;
import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * Where and how closed segments are tiered and read back, built from the configuration with
 * {@link #from}. Immutable.
 *
 * @param url               the object store ({@code file:} or {@code s3://bucket/prefix}); empty for
 *                          {@code <dataDir>/tiered}
 * @param s3PathStyle       name the bucket in the URL path (MinIO and most S3-compatible stores)
 * @param uploadInterval    the pause between two upload rounds
 * @param orphanGracePeriod how old an uncommitted object must be before the sweeper deletes it; it
 *                          must exceed the longest upload plus its commit
 * @param sweepInterval     the pause between two orphan sweeps of every tiered partition
 * @param removedSegmentDeleteDelay how long the objects of a segment taken out of the manifest (by
 *                          retention, DeleteRecords or compaction) stay for reads that found it before
 * @param chunkSize         the bytes of a tiered segment fetched with one ranged GET
 * @param cacheBytes        the most bytes of fetched chunks kept in memory for readers
 * @param indexCacheBytes   the most bytes of tiered segments' offset and time indexes kept in memory
 * @param s3ConnectTimeout  how long to wait for a TCP connection to S3
 * @param s3AttemptTimeout  how long one S3 HTTP attempt may take before it is retried
 * @param s3CallTimeout     how long one S3 request may take, retries included
 * @param environment       the AWS SDK's environment variables for an S3 store (endpoint, region,
 *                          credentials); {@link System#getenv()} outside tests
 */
public record TieringSettings(Optional<URI> url, boolean s3PathStyle, Duration uploadInterval,
                              Duration orphanGracePeriod, Duration sweepInterval, Duration removedSegmentDeleteDelay,
                              int chunkSize, long cacheBytes, long indexCacheBytes,
                              Duration s3ConnectTimeout, Duration s3AttemptTimeout, Duration s3CallTimeout,
                              Map<String, String> environment) {

    public TieringSettings {
        Objects.requireNonNull(url, "url");
        url.ifPresent(TieringSettings::requireSupportedUrl);
        requirePositive("strata.tiering.upload-interval", uploadInterval);
        requirePositive("strata.tiering.orphan-grace-period", orphanGracePeriod);
        requirePositive("strata.tiering.orphan-sweep-interval", sweepInterval);
        requirePositive("strata.tiering.removed-segment-delete-delay", removedSegmentDeleteDelay);
        if (chunkSize <= 0 || cacheBytes < chunkSize) {
            throw new IllegalArgumentException(describe("strata.tiering.chunk-size") + " is " + chunkSize + " and "
                    + describe("strata.tiering.cache-size") + " " + cacheBytes
                    + "; the chunk size must be positive and the cache hold at least one chunk");
        }
        requireRange("strata.tiering.index-cache-size", indexCacheBytes, 1, Long.MAX_VALUE);
        // The object store takes them in whole milliseconds.
        requireAtLeastOneMillisecond("strata.tiering.s3-connect-timeout", s3ConnectTimeout);
        requireAtLeastOneMillisecond("strata.tiering.s3-attempt-timeout", s3AttemptTimeout);
        requireAtLeastOneMillisecond("strata.tiering.s3-call-timeout", s3CallTimeout);
        try {
            S3Settings.requireAttemptWithinCall(s3AttemptTimeout, s3CallTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe("strata.tiering.s3-attempt-timeout") + " is "
                    + s3AttemptTimeout + " and " + describe("strata.tiering.s3-call-timeout") + " " + s3CallTimeout
                    + "; an attempt may not take longer than the call it belongs to", e);
        }
        environment = Map.copyOf(environment);
    }

    private static void requireSupportedUrl(URI url) {
        try {
            ObjectStores.checkUri(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe("strata.tiering.url") + ": " + e.getMessage(), e);
        }
    }

    /** The store's URL: the configured one, or a {@code tiered} directory next to the partition logs. */
    public URI storeUrl(Path dataDir) {
        return url.orElseGet(() -> dataDir.resolve("tiered").toAbsolutePath().normalize().toUri());
    }

    /** The settings the configuration gives, with the process's environment for the AWS SDK. */
    public static TieringSettings from(TieringConfig config) {
        return new TieringSettings(config.url(), config.s3PathStyle(), config.uploadInterval(),
                config.orphanGracePeriod(), config.orphanSweepInterval(), config.removedSegmentDeleteDelay(),
                config.chunkSize(), config.cacheSize(), config.indexCacheSize(), config.s3ConnectTimeout(),
                config.s3AttemptTimeout(), config.s3CallTimeout(), System.getenv());
    }

    /**
     * These settings with another environment for the AWS SDK: no configuration key holds the
     * endpoint or credentials, and a test cannot change its process's environment.
     */
    public TieringSettings withEnvironment(Map<String, String> value) {
        return new TieringSettings(url, s3PathStyle, uploadInterval, orphanGracePeriod, sweepInterval,
                removedSegmentDeleteDelay, chunkSize, cacheBytes, indexCacheBytes, s3ConnectTimeout, s3AttemptTimeout,
                s3CallTimeout, value);
    }
}
