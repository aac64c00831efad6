package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * Broker-wide defaults of topic configs, under the prefix {@code strata.log}: a topic's own config
 * overrides them; and how the local logs are kept: retention checks, fsync and the log cleaner.
 */
@Unremovable
@ConfigMapping(prefix = "strata.log")
public interface LogDefaultsConfig {

    /** {@code retention.ms}: how long records are kept (7 days). */
    Optional<Long> retentionMs();

    /** {@code retention.bytes}: partition size kept; -1 is unlimited. */
    Optional<Long> retentionBytes();

    /** {@code segment.bytes}: size at which a segment rolls (1 GiB). */
    Optional<Integer> segmentBytes();

    /** {@code segment.ms}: age at which a segment rolls (7 days). */
    Optional<Long> segmentMs();

    /** {@code cleanup.policy}: {@code delete}, {@code compact} or both. */
    Optional<String> cleanupPolicy();

    /** {@code max.message.bytes}: largest record batch accepted. */
    Optional<Integer> maxMessageBytes();

    /** {@code message.timestamp.type}: {@code CreateTime} or {@code LogAppendTime}. */
    Optional<String> messageTimestampType();

    /** {@code flush.messages}: fsync after this many records. */
    Optional<Long> flushMessages();

    /** {@code flush.ms}: fsync at least this often. */
    Optional<Long> flushMs();

    /** {@code min.insync.replicas}. */
    Optional<Integer> minInsyncReplicas();

    /** {@code compression.type}. */
    Optional<String> compressionType();

    /** {@code remote.storage.enable}: tier the topic's closed segments to the object store. */
    Optional<Boolean> remoteStorageEnable();

    /** {@code local.retention.ms}: how long tiered segments also stay on local disk; -2 is {@code retention.ms}. */
    Optional<Long> localRetentionMs();

    /** {@code local.retention.bytes}: local bytes of tiered segments kept; -2 is {@code retention.bytes}. */
    Optional<Long> localRetentionBytes();

    /**
     * The most bytes the local partition logs may hold before produce is refused with a retriable
     * error: a guard for when the object store is down and tiering cannot free the disk. Unset: no limit.
     */
    Optional<Long> localDiskLimit();

    /** {@code log.retention.check.interval.ms}: how often retention looks for segments to delete. */
    @WithDefault("5m")
    Duration retentionCheckInterval();

    /**
     * When true, a produce request is acknowledged only after its records are fsynced, whatever
     * {@code flush.messages} says. Requests that arrive together share one fsync.
     */
    @WithDefault("false")
    boolean fsyncBeforeAck();

    /** How often the log cleaner looks for compacted partitions due for compaction. */
    @WithDefault("15s")
    Duration cleanerInterval();

    /**
     * The most memory one compaction's key map takes, 24 bytes per key (Kafka's {@code log.cleaner.dedupe.buffer.size}).
     * A compaction takes only what the offsets of its dirty section need within it, and frees it when done.
     */
    @WithDefault("33554432")
    long cleanerDedupeBufferSize();
}
