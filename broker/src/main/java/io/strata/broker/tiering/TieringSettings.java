package io.strata.broker.tiering;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how often closed segments are tiered.
 *
 * @param url               the object store ({@code file:} or {@code s3://bucket/prefix}); empty for
 *                          {@code <dataDir>/tiered}
 * @param s3PathStyle       name the bucket in the URL path (MinIO and most S3-compatible stores)
 * @param uploadInterval    the pause between two upload rounds
 * @param orphanGracePeriod how old an uncommitted object must be before the sweeper deletes it; it
 *                          must exceed the longest upload plus its commit
 * @param sweepInterval     the pause between two orphan sweeps of every tiered partition
 * @param environment       the AWS SDK's environment variables for an S3 store (endpoint, region,
 *                          credentials); {@link System#getenv()} outside tests
 */
public record TieringSettings(Optional<URI> url, boolean s3PathStyle, Duration uploadInterval,
                              Duration orphanGracePeriod, Duration sweepInterval, Map<String, String> environment) {

    public static final TieringSettings DEFAULTS = new TieringSettings(Optional.empty(), false, Duration.ofSeconds(5),
            Duration.ofMinutes(10), Duration.ofHours(1), System.getenv());

    public TieringSettings {
        Objects.requireNonNull(url, "url");
        requirePositive("upload interval", uploadInterval);
        requirePositive("orphan grace period", orphanGracePeriod);
        requirePositive("sweep interval", sweepInterval);
        environment = Map.copyOf(environment);
    }

    /** The store's URL: the configured one, or a {@code tiered} directory next to the partition logs. */
    public URI storeUrl(Path dataDir) {
        return url.orElseGet(() -> dataDir.resolve("tiered").toAbsolutePath().normalize().toUri());
    }

    public TieringSettings withUrl(URI value) {
        return new TieringSettings(Optional.of(value), s3PathStyle, uploadInterval, orphanGracePeriod, sweepInterval,
                environment);
    }

    public TieringSettings withS3PathStyle(boolean value) {
        return new TieringSettings(url, value, uploadInterval, orphanGracePeriod, sweepInterval, environment);
    }

    public TieringSettings withUploadInterval(Duration value) {
        return new TieringSettings(url, s3PathStyle, value, orphanGracePeriod, sweepInterval, environment);
    }

    public TieringSettings withOrphanSweeps(Duration gracePeriod, Duration interval) {
        return new TieringSettings(url, s3PathStyle, uploadInterval, gracePeriod, interval, environment);
    }

    public TieringSettings withEnvironment(Map<String, String> value) {
        return new TieringSettings(url, s3PathStyle, uploadInterval, orphanGracePeriod, sweepInterval, value);
    }

    private static void requirePositive(String name, Duration value) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException("The tiering " + name + " must be positive, was " + value);
        }
    }
}
