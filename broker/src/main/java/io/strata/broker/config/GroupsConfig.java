package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Consumer groups and committed offsets, under the prefix {@code strata.groups}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.groups")
public interface GroupsConfig {

    /** {@code group.initial.rebalance.delay.ms}: how long the first rebalance of an empty group waits for more members. */
    @WithDefault("3000")
    int initialRebalanceDelayMs();

    /** {@code group.min.session.timeout.ms}: smallest session timeout a consumer may ask for. */
    @WithDefault("6000")
    int minSessionTimeoutMs();

    /** {@code group.max.session.timeout.ms}: largest session timeout a consumer may ask for. */
    @WithDefault("1800000")
    int maxSessionTimeoutMs();

    /** {@code offsets.topic.num.partitions}: partitions of {@code __consumer_offsets} when it is created. */
    @WithDefault("50")
    int offsetsTopicPartitions();

    /**
     * {@code offsets.topic.replication.factor}: replicas of each partition of {@code __consumer_offsets} when it
     * is created, at most as many as the cluster has brokers, which it waits for.
     */
    @WithDefault("3")
    short offsetsTopicReplicationFactor();

    /** {@code offset.metadata.max.bytes}: longest metadata of a committed offset. */
    @WithDefault("4096")
    int offsetMetadataMaxBytes();

    /**
     * How long a new member may wait in a JoinGroup before it is dropped (Kafka's internal
     * {@code group.classic.new.member.join.timeout.ms}, 5 minutes).
     */
    @WithDefault("300000")
    int newMemberJoinTimeoutMs();

    /**
     * {@code offsets.retention.minutes}: how long the committed offsets of a group without members
     * are kept after their commit and after the group became empty (7 days).
     */
    @WithDefault("10080")
    int offsetsRetentionMinutes();

    /** {@code offsets.retention.check.interval.ms}: how often expired offsets are looked for. */
    @WithDefault("10m")
    Duration offsetsRetentionCheckInterval();
}
