package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How often the metrics that are computed rather than counted are refreshed, under the prefix
 * {@code strata.metrics}; the schedules read these properties by name.
 */
// Only the schedules read these, through property expressions, so nothing injects this mapping: kept, so
// that Quarkus registers it and takes strata.metrics.* for known properties.
@Unremovable
@ConfigMapping(prefix = "strata.metrics")
public interface MetricsConfig {

    /** How often the consumer lag gauges are recomputed. */
    @WithDefault("10s")
    Duration lagRefreshInterval();

    /** How often the meters of new partitions and topics are added and those of deleted ones removed. */
    @WithDefault("10s")
    Duration partitionRefreshInterval();
}
