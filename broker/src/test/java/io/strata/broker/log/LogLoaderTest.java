package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.strata.broker.log.TestRecords.appendCommitted;
import static io.strata.broker.log.TestRecords.batch;
import static io.strata.broker.log.TestRecords.idempotent;
import static io.strata.broker.log.TestRecords.payload;
import static io.strata.broker.log.TestRecords.readValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LogLoader}: opening a log after a clean close, after a crash, and with damaged files. */
class LogLoaderTest {

    private static final TopicPartition TP = new TopicPartition("events", 2);
    private static final long PID = 1234;

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(TP);
    private final ManualTime time = logs.time();

    /** Two 150-byte batches per segment, an index entry per batch, small index files. */
    private final LogConfig config = TestLogConfigs.smallSegments();

    private PartitionLog open(Path dir) {
        return logs.open(dir, config);
    }

    private static String value(int i) {
        return payload(80, (char) ('a' + i % 26));
    }

    /** Writes {@code count} batches as {@link #logWithBatches} does, and closes the log cleanly. */
    private void closedLogWithBatches(int count) {
        logWithBatches(count).close();
    }

    /** The files of a log of {@code count} batches as a crash would leave them, in a copy of the directory. */
    private Path crashedLogWithBatches(int count) throws IOException {
        logWithBatches(count);
        return logs.copyOfDir();
    }

    private PartitionLog logWithBatches(int count) {
        PartitionLog log = open(logs.dir());
        for (int i = 0; i < count; i++) {
            appendCommitted(log, batch(time.milliseconds(), value(i)));
        }
        return log;
    }

    /** A log of {@code count} batches of producer {@link #PID} at epoch 1, sequences 0 on, all stamped {@code now}. */
    private PartitionLog logWithIdempotentBatches(int count, long now) {
        PartitionLog log = open(logs.dir());
        for (int seq = 0; seq < count; seq++) {
            appendCommitted(log, idempotent(PID, (short) 1, seq, now, value(seq)));
        }
        return log;
    }

    private static List<String> expectedValues(int count) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            values.add(value(i));
        }
        return values;
    }

    private static List<OffsetPosition> indexEntries(LogSegment segment) {
        List<OffsetPosition> entries = new ArrayList<>();
        for (int i = 0; i < segment.offsetIndex().entries(); i++) {
            entries.add(segment.offsetIndex().entry(i));
        }
        return entries;
    }

    @Test
    void emptyDirectoryStartsAtOffsetZero() {
        PartitionLog log = open(logs.dir());
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L);
        assertThat(Files.exists(LogFiles.logFile(logs.dir(), 0))).isTrue();
    }

    @Test
    void cleanReopenTrustsTheSegmentsAndRewritesNothing() throws Exception {
        closedLogWithBatches(9);
        Map<Path, byte[]> contents = new HashMap<>();
        Map<Path, FileTime> modified = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(logs.dir(), "*.log")) {
            for (Path file : files) {
                contents.put(file, Files.readAllBytes(file));
                modified.put(file, Files.getLastModifiedTime(file));
            }
        }
        assertThat(contents).hasSize(5);

        PartitionLog reopened = open(logs.dir());
        assertThat(reopened.loadSummary()).isEqualTo(new LoadSummary(true, 5, 0, 0, 0));
        assertThat(Files.exists(logs.dir().resolve(LogFiles.CLEAN_SHUTDOWN_FILE))).isFalse();
        assertThat(reopened.logEndOffset()).isEqualTo(9);
        assertThat(reopened.recoveryPoint()).isEqualTo(9);
        for (Map.Entry<Path, byte[]> file : contents.entrySet()) {
            assertThat(Files.readAllBytes(file.getKey())).isEqualTo(file.getValue());
            assertThat(Files.getLastModifiedTime(file.getKey())).isEqualTo(modified.get(file.getKey()));
        }
        assertThat(readValues(reopened)).isEqualTo(expectedValues(9));
        appendCommitted(reopened, batch(time.milliseconds(), value(9)));
        assertThat(readValues(reopened)).isEqualTo(expectedValues(10));
    }

    @Test
    void uncleanReopenRecoversOnlyFromTheRecoveryPoint() throws Exception {
        PartitionLog log = logWithBatches(9);
        Path crashed = logs.copyOfDir();

        PartitionLog recovered = open(crashed);
        LoadSummary summary = recovered.loadSummary();
        assertThat(summary.cleanShutdown()).isFalse();
        assertThat(summary.segmentsRecovered()).as("only the active segment is unflushed").isEqualTo(1);
        assertThat(summary.bytesTruncated()).isZero();
        assertThat(recovered.logEndOffset()).isEqualTo(9);
        assertThat(readValues(recovered)).isEqualTo(expectedValues(9));
        assertThat(log.logEndOffset()).isEqualTo(9);
    }

    @Test
    void loaderResumesACrashedLogAtItsRecoveryPointAndEnd() throws Exception {
        PartitionLog log = logWithBatches(9);
        Path crashed = logs.copyOfDir();
        long flushedUpTo = log.recoveryPoint();

        LogLoader.LoadedLog loaded = new LogLoader(crashed, TP, config, time, new ProducerStateManager(crashed, TP),
                new OffsetCheckpointFile(crashed.resolve(LogFiles.RECOVERY_POINT_FILE)),
                new OffsetCheckpointFile(crashed.resolve(LogFiles.LOG_START_OFFSET_FILE))).load();
        try {
            LogSegment active = loaded.segments().active();
            assertThat(loaded.logEndOffset()).isEqualTo(new OffsetMetadata(9, active.baseOffset(), active.size()));
            assertThat(loaded.recoveryPoint()).as("everything after the last fsync is unconfirmed")
                    .isEqualTo(flushedUpTo).isLessThan(9);
            assertThat(loaded.logStartOffset()).isZero();
            assertThat(loaded.segments().count()).isEqualTo(5);
            assertThat(loaded.summary()).isEqualTo(new LoadSummary(false, 5, 1, 0, 0));
        } finally {
            for (LogSegment segment : loaded.segments().all()) {
                segment.close();
            }
        }
    }

    @Test
    void tornLastBatchIsCutAndAppendsContinue() throws Exception {
        Path crashed = crashedLogWithBatches(5);
        Path active = LogFiles.logFile(crashed, 4);
        long size = Files.size(active);
        try (FileChannel channel = FileChannel.open(active, StandardOpenOption.WRITE)) {
            channel.truncate(size - 30);
        }

        PartitionLog recovered = open(crashed);
        assertThat(recovered.loadSummary().bytesTruncated()).isEqualTo(size - 30);
        assertThat(recovered.logEndOffset()).isEqualTo(4);
        assertThat(Files.size(active)).isZero();
        assertThat(appendCommitted(recovered, batch(time.milliseconds(), value(4))).firstOffset()).isEqualTo(4);
        assertThat(readValues(recovered)).isEqualTo(expectedValues(5));
    }

    @Test
    void garbageAfterTheLastBatchIsCut() throws Exception {
        Path crashed = crashedLogWithBatches(3);
        Path active = LogFiles.logFile(crashed, 2);
        long size = Files.size(active);
        byte[] garbage = new byte[100];
        Arrays.fill(garbage, (byte) 0x5a);
        Files.write(active, garbage, StandardOpenOption.APPEND);

        PartitionLog recovered = open(crashed);
        assertThat(recovered.loadSummary().bytesTruncated()).isEqualTo(100);
        assertThat(Files.size(active)).isEqualTo(size);
        assertThat(readValues(recovered)).isEqualTo(expectedValues(3));
    }

    @Test
    void corruptSegmentIsCutAndLaterSegmentsDropped() throws Exception {
        closedLogWithBatches(9);
        // Segment 2 holds offsets 2 and 3: damage offset 3's record, then forget that anything was flushed.
        Path segment = LogFiles.logFile(logs.dir(), 2);
        byte[] bytes = Files.readAllBytes(segment);
        int secondBatch = bytes.length / 2;
        bytes[secondBatch + 70] ^= 0x7f;
        Files.write(segment, bytes);
        Files.delete(logs.dir().resolve(LogFiles.CLEAN_SHUTDOWN_FILE));
        Files.delete(logs.dir().resolve(LogFiles.RECOVERY_POINT_FILE));

        PartitionLog recovered = open(logs.dir());
        LoadSummary summary = recovered.loadSummary();
        assertThat(summary.cleanShutdown()).isFalse();
        assertThat(summary.bytesTruncated()).isEqualTo(bytes.length - secondBatch);
        assertThat(summary.segmentsDropped()).isEqualTo(3);
        assertThat(recovered.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 2L);
        assertThat(recovered.logEndOffset()).isEqualTo(3);
        assertThat(Files.exists(LogFiles.logFile(logs.dir(), 4))).isFalse();
        assertThat(readValues(recovered)).isEqualTo(expectedValues(3));
    }

    @Test
    void deletedIndexIsRebuiltAfterACleanShutdown() throws Exception {
        PartitionLog log = logWithBatches(9);
        List<OffsetPosition> before = indexEntries(log.segments().get(1));
        assertThat(before).isNotEmpty();
        log.close();
        Files.delete(LogFiles.offsetIndexFile(logs.dir(), 2));
        Files.delete(LogFiles.timeIndexFile(logs.dir(), 4));

        PartitionLog reopened = open(logs.dir());
        assertThat(reopened.loadSummary().cleanShutdown()).isTrue();
        assertThat(reopened.loadSummary().segmentsRecovered()).isEqualTo(2);
        assertThat(indexEntries(reopened.segments().get(1))).isEqualTo(before);
        assertThat(reopened.segments().get(2).timeIndex().entries()).isPositive();
        assertThat(readValues(reopened)).isEqualTo(expectedValues(9));
        assertThat(reopened.offsetForTimestamp(time.milliseconds())).contains(new TimestampOffset(time.milliseconds(), 0));
    }

    @Test
    void zeroFilledIndexesAreRebuilt() throws Exception {
        PartitionLog log = logWithBatches(20);
        List<OffsetPosition> before = indexEntries(log.segments().get(0));
        log.close();
        Path index = LogFiles.offsetIndexFile(logs.dir(), 0);
        Path timeIndex = LogFiles.timeIndexFile(logs.dir(), 2);
        // A segment of two batches has one offset index entry; make the zero-filled file look like several.
        Files.write(index, new byte[4 * OffsetIndex.ENTRY_SIZE]);
        Files.write(timeIndex, new byte[3 * TimeIndex.ENTRY_SIZE]);

        PartitionLog reopened = open(logs.dir());
        assertThat(reopened.loadSummary().segmentsRecovered()).isEqualTo(2);
        assertThat(indexEntries(reopened.segments().get(0))).isEqualTo(before);
        assertThat(readValues(reopened)).isEqualTo(expectedValues(20));
    }

    @Test
    void indexPointingOutsideTheLogIsRebuilt() throws Exception {
        closedLogWithBatches(4);
        Path index = LogFiles.offsetIndexFile(logs.dir(), 0);
        ByteBuffer bogus = ByteBuffer.allocate(8).putInt(1).putInt(9999).flip();
        Files.write(index, bogus.array());

        PartitionLog reopened = open(logs.dir());
        assertThat(reopened.loadSummary().segmentsRecovered()).isEqualTo(1);
        assertThat(readValues(reopened)).isEqualTo(expectedValues(4));
    }

    @Test
    void producerStateSurvivesACrash() throws Exception {
        long now = time.milliseconds();
        logWithIdempotentBatches(7, now);
        Path crashed = logs.copyOfDir();
        // The latest snapshot predates the last batches, which must be replayed from the log.
        assertThat(new ProducerStateManager(crashed, TP).snapshotOffsets()).last().isEqualTo(6L);

        PartitionLog recovered = open(crashed);
        assertThat(recovered.loadSummary().cleanShutdown()).isFalse();
        assertThat(appendCommitted(recovered, idempotent(PID, (short) 1, 6, now, value(6))).duplicate()).isTrue();
        assertThat(appendCommitted(recovered, idempotent(PID, (short) 1, 5, now, value(5))).firstOffset()).isEqualTo(5);
        assertThatThrownBy(() -> appendCommitted(recovered, idempotent(PID, (short) 1, 8, now, "gap")))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(appendCommitted(recovered, idempotent(PID, (short) 1, 7, now, value(7))).firstOffset()).isEqualTo(7);
        assertThat(recovered.producers().active().get(PID).lastSeq()).isEqualTo(7);
    }

    @Test
    void producerStateIsRebuiltFromTheLogWhenSnapshotsAreCorrupt() throws Exception {
        long now = time.milliseconds();
        PartitionLog log = logWithIdempotentBatches(5, now);
        log.close();
        for (long offset : new ProducerStateManager(logs.dir(), TP).snapshotOffsets()) {
            Files.write(LogFiles.snapshotFile(logs.dir(), offset), new byte[] {1, 2, 3});
        }

        PartitionLog reopened = open(logs.dir());
        assertThat(appendCommitted(reopened, idempotent(PID, (short) 1, 4, now, value(4))).duplicate()).isTrue();
        assertThat(appendCommitted(reopened, idempotent(PID, (short) 1, 5, now, value(5))).firstOffset()).isEqualTo(5);
    }

    @Test
    void logStartOffsetSurvivesACrash() throws Exception {
        PartitionLog log = logWithBatches(9);
        log.deleteRecordsBefore(5);
        Path crashed = logs.copyOfDir();

        PartitionLog recovered = open(crashed);
        assertThat(recovered.logStartOffset()).isEqualTo(5);
        assertThat(recovered.segments().get(0).baseOffset()).isEqualTo(4);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(crashed, "*" + LogFiles.DELETED_SUFFIX)) {
            assertThat(leftovers).isEmpty();
        }
        assertThat(readValues(recovered)).isEqualTo(expectedValues(9).subList(5, 9));
    }

    @Test
    void leftoverFilesAreRemovedOnOpen() throws Exception {
        closedLogWithBatches(2);
        Files.write(logs.dir().resolve("00000000000000000077.index"), new byte[8]);
        Files.write(LogFiles.transactionIndexFile(logs.dir(), 77), new byte[TransactionIndex.ENTRY_SIZE]);
        Files.write(logs.dir().resolve("00000000000000000000.log.deleted"), new byte[8]);
        Files.write(logs.dir().resolve(LogFiles.RECOVERY_POINT_FILE + LogFiles.TMP_SUFFIX), new byte[3]);

        open(logs.dir());
        assertThat(Files.exists(logs.dir().resolve("00000000000000000077.index"))).isFalse();
        assertThat(LogFiles.transactionIndexFile(logs.dir(), 77)).doesNotExist();
        assertThat(Files.exists(logs.dir().resolve("00000000000000000000.log.deleted"))).isFalse();
        assertThat(Files.exists(logs.dir().resolve(LogFiles.RECOVERY_POINT_FILE + LogFiles.TMP_SUFFIX))).isFalse();
    }
}
