package io.strata.broker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How partition data is replicated between brokers, under the prefix {@code strata.replication}.
 */
@ConfigMapping(prefix = "strata.replication")
public interface ReplicationConfig {

    /**
     * {@code replica.lag.time.max.ms}: a follower that has not caught up with its leader for this long leaves
     * the in-sync replicas, so that acks=all appends stop waiting for it.
     */
    @WithDefault("30s")
    Duration lagTimeMax();
}
