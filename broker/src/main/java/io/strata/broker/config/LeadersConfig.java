package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Where partitions' leadership goes when nobody asks, under the prefix {@code strata.leader}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.leader")
public interface LeadersConfig {

    /**
     * {@code auto.leader.rebalance.enable}: the controller gives each partition back to its preferred leader
     * (the first replica of its assignment) once that broker is live and in sync again.
     */
    @WithDefault("true")
    boolean autoRebalanceEnable();

    /** {@code leader.imbalance.check.interval.seconds}: how often the controller looks for misplaced leaders. */
    @WithDefault("300s")
    Duration imbalanceCheckInterval();
}
