package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * How partition data is replicated between brokers, under the prefix {@code strata.replication}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.replication")
public interface ReplicationConfig {

    /**
     * {@code replica.lag.time.max.ms}: a follower that has not caught up with its leader for this long leaves
     * the in-sync replicas, so that acks=all appends stop waiting for it.
     */
    @WithDefault("30s")
    Duration lagTimeMax();

    /**
     * {@code replica.selector.class}: {@code leader} keeps consumers on leaders; {@code rack-aware} points a
     * consumer to an in-sync follower in its {@code client.rack}, which saves cross-zone traffic in a
     * stretch cluster. Followers serve consumers that come to them either way, as Kafka's do.
     */
    @WithDefault("leader")
    ReplicaSelector replicaSelector();
}
