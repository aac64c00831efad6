package io.strata.broker.group;

import java.util.concurrent.TimeUnit;

/**
 * Settings of the group coordinator, each named after the Kafka broker config it mirrors.
 *
 * @param initialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long the first rebalance of an
 *                                empty group waits for more members to join (extended while they keep coming)
 * @param minSessionTimeoutMs     {@code group.min.session.timeout.ms}: smallest session timeout a member may ask for
 * @param maxSessionTimeoutMs     {@code group.max.session.timeout.ms}: largest session timeout a member may ask for
 * @param offsetsTopicPartitions  {@code offsets.topic.num.partitions}: partitions of {@code __consumer_offsets}
 *                                when this broker creates it; an existing topic keeps its count
 * @param offsetMetadataMaxBytes  {@code offset.metadata.max.bytes}: longest metadata string of a committed offset
 * @param newMemberJoinTimeoutMs  how long a new member may wait in a JoinGroup before it is dropped (Kafka's
 *                                internal {@code group.classic.new.member.join.timeout.ms}, 5 minutes)
 * @param offsetsRetentionMs      {@code offsets.retention.minutes} in milliseconds: how long a committed offset
 *                                of a group without members is kept (7 days)
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}: how often expired offsets
 *                                are looked for (10 minutes)
 */
public record GroupConfig(
        int initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int offsetsTopicPartitions,
        int offsetMetadataMaxBytes,
        int newMemberJoinTimeoutMs,
        long offsetsRetentionMs,
        long offsetsRetentionCheckIntervalMs) {

    /** Kafka's defaults. */
    public static final GroupConfig DEFAULTS = new GroupConfig(3000, 6000, 1_800_000, 50, 4096, 300_000,
            TimeUnit.DAYS.toMillis(7), TimeUnit.MINUTES.toMillis(10));

    public GroupConfig {
        requireAtLeast("initialRebalanceDelayMs", initialRebalanceDelayMs, 0);
        requireAtLeast("minSessionTimeoutMs", minSessionTimeoutMs, 1);
        requireAtLeast("maxSessionTimeoutMs", maxSessionTimeoutMs, minSessionTimeoutMs);
        requireAtLeast("offsetsTopicPartitions", offsetsTopicPartitions, 1);
        requireAtLeast("offsetMetadataMaxBytes", offsetMetadataMaxBytes, 0);
        requireAtLeast("newMemberJoinTimeoutMs", newMemberJoinTimeoutMs, 1);
        requireAtLeast("offsetsRetentionMs", offsetsRetentionMs, 1);
        requireAtLeast("offsetsRetentionCheckIntervalMs", offsetsRetentionCheckIntervalMs, 1);
    }

    public GroupConfig withInitialRebalanceDelayMs(int value) {
        return new GroupConfig(value, minSessionTimeoutMs, maxSessionTimeoutMs, offsetsTopicPartitions,
                offsetMetadataMaxBytes, newMemberJoinTimeoutMs, offsetsRetentionMs, offsetsRetentionCheckIntervalMs);
    }

    public GroupConfig withSessionTimeoutRange(int min, int max) {
        return new GroupConfig(initialRebalanceDelayMs, min, max, offsetsTopicPartitions, offsetMetadataMaxBytes,
                newMemberJoinTimeoutMs, offsetsRetentionMs, offsetsRetentionCheckIntervalMs);
    }

    public GroupConfig withOffsetsTopicPartitions(int value) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, value,
                offsetMetadataMaxBytes, newMemberJoinTimeoutMs, offsetsRetentionMs, offsetsRetentionCheckIntervalMs);
    }

    public GroupConfig withOffsetMetadataMaxBytes(int value) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, offsetsTopicPartitions,
                value, newMemberJoinTimeoutMs, offsetsRetentionMs, offsetsRetentionCheckIntervalMs);
    }

    public GroupConfig withOffsetsRetention(long retentionMs, long checkIntervalMs) {
        return new GroupConfig(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, offsetsTopicPartitions,
                offsetMetadataMaxBytes, newMemberJoinTimeoutMs, retentionMs, checkIntervalMs);
    }

    private static void requireAtLeast(String name, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " is " + value + "; it must be at least " + min);
        }
    }
}
