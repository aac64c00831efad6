package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Tiering closed segments to an object store and reading them back, under the prefix
 * {@code strata.tiering}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.tiering")
public interface TieringConfig {

    /** The object store: {@code file:///dir} or {@code s3://bucket/prefix}; {@code <data-dir>/tiered} if unset. */
    Optional<URI> url();

    /** Name the S3 bucket in the URL path rather than the host name (MinIO and most S3-compatible stores). */
    @WithName("s3-path-style")
    @WithDefault("false")
    boolean s3PathStyle();

    /** How often closed segments are looked for and uploaded. */
    @WithDefault("5s")
    Duration uploadInterval();

    /** Bytes of a tiered segment fetched with one ranged GET by readers of old offsets. */
    @WithDefault("1048576")
    int chunkSize();

    /** The most bytes of fetched chunks kept in memory for readers of old offsets. */
    @WithDefault("67108864")
    long cacheSize();

    /** The most bytes of tiered segments' offset and time indexes kept in memory (16 MiB). */
    @WithDefault("16777216")
    long indexCacheSize();

    /**
     * How old an object that no manifest names must be before the orphan sweeper deletes it: longer
     * than the slowest upload plus its commit, so that an upload in flight is never taken for an orphan.
     */
    @WithDefault("10m")
    Duration orphanGracePeriod();

    /** How often every tiered partition's prefix is listed for orphaned objects. */
    @WithDefault("1h")
    Duration orphanSweepInterval();

    /**
     * How long the objects of a segment taken out of the manifest (by retention, DeleteRecords or
     * compaction) stay, so that reads that found it in the manifest just before can finish.
     */
    @WithDefault("1m")
    Duration removedSegmentDeleteDelay();

    /** S3: how long to wait for a TCP connection. */
    @WithName("s3-connect-timeout")
    @WithDefault("3s")
    Duration s3ConnectTimeout();

    /** S3: how long one HTTP attempt may take before it is retried; enough for an 8 MiB part on a slow link. */
    @WithName("s3-attempt-timeout")
    @WithDefault("30s")
    Duration s3AttemptTimeout();

    /** S3: how long one request may take, retries included; at least the attempt timeout. */
    @WithName("s3-call-timeout")
    @WithDefault("2m")
    Duration s3CallTimeout();
}
