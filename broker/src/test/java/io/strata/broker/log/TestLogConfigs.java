package io.strata.broker.log;

import io.strata.broker.config.TopicConfigCatalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Log configs for tests, from Kafka's topic config defaults as the broker's catalogue parses them. */
public final class TestLogConfigs {

    private TestLogConfigs() {
    }

    /** Every topic config's Kafka default, typed as {@link LogConfig#from} reads it; a copy to change. */
    public static Map<String, Object> kafkaDefaults() {
        return new HashMap<>(new TopicConfigCatalog().effectiveValues(Map.of(), Map.of()));
    }

    public static LogConfig defaults() {
        return LogConfig.from(kafkaDefaults());
    }

    /**
     * Kafka's defaults with {@code keyValues} (key, value, key, value...) overriding them, each value
     * typed as {@link LogConfig#from} reads it ({@code cleanup.policy} as a list).
     */
    public static LogConfig with(Object... keyValues) {
        Map<String, Object> values = kafkaDefaults();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put((String) keyValues[i], keyValues[i + 1]);
        }
        return LogConfig.from(values);
    }

    /**
     * Small segments that roll every two or three 100-byte batches, with an index entry per batch and
     * small index files, with {@code keyValues} overriding any of it as in {@link #with}.
     */
    public static LogConfig smallSegments(Object... keyValues) {
        List<Object> all = new ArrayList<>(List.of(LogConfig.SEGMENT_BYTES, 400, LogConfig.SEGMENT_INDEX_BYTES, 4096,
                LogConfig.INDEX_INTERVAL_BYTES, 1));
        all.addAll(List.of(keyValues));
        return with(all.toArray());
    }
}
