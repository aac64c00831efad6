package io.strata.broker.group;

import io.strata.broker.config.GroupsConfig;

import java.time.Duration;

import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * Settings of the group coordinator, each named after the Kafka broker config it mirrors; their
 * defaults are {@link GroupsConfig}'s. Immutable.
 *
 * @param initialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long the first rebalance of an
 *                                empty group waits for more members to join (extended while they keep coming)
 * @param minSessionTimeoutMs     {@code group.min.session.timeout.ms}: smallest session timeout a member may ask for
 * @param maxSessionTimeoutMs     {@code group.max.session.timeout.ms}: largest session timeout a member may ask for
 * @param offsetsTopicPartitions  {@code offsets.topic.num.partitions}: partitions of {@code __consumer_offsets}
 *                                when this broker creates it; an existing topic keeps its count
 * @param offsetsTopicReplicationFactor {@code offsets.topic.replication.factor}: replicas of each partition of
 *                                {@code __consumer_offsets} when this broker creates it, at most one per broker
 * @param offsetMetadataMaxBytes  {@code offset.metadata.max.bytes}: longest metadata string of a committed offset
 * @param newMemberJoinTimeoutMs  how long a new member may wait in a JoinGroup before it is dropped (Kafka's
 *                                internal {@code group.classic.new.member.join.timeout.ms})
 * @param offsetsRetentionMs      {@code offsets.retention.minutes} in milliseconds: how long a committed offset
 *                                of a group without members is kept
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}: how often expired offsets
 *                                are looked for
 */
public record GroupConfig(
        int initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int offsetsTopicPartitions,
        short offsetsTopicReplicationFactor,
        int offsetMetadataMaxBytes,
        int newMemberJoinTimeoutMs,
        long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs) {

    public GroupConfig {
        requireRange("strata.groups.initial-rebalance-delay-ms", initialRebalanceDelayMs, 0, Integer.MAX_VALUE);
        requireRange("strata.groups.min-session-timeout-ms", minSessionTimeoutMs, 1, Integer.MAX_VALUE);
        requireRange("strata.groups.max-session-timeout-ms", maxSessionTimeoutMs, minSessionTimeoutMs, Integer.MAX_VALUE);
        requireRange("strata.groups.offsets-topic-partitions", offsetsTopicPartitions, 1, 100_000);
        requireRange("strata.groups.offsets-topic-replication-factor", offsetsTopicReplicationFactor, 1, Short.MAX_VALUE);
        requireRange("strata.groups.offset-metadata-max-bytes", offsetMetadataMaxBytes, 0, 1_000_000);
        requireRange("strata.groups.new-member-join-timeout-ms", newMemberJoinTimeoutMs, 1, Integer.MAX_VALUE);
        requirePositive("strata.groups.offsets-retention-minutes", Duration.ofMillis(offsetsRetentionMs));
        requirePositive("strata.groups.offsets-retention-check-interval",
                Duration.ofMillis(offsetsRetentionCheckIntervalMs));
    }

    /** The settings the configuration gives. */
    public static GroupConfig from(GroupsConfig config) {
        return new GroupConfig(config.initialRebalanceDelayMs(), config.minSessionTimeoutMs(),
                config.maxSessionTimeoutMs(), config.offsetsTopicPartitions(), config.offsetsTopicReplicationFactor(),
                config.offsetMetadataMaxBytes(),
                config.newMemberJoinTimeoutMs(), Duration.ofMinutes(config.offsetsRetentionMinutes()).toMillis(),
                config.offsetsRetentionCheckInterval().toMillis());
    }

    /**
     * This config with committed offsets kept {@code retentionMs}: its configuration key counts whole
     * minutes, which a test cannot wait for.
     */
    public GroupConfig withOffsetsRetentionMs(long retentionMs) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, offsetsTopicPartitions,
                offsetsTopicReplicationFactor, offsetMetadataMaxBytes, newMemberJoinTimeoutMs, retentionMs, offsetsRetentionCheckIntervalMs);
    }
}
