package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Topic creation rules, under the prefix {@code strata.topics}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.topics")
public interface TopicsConfig {

    /** {@code auto.create.topics.enable}: create a topic when a client asks for its metadata. */
    @WithName("auto-create")
    @WithDefault("false")
    boolean autoCreate();

    /** {@code num.partitions}: partitions of a topic created without a count. */
    @WithDefault("1")
    int defaultPartitions();

    /** {@code default.replication.factor}: replicas of a topic created with -1. */
    @WithDefault("1")
    short defaultReplicationFactor();
}
