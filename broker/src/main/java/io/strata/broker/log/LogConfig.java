package io.strata.broker.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The topic settings a {@link PartitionLog} enforces, named as in Kafka's topic configs.
 *
 * <p>Holds no defaults: the broker's config catalogue supplies every value, already parsed, and
 * {@link #from} fails on a missing key rather than guessing. Immutable and thread-safe; a log picks up a new one
 * through {@link PartitionLog#updateConfig}.
 *
 * @param segmentBytes                {@code segment.bytes}: a segment rolls before growing past this
 * @param segmentMs                   {@code segment.ms}: a segment rolls once its first batch is this old
 * @param segmentIndexBytes           {@code segment.index.bytes}: most bytes of each index file
 * @param indexIntervalBytes          {@code index.interval.bytes}: bytes appended between index entries
 * @param maxMessageBytes             {@code max.message.bytes}: largest record batch accepted
 * @param flushMessages               {@code flush.messages}: fsync after this many unflushed records
 * @param flushMs                     {@code flush.ms}: fsync when the last one is this old
 * @param timestampType               {@code message.timestamp.type}: CreateTime or LogAppendTime
 * @param messageTimestampBeforeMaxMs {@code message.timestamp.before.max.ms}: oldest CreateTime accepted, relative to now
 * @param messageTimestampAfterMaxMs  {@code message.timestamp.after.max.ms}: newest CreateTime accepted, relative to now
 * @param retentionMs                 {@code retention.ms}: how old a segment's newest record may get before
 *                                    retention deletes the segment, from both tiers; -1 for ever
 * @param retentionBytes              {@code retention.bytes}: the most bytes of the whole log, both tiers;
 *                                    -1 for no limit
 * @param cleanupPolicy               {@code cleanup.policy}: {@code delete} (retention applies),
 *                                    {@code compact}, or both
 * @param remoteStorageEnable         {@code remote.storage.enable}: closed segments are tiered
 * @param localRetentionMs            {@code local.retention.ms}: how long a tiered segment stays on local disk
 *                                    too; -2 for {@code retention.ms}
 * @param localRetentionBytes         {@code local.retention.bytes}: the most bytes of tiered segments kept on
 *                                    local disk too; -2 for {@code retention.bytes}
 * @param deleteRetentionMs           {@code delete.retention.ms}: how long compaction keeps a tombstone after it
 *                                    first cleans it
 * @param minCompactionLagMs          {@code min.compaction.lag.ms}: a record stays uncompacted at least this long
 * @param maxCompactionLagMs          {@code max.compaction.lag.ms}: a log is compacted, whatever its dirty ratio,
 *                                    once its oldest uncompacted record is this old
 * @param minCleanableDirtyRatio      {@code min.cleanable.dirty.ratio}: compaction starts once the uncompacted
 *                                    share of the log's bytes is above this
 * @param fileDeleteDelayMs           {@code file.delete.delay.ms}: how long a segment removed from the log keeps
 *                                    its files, so that fetches holding a slice of it can finish
 * @param minInsyncReplicas           {@code min.insync.replicas}: the fewest in-sync replicas with which the
 *                                    partition takes an acks=all append
 * @param compression                 {@code compression.type} with its codec's level: the codec the log stores every
 *                                    batch in, or empty ({@code producer}) to store batches as their producer
 *                                    compressed them
 */
public record LogConfig(int segmentBytes,
                        long segmentMs,
                        int segmentIndexBytes,
                        int indexIntervalBytes,
                        int maxMessageBytes,
                        long flushMessages,
                        long flushMs,
                        TimestampType timestampType,
                        long messageTimestampBeforeMaxMs,
                        long messageTimestampAfterMaxMs,
                        long retentionMs,
                        long retentionBytes,
                        List<String> cleanupPolicy,
                        boolean remoteStorageEnable,
                        long localRetentionMs,
                        long localRetentionBytes,
                        long deleteRetentionMs,
                        long minCompactionLagMs,
                        long maxCompactionLagMs,
                        double minCleanableDirtyRatio,
                        long fileDeleteDelayMs,
                        int minInsyncReplicas,
                        Optional<Compression> compression) {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String REMOTE_STORAGE_ENABLE = "remote.storage.enable";
    public static final String LOCAL_RETENTION_MS = "local.retention.ms";
    public static final String LOCAL_RETENTION_BYTES = "local.retention.bytes";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String COMPRESSION_GZIP_LEVEL = "compression.gzip.level";
    public static final String COMPRESSION_LZ4_LEVEL = "compression.lz4.level";
    public static final String COMPRESSION_ZSTD_LEVEL = "compression.zstd.level";

    /** The {@code cleanup.policy} value that turns compaction on. */
    public static final String COMPACT = "compact";

    /** Every key {@link #from} reads. */
    public static final List<String> KEYS = List.of(SEGMENT_BYTES, SEGMENT_MS, SEGMENT_INDEX_BYTES,
            INDEX_INTERVAL_BYTES, MAX_MESSAGE_BYTES, FLUSH_MESSAGES, FLUSH_MS, MESSAGE_TIMESTAMP_TYPE,
            MESSAGE_TIMESTAMP_BEFORE_MAX_MS, MESSAGE_TIMESTAMP_AFTER_MAX_MS, RETENTION_MS, RETENTION_BYTES,
            CLEANUP_POLICY, REMOTE_STORAGE_ENABLE, LOCAL_RETENTION_MS, LOCAL_RETENTION_BYTES,
            DELETE_RETENTION_MS, MIN_COMPACTION_LAG_MS, MAX_COMPACTION_LAG_MS, MIN_CLEANABLE_DIRTY_RATIO,
            FILE_DELETE_DELAY_MS, MIN_INSYNC_REPLICAS, COMPRESSION_TYPE, COMPRESSION_GZIP_LEVEL, COMPRESSION_LZ4_LEVEL,
            COMPRESSION_ZSTD_LEVEL);

    public LogConfig {
        // Kafka's topic config bounds, except segment.bytes: Kafka 4 wants 1 MiB from users, a rule for
        // whoever validates CreateTopics/AlterConfigs; the log itself works with tiny segments.
        requireAtLeast(SEGMENT_BYTES, segmentBytes, 14);
        requireAtLeast(SEGMENT_MS, segmentMs, 1);
        requireAtLeast(SEGMENT_INDEX_BYTES, segmentIndexBytes, 4);
        requireAtLeast(INDEX_INTERVAL_BYTES, indexIntervalBytes, 0);
        requireAtLeast(MAX_MESSAGE_BYTES, maxMessageBytes, 0);
        requireAtLeast(FLUSH_MESSAGES, flushMessages, 1);
        requireAtLeast(FLUSH_MS, flushMs, 0);
        requireAtLeast(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, messageTimestampBeforeMaxMs, 0);
        requireAtLeast(MESSAGE_TIMESTAMP_AFTER_MAX_MS, messageTimestampAfterMaxMs, 0);
        requireAtLeast(RETENTION_MS, retentionMs, -1);
        requireAtLeast(DELETE_RETENTION_MS, deleteRetentionMs, 0);
        requireAtLeast(MIN_COMPACTION_LAG_MS, minCompactionLagMs, 0);
        requireAtLeast(MAX_COMPACTION_LAG_MS, maxCompactionLagMs, 1);
        requireAtLeast(FILE_DELETE_DELAY_MS, fileDeleteDelayMs, 0);
        requireAtLeast(MIN_INSYNC_REPLICAS, minInsyncReplicas, 1);
        if (!(minCleanableDirtyRatio >= 0 && minCleanableDirtyRatio <= 1)) {
            throw new IllegalArgumentException("Log config " + MIN_CLEANABLE_DIRTY_RATIO + " must be between 0 and 1, not "
                    + minCleanableDirtyRatio);
        }
        if (timestampType != TimestampType.CREATE_TIME && timestampType != TimestampType.LOG_APPEND_TIME) {
            throw new IllegalArgumentException(MESSAGE_TIMESTAMP_TYPE + " must be CreateTime or LogAppendTime, not "
                    + timestampType);
        }
        cleanupPolicy = List.copyOf(cleanupPolicy);
    }

    /**
     * Reads every key in {@link #KEYS} from {@code values}, typed as the config catalogue parsed them
     * (kafka-clients' {@code ConfigDef}): {@code Integer} and {@code Long} (either for a long),
     * {@code Double} (or any number), {@code Boolean}, {@code List<String>} for {@code cleanup.policy} and
     * {@code String} for {@code message.timestamp.type} and {@code compression.type}. Nothing is parsed again here.
     *
     * @throws IllegalArgumentException naming the key if one is missing or of another type
     */
    public static LogConfig from(Map<String, ?> values) {
        return new LogConfig(
                intValue(values, SEGMENT_BYTES),
                longValue(values, SEGMENT_MS),
                intValue(values, SEGMENT_INDEX_BYTES),
                intValue(values, INDEX_INTERVAL_BYTES),
                intValue(values, MAX_MESSAGE_BYTES),
                longValue(values, FLUSH_MESSAGES),
                longValue(values, FLUSH_MS),
                timestampTypeValue(values),
                longValue(values, MESSAGE_TIMESTAMP_BEFORE_MAX_MS),
                longValue(values, MESSAGE_TIMESTAMP_AFTER_MAX_MS),
                longValue(values, RETENTION_MS),
                longValue(values, RETENTION_BYTES),
                stringsValue(values, CLEANUP_POLICY),
                value(values, REMOTE_STORAGE_ENABLE, Boolean.class, "a boolean"),
                longValue(values, LOCAL_RETENTION_MS),
                longValue(values, LOCAL_RETENTION_BYTES),
                longValue(values, DELETE_RETENTION_MS),
                longValue(values, MIN_COMPACTION_LAG_MS),
                longValue(values, MAX_COMPACTION_LAG_MS),
                value(values, MIN_CLEANABLE_DIRTY_RATIO, Number.class, "a number").doubleValue(),
                longValue(values, FILE_DELETE_DELAY_MS),
                intValue(values, MIN_INSYNC_REPLICAS),
                compressionValue(values));
    }

    /** Whether {@code cleanup.policy} includes {@code compact} (alone or with {@code delete}). */
    public boolean compact() {
        return cleanupPolicy.contains(COMPACT);
    }

    /** Whether retention deletes old segments ({@code cleanup.policy} includes {@code delete}). */
    public boolean deleteRetention() {
        return cleanupPolicy.contains("delete");
    }

    /** How long tiered segments stay on local disk too: {@code local.retention.ms}, or {@code retention.ms} for -2. */
    public long effectiveLocalRetentionMs() {
        return localRetentionMs == -2 ? retentionMs : localRetentionMs;
    }

    /** The most bytes of tiered segments kept locally: {@code local.retention.bytes}, or {@code retention.bytes} for -2. */
    public long effectiveLocalRetentionBytes() {
        return localRetentionBytes == -2 ? retentionBytes : localRetentionBytes;
    }

    /** Whether appends get the broker's clock as timestamp rather than the producer's. */
    public boolean logAppendTime() {
        return timestampType == TimestampType.LOG_APPEND_TIME;
    }

    private static <T> T value(Map<String, ?> values, String key, Class<T> type, String kind) {
        Object value = values.get(key);
        if (value == null) {
            throw new IllegalArgumentException("Missing log config " + key);
        }
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException("Log config " + key + " is not " + kind + ": " + value);
        }
        return type.cast(value);
    }

    private static int intValue(Map<String, ?> values, String key) {
        return value(values, key, Integer.class, "an int");
    }

    private static long longValue(Map<String, ?> values, String key) {
        Number value = value(values, key, Number.class, "a long");
        if (!(value instanceof Long || value instanceof Integer)) {
            throw new IllegalArgumentException("Log config " + key + " is not a long: " + value);
        }
        return value.longValue();
    }

    private static List<String> stringsValue(Map<String, ?> values, String key) {
        List<?> list = value(values, key, List.class, "a list");
        return list.stream().map(entry -> String.valueOf(entry).trim()).filter(entry -> !entry.isEmpty()).toList();
    }

    private static TimestampType timestampTypeValue(Map<String, ?> values) {
        String value = value(values, MESSAGE_TIMESTAMP_TYPE, String.class, "a string");
        try {
            return TimestampType.forName(value);
        } catch (NoSuchElementException e) {
            throw new IllegalArgumentException("Log config " + MESSAGE_TIMESTAMP_TYPE
                    + " must be CreateTime or LogAppendTime, not " + value, e);
        }
    }

    private static Optional<Compression> compressionValue(Map<String, ?> values) {
        String type = value(values, COMPRESSION_TYPE, String.class, "a string");
        int gzipLevel = intValue(values, COMPRESSION_GZIP_LEVEL);
        int lz4Level = intValue(values, COMPRESSION_LZ4_LEVEL);
        int zstdLevel = intValue(values, COMPRESSION_ZSTD_LEVEL);
        return switch (type) {
            case "producer" -> Optional.empty();
            case "uncompressed" -> Optional.of(Compression.NONE);
            case "gzip" -> Optional.of(Compression.gzip().level(gzipLevel).build());
            case "snappy" -> Optional.of(Compression.snappy().build());
            case "lz4" -> Optional.of(Compression.lz4().level(lz4Level).build());
            case "zstd" -> Optional.of(Compression.zstd().level(zstdLevel).build());
            default -> throw new IllegalArgumentException("Log config " + COMPRESSION_TYPE + " must be producer, "
                    + "uncompressed, gzip, snappy, lz4 or zstd, not " + type);
        };
    }

    private static void requireAtLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("Log config " + key + " must be at least " + min + ", not " + value);
        }
    }
}
