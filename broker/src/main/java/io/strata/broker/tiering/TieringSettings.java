package io.strata.broker.tiering;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how closed segments are tiered and read back. Built with {@link #builder()}, which starts
 * from the defaults.
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
 * @param environment       the AWS SDK's environment variables for an S3 store (endpoint, region,
 *                          credentials); {@link System#getenv()} outside tests
 */
public record TieringSettings(Optional<URI> url, boolean s3PathStyle, Duration uploadInterval,
                              Duration orphanGracePeriod, Duration sweepInterval, Duration removedSegmentDeleteDelay,
                              int chunkSize, long cacheBytes,
                              Map<String, String> environment) {

    public static final TieringSettings DEFAULTS = builder().build();

    public TieringSettings {
        Objects.requireNonNull(url, "url");
        requirePositive("upload interval", uploadInterval);
        requirePositive("orphan grace period", orphanGracePeriod);
        requirePositive("sweep interval", sweepInterval);
        requirePositive("removed segment delete delay", removedSegmentDeleteDelay);
        if (chunkSize <= 0 || cacheBytes < chunkSize) {
            throw new IllegalArgumentException("The tiering chunk size must be positive and the cache at least one "
                    + "chunk, were " + chunkSize + " and " + cacheBytes + " bytes");
        }
        environment = Map.copyOf(environment);
    }

    /** The store's URL: the configured one, or a {@code tiered} directory next to the partition logs. */
    public URI storeUrl(Path dataDir) {
        return url.orElseGet(() -> dataDir.resolve("tiered").toAbsolutePath().normalize().toUri());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding the defaults until told otherwise. */
    public static final class Builder {
        private Optional<URI> url = Optional.empty();
        private boolean s3PathStyle;
        private Duration uploadInterval = Duration.ofSeconds(5);
        private Duration orphanGracePeriod = Duration.ofMinutes(10);
        private Duration sweepInterval = Duration.ofHours(1);
        private Duration removedSegmentDeleteDelay = Duration.ofMinutes(1);
        private int chunkSize = 1024 * 1024;
        private long cacheBytes = 64L * 1024 * 1024;
        private Map<String, String> environment = System.getenv();

        private Builder() {
        }

        public Builder url(URI value) {
            url = Optional.of(value);
            return this;
        }

        public Builder s3PathStyle(boolean value) {
            s3PathStyle = value;
            return this;
        }

        public Builder uploadInterval(Duration value) {
            uploadInterval = value;
            return this;
        }

        public Builder orphanSweeps(Duration gracePeriod, Duration interval) {
            orphanGracePeriod = gracePeriod;
            sweepInterval = interval;
            return this;
        }

        public Builder removedSegmentDeleteDelay(Duration value) {
            removedSegmentDeleteDelay = value;
            return this;
        }

        public Builder chunkCache(int chunkBytes, long maxBytes) {
            chunkSize = chunkBytes;
            cacheBytes = maxBytes;
            return this;
        }

        public Builder environment(Map<String, String> value) {
            environment = value;
            return this;
        }

        public TieringSettings build() {
            return new TieringSettings(url, s3PathStyle, uploadInterval, orphanGracePeriod, sweepInterval,
                    removedSegmentDeleteDelay, chunkSize, cacheBytes, environment);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("The tiering " + name + " must be positive, was " + value);
        }
    }
}
