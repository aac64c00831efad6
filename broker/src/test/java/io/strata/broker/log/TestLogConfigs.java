package io.strata.broker.log;

import java.util.HashMap;
import java.util.Map;

/** Kafka 4.1's topic config defaults, for tests only: production defaults come from the broker's catalogue. */
public final class TestLogConfigs {

    private TestLogConfigs() {
    }

    public static Map<String, String> kafkaDefaults() {
        Map<String, String> props = new HashMap<>();
        props.put(LogConfig.SEGMENT_BYTES, "1073741824");
        props.put(LogConfig.SEGMENT_MS, "604800000");
        props.put(LogConfig.SEGMENT_INDEX_BYTES, "10485760");
        props.put(LogConfig.INDEX_INTERVAL_BYTES, "4096");
        props.put(LogConfig.MAX_MESSAGE_BYTES, "1048588");
        props.put(LogConfig.FLUSH_MESSAGES, Long.toString(Long.MAX_VALUE));
        props.put(LogConfig.FLUSH_MS, Long.toString(Long.MAX_VALUE));
        props.put(LogConfig.MESSAGE_TIMESTAMP_TYPE, "CreateTime");
        props.put(LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Long.toString(Long.MAX_VALUE));
        props.put(LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, "3600000");
        props.put(LogConfig.RETENTION_MS, "604800000");
        props.put(LogConfig.RETENTION_BYTES, "-1");
        props.put(LogConfig.CLEANUP_POLICY, "delete");
        props.put(LogConfig.REMOTE_STORAGE_ENABLE, "false");
        props.put(LogConfig.LOCAL_RETENTION_MS, "-2");
        props.put(LogConfig.LOCAL_RETENTION_BYTES, "-2");
        props.put(LogConfig.DELETE_RETENTION_MS, "86400000");
        props.put(LogConfig.MIN_COMPACTION_LAG_MS, "0");
        props.put(LogConfig.MAX_COMPACTION_LAG_MS, Long.toString(Long.MAX_VALUE));
        props.put(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.5");
        return props;
    }

    public static LogConfig defaults() {
        return LogConfig.fromProperties(kafkaDefaults());
    }

    /** Kafka's defaults with {@code keyValues} (key, value, key, value...) overriding them. */
    public static LogConfig with(Object... keyValues) {
        Map<String, String> props = kafkaDefaults();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
        }
        return LogConfig.fromProperties(props);
    }
}
