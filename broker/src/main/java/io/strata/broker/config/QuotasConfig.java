package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How client quota rates are measured, under the prefix {@code strata.quotas}; the quotas themselves are set with
 * {@code kafka-configs --entity-type users|clients} and kept in the replicated metadata.
 */
@Unremovable
@ConfigMapping(prefix = "strata.quotas")
public interface QuotasConfig {

    /** Kafka's {@code quota.window.num}: how many windows a rate is measured over. */
    @WithDefault("11")
    int windowNum();

    /** Kafka's {@code quota.window.size.seconds}: how long each window is. */
    @WithDefault("1s")
    Duration windowSize();
}
