package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static io.strata.broker.log.TestRecords.batch;
import static org.assertj.core.api.Assertions.assertThat;

/** The one line a broker start logs for all its partition logs, from the summaries of real opens. */
class LoadTotalsTest {

    @TempDir
    Path root;
    private final ManualTime time = new ManualTime(1_700_000_000_000L);
    private final LogConfig config = TestLogConfigs.defaults();

    private LoadSummary openAndClose(Path dir, TopicPartition tp) {
        PartitionLog log = PartitionLog.open(dir, tp, config, time);
        LoadSummary summary = log.loadSummary();
        log.close();
        return summary;
    }

    /** A log with one batch whose files are copied while it is open, as a kill leaves them, plus {@code garbage} bytes. */
    private Path crashedLog(TopicPartition tp, int garbage) throws IOException {
        Path dir = root.resolve(LogFiles.partitionDirName(tp));
        PartitionLog log = PartitionLog.open(dir, tp, config, time);
        log.append(batch(time.milliseconds(), "value"), 0);
        Path crashed = root.resolve("crashed-" + LogFiles.partitionDirName(tp));
        Files.createDirectories(crashed);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                Files.copy(file, crashed.resolve(file.getFileName()));
            }
        }
        log.close();
        try (FileChannel channel = FileChannel.open(LogFiles.logFile(crashed, 0), StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.allocate(garbage));
        }
        return crashed;
    }

    @Test
    void addsUpNewCleanAndRecoveredLogs() throws Exception {
        TopicPartition fresh = new TopicPartition("fresh", 0);
        TopicPartition clean = new TopicPartition("clean", 0);
        TopicPartition crashed = new TopicPartition("crashed", 0);
        Path cleanDir = root.resolve(LogFiles.partitionDirName(clean));
        openAndClose(cleanDir, clean);
        Path crashedDir = crashedLog(crashed, 40);

        LoadTotals totals = new LoadTotals();
        LoadSummary freshSummary = openAndClose(root.resolve(LogFiles.partitionDirName(fresh)), fresh);
        totals.add(freshSummary);
        assertThat(freshSummary.newLog()).isTrue();
        assertThat(totals.anyExisting()).as("only a new log so far").isFalse();
        totals.add(openAndClose(cleanDir, clean));
        totals.add(openAndClose(crashedDir, crashed));

        assertThat(totals.logs()).isEqualTo(3);
        assertThat(totals.anyExisting()).isTrue();
        assertThat(totals.describe(12)).isEqualTo("Loaded 3 partition log(s) (1 new) in 12 ms: "
                + "1 needed recovery, 40 bytes truncated, 0 segments dropped");
    }
}
