package io.strata.broker.log;

import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogConfigTest {

    @Test
    void readsEveryKafkaTopicConfig() {
        Map<String, Object> props = TestLogConfigs.kafkaDefaults();
        props.put(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime");
        props.put(LogConfig.CLEANUP_POLICY, List.of("compact", "delete"));
        props.put(LogConfig.SEGMENT_BYTES, 2048);
        LogConfig config = LogConfig.from(props);

        assertThat(config.segmentBytes()).isEqualTo(2048);
        assertThat(config.segmentMs()).isEqualTo(604_800_000L);
        assertThat(config.segmentIndexBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(config.indexIntervalBytes()).isEqualTo(4096);
        assertThat(config.maxMessageBytes()).isEqualTo(1_048_588);
        assertThat(config.flushMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.flushMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(config.logAppendTime()).isTrue();
        assertThat(config.messageTimestampBeforeMaxMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.messageTimestampAfterMaxMs()).isEqualTo(3_600_000L);
        assertThat(config.retentionMs()).isEqualTo(604_800_000L);
        assertThat(config.retentionBytes()).isEqualTo(-1L);
        assertThat(config.cleanupPolicy()).isEqualTo(List.of("compact", "delete"));
        assertThat(config.compact()).isTrue();
        assertThat(config.deleteRetentionMs()).isEqualTo(86_400_000L);
        assertThat(config.minCompactionLagMs()).isZero();
        assertThat(config.maxCompactionLagMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.minCleanableDirtyRatio()).isEqualTo(0.5);
    }

    @Test
    void missingKeyIsNamed() {
        for (String key : LogConfig.KEYS) {
            Map<String, Object> props = TestLogConfigs.kafkaDefaults();
            props.remove(key);
            assertThatThrownBy(() -> LogConfig.from(props))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key);
        }
    }

    @Test
    void malformedOrOutOfBoundsValuesAreRejectedWithTheirKey() {
        assertThatThrownBy(() -> TestLogConfigs.with(LogConfig.SEGMENT_BYTES, "lots"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(LogConfig.SEGMENT_BYTES);
        assertThatThrownBy(() -> TestLogConfigs.with(LogConfig.FLUSH_MESSAGES, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(LogConfig.FLUSH_MESSAGES);
        assertThatThrownBy(() -> TestLogConfigs.with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "NoTimestampType"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(LogConfig.MESSAGE_TIMESTAMP_TYPE);
        assertThatThrownBy(() -> TestLogConfigs.with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "Wallclock"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(LogConfig.MESSAGE_TIMESTAMP_TYPE);
        assertThatThrownBy(() -> TestLogConfigs.with(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "1.5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(LogConfig.MIN_CLEANABLE_DIRTY_RATIO);
    }

    @Test
    void deleteAloneDoesNotCompact() {
        assertThat(TestLogConfigs.defaults().compact()).isFalse();
        assertThat(TestLogConfigs.with(LogConfig.CLEANUP_POLICY, List.of("compact")).compact()).isTrue();
    }
}
