package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogFilesTest {

    private final Path dir = Path.of("/data/orders-3");

    @Test
    void namesSegmentFilesByTwentyDigitOffset() {
        assertThat(LogFiles.filenamePrefix(0)).isEqualTo("00000000000000000000");
        assertThat(LogFiles.filenamePrefix(Long.MAX_VALUE)).isEqualTo("09223372036854775807");
        assertThat(LogFiles.logFile(dir, 42)).isEqualTo(dir.resolve("00000000000000000042.log"));
        assertThat(LogFiles.offsetIndexFile(dir, 42)).isEqualTo(dir.resolve("00000000000000000042.index"));
        assertThat(LogFiles.timeIndexFile(dir, 42)).isEqualTo(dir.resolve("00000000000000000042.timeindex"));
        assertThat(LogFiles.transactionIndexFile(dir, 42)).isEqualTo(dir.resolve("00000000000000000042.txnindex"));
        assertThat(LogFiles.snapshotFile(dir, 42)).isEqualTo(dir.resolve("00000000000000000042.snapshot"));
        assertThat(LogFiles.deletedFile(LogFiles.logFile(dir, 42)))
                .isEqualTo(dir.resolve("00000000000000000042.log.deleted"));
    }

    @Test
    void parsesOffsetsBackFromNames() {
        assertThat(LogFiles.offsetFromFileName("00000000000000001234.log", LogFiles.LOG_SUFFIX)).isEqualTo(1234);
        assertThat(LogFiles.hasOffsetName("00000000000000001234.snapshot", LogFiles.SNAPSHOT_SUFFIX)).isTrue();
        assertThat(LogFiles.hasOffsetName("00000000000000001234.log.deleted", LogFiles.LOG_SUFFIX)).isFalse();
        assertThat(LogFiles.hasOffsetName("1234.log", LogFiles.LOG_SUFFIX)).isFalse();
        assertThat(LogFiles.isIndexFileName("00000000000000001234.txnindex")).isTrue();
        assertThat(LogFiles.isIndexFileName("00000000000000001234.txnindex.swap")).isFalse();
        assertThat(LogFiles.isIndexFileName("00000000000000001234.snapshot")).isFalse();
        assertThat(LogFiles.hasOffsetName("0000000000000000123x.log", LogFiles.LOG_SUFFIX)).isFalse();
        assertThatThrownBy(() -> LogFiles.offsetFromFileName("foo.index", LogFiles.INDEX_SUFFIX))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogFiles.filenamePrefix(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionDirectoryNameSplitsAtTheLastDash() {
        TopicPartition tp = new TopicPartition("my-topic-v2", 7);
        assertThat(LogFiles.partitionDirName(tp)).isEqualTo("my-topic-v2-7");
        assertThat(LogFiles.parsePartitionDirName("my-topic-v2-7")).isEqualTo(tp);
        assertThatThrownBy(() -> LogFiles.parsePartitionDirName("topic")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogFiles.parsePartitionDirName("topic-x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogFiles.parsePartitionDirName("topic-")).isInstanceOf(IllegalArgumentException.class);
    }
}
