package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.strata.broker.log.TestRecords.appendCommitted;
import static io.strata.broker.log.TestRecords.batch;
import static io.strata.broker.log.TestRecords.concat;
import static io.strata.broker.log.TestRecords.idempotent;
import static io.strata.broker.log.TestRecords.offsets;
import static io.strata.broker.log.TestRecords.payload;
import static io.strata.broker.log.TestRecords.readValues;
import static io.strata.broker.log.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionLogTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long PID = 77;

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(TP);
    private final ManualTime time = logs.time();

    @Test
    void appendAssignsOffsetsAndReadReturnsThem() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        long now = time.milliseconds();

        AppendResult first = appendCommitted(log, batch(now, "a", "b"));
        AppendResult second = appendCommitted(log, batch(now, "c"));

        assertThat(first).isEqualTo(new AppendResult(0, 1, RecordBatch.NO_TIMESTAMP, 0, false));
        assertThat(second).isEqualTo(new AppendResult(2, 2, RecordBatch.NO_TIMESTAMP, 0, false));
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
        LogReadResult read = log.read(0, 10_000, false);
        assertThat(values(read.records())).containsExactly("a", "b", "c");
        assertThat(offsets(read.records())).containsExactly(0L, 1L, 2L);
        assertThat(read.highWatermark()).isEqualTo(3);
        assertThat(read.logEndOffset()).isEqualTo(3);
        assertThat(read.logStartOffset()).isZero();
        assertThat(values(log.read(2, 10_000, false).records())).containsExactly("c");
        assertThat(log.read(3, 10_000, false).records().sizeInBytes()).isZero();
        assertThat(log.size()).isEqualTo(read.records().sizeInBytes());
    }

    @Test
    void appendMovesTheLogEndNotTheHighWatermark() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        log.append(batch(time.milliseconds(), "a", "b"), 3);

        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.highWatermark()).isZero();
        assertThat(log.read(0, 10_000, false).records().sizeInBytes()).isZero();
        assertThat(log.read(0, 10_000, false, FetchIsolation.HIGH_WATERMARK).highWatermark()).isZero();
        LogReadResult follower = log.read(0, 10_000, false, FetchIsolation.LOG_END);
        assertThat(values(follower.records())).containsExactly("a", "b");
        assertThat(follower.highWatermark()).isZero();
        assertThat(follower.logEndOffset()).isEqualTo(2);
        assertThat(log.latestEpoch()).hasValue(3);

        log.updateHighWatermark(1);
        assertThat(log.read(0, 10_000, false).records().sizeInBytes()).isZero();
        log.updateHighWatermark(2);
        assertThat(values(log.read(0, 10_000, false).records())).containsExactly("a", "b");
    }

    @Test
    void readOutsideTheLogIsOutOfRange() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        appendCommitted(log, batch(time.milliseconds(), "a"));
        assertThatThrownBy(() -> log.read(2, 100, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> log.read(-1, 100, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void multiBatchAppendGetsContiguousOffsetsAndLeaderEpoch() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        AppendResult result = appendCommitted(log, concat(batch(1, "a", "b"), batch(2, "c")), 7);
        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(2);
        List<Long> bases = new ArrayList<>();
        for (RecordBatch batch : log.read(0, 10_000, false).records().batches()) {
            bases.add(batch.baseOffset());
            assertThat(batch.partitionLeaderEpoch()).isEqualTo(7);
            assertThat(batch.isValid()).isTrue();
        }
        assertThat(bases).containsExactly(0L, 2L);
    }

    @Test
    void readsAcrossSegmentsAndAtSegmentBoundaries() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 10; i++) {
            appendCommitted(log, batch(time.milliseconds(), payload(40, (char) ('a' + i)), payload(40, (char) ('a' + i))));
        }
        List<LogSegment> segments = log.segments();
        assertThat(segments).hasSizeGreaterThan(3);

        for (long offset = 0; offset < 20; offset++) {
            RecordBatch first = log.read(offset, 1, true).records().batches().iterator().next();
            assertThat(first.baseOffset()).as("read at %d", offset).isEqualTo(offset - offset % 2);
        }
        for (LogSegment segment : segments) {
            LogReadResult read = log.read(segment.baseOffset(), Integer.MAX_VALUE, false);
            // One read never leaves the segment holding the fetch offset.
            assertThat(read.records().sizeInBytes()).isEqualTo(segment.size());
            assertThat(offsets(read.records()).get(0)).isEqualTo(segment.baseOffset());
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            expected.add(payload(40, (char) ('a' + i)));
            expected.add(payload(40, (char) ('a' + i)));
        }
        assertThat(readValues(log)).isEqualTo(expected);
    }

    @Test
    void maxBytesSmallerThanOneBatch() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        MemoryRecords big = batch(time.milliseconds(), payload(500, 'x'));
        int size = big.sizeInBytes();
        appendCommitted(log, big);
        appendCommitted(log, batch(time.milliseconds(), "y"));

        assertThat(log.read(0, 100, false).records().sizeInBytes()).isZero();
        LogReadResult whole = log.read(0, 100, true);
        assertThat(whole.records().sizeInBytes()).isEqualTo(size);
        assertThat(values(whole.records())).containsExactly(payload(500, 'x'));
        // Room for the first batch and part of the second: the cut batch is left for the client to skip.
        assertThat(values(log.read(0, size + 10, false).records())).containsExactly(payload(500, 'x'));
    }

    @Test
    void highWatermarkBoundsReads() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        appendCommitted(log, batch(100, "a"));
        appendCommitted(log, batch(200, "b"));
        appendCommitted(log, batch(300, "c"));

        assertThat(log.updateHighWatermark(1)).isEqualTo(1);
        assertThat(values(log.read(0, 10_000, false).records())).containsExactly("a");
        assertThat(log.read(1, 10_000, false).records().sizeInBytes()).isZero();
        assertThat(log.read(3, 10_000, false).records().sizeInBytes()).isZero();
        assertThat(log.offsetForTimestamp(150)).isEmpty();
        assertThat(log.maxTimestampOffset()).isEqualTo(TimestampOffset.UNKNOWN);

        assertThat(log.updateHighWatermark(100)).isEqualTo(3);
        assertThat(values(log.read(0, 10_000, false).records())).containsExactly("a", "b", "c");
    }

    @Test
    void rollsBySize() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 6; i++) {
            appendCommitted(log, batch(time.milliseconds(), payload(90, 'a')));
        }
        List<LogSegment> segments = log.segments();
        assertThat(segments).hasSize(3);
        assertThat(segments).allSatisfy(s -> assertThat(s.size()).isLessThanOrEqualTo(400));
        assertThat(segments.get(1).baseOffset()).isEqualTo(2);
        // Each roll made the finished segment durable and snapshotted producer state.
        assertThat(log.recoveryPoint()).isEqualTo(4);
        assertThat(Files.exists(LogFiles.snapshotFile(logs.dir(), 4))).isTrue();
        assertThat(Files.size(LogFiles.offsetIndexFile(logs.dir(), 0))).isLessThan(4096);
    }

    @Test
    void rollsByTime() {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.SEGMENT_MS, 1000));
        appendCommitted(log, batch(time.milliseconds(), "a"));
        time.advance(1000);
        appendCommitted(log, batch(time.milliseconds(), "b"));
        assertThat(log.segments()).hasSize(1);
        time.advance(1);
        appendCommitted(log, batch(time.milliseconds(), "c"));
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 2L);
    }

    @Test
    void findsOffsetsByTimestamp() {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.SEGMENT_BYTES, 150));
        appendCommitted(log, batch(100, "a", "b"));
        appendCommitted(log, batch(300, "c"));
        appendCommitted(log, batch(200, "d"));
        appendCommitted(log, MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(400, null, "e".getBytes()),
                new SimpleRecord(500, null, "f".getBytes()), new SimpleRecord(450, null, "g".getBytes())));
        assertThat(log.segments()).hasSizeGreaterThan(1);

        assertThat(log.offsetForTimestamp(50)).contains(new TimestampOffset(100, 0));
        assertThat(log.offsetForTimestamp(150)).contains(new TimestampOffset(300, 2));
        assertThat(log.offsetForTimestamp(300)).contains(new TimestampOffset(300, 2));
        assertThat(log.offsetForTimestamp(420)).contains(new TimestampOffset(500, 5));
        assertThat(log.offsetForTimestamp(501)).isEmpty();
        assertThat(log.maxTimestampOffset()).isEqualTo(new TimestampOffset(500, 5));
    }

    @Test
    void logAppendTimeReplacesTimestampsAndKeepsTheCrcValid() {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        AppendResult result = appendCommitted(log, batch(5, "a", "b"));
        long now = time.milliseconds();
        assertThat(result.logAppendTime()).isEqualTo(now);

        RecordBatch stored = log.read(0, 10_000, false).records().batches().iterator().next();
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(stored.maxTimestamp()).isEqualTo(now);
        assertThat(stored.isValid()).isTrue();
        for (Record record : stored) {
            assertThat(record.timestamp()).isEqualTo(now);
        }
        assertThat(log.offsetForTimestamp(now)).contains(new TimestampOffset(now, 0));
    }

    @Test
    void corruptBatchIsRejectedAndNothingAppended() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        appendCommitted(log, batch(1, "before"));
        MemoryRecords good = batch(1, "good");
        MemoryRecords bad = batch(1, "bad");
        bad.buffer().put(bad.sizeInBytes() - 3, (byte) 'X');
        long size = log.size();

        assertThatThrownBy(() -> appendCommitted(log, concat(good, bad))).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(log.size()).isEqualTo(size);
        MemoryRecords trailing = MemoryRecords.readableRecords(
                ByteBuffer.allocate(good.sizeInBytes() + 5).put(batch(1, "good").buffer()).position(0));
        assertThatThrownBy(() -> appendCommitted(log, trailing)).isInstanceOf(CorruptRecordException.class);
        assertThat(readValues(log)).containsExactly("before");
    }

    @Test
    void invalidBatchesAreRejected() {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.MAX_MESSAGE_BYTES, 200, LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, 1000,
                LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, 1000));
        long now = time.milliseconds();
        assertThatThrownBy(() -> appendCommitted(log, batch(now, payload(300, 'x')))).isInstanceOf(RecordTooLargeException.class);
        assertThatThrownBy(() -> appendCommitted(log, MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                TestRecords.simple(now, "old")))).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> appendCommitted(log, MemoryRecords.EMPTY)).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> appendCommitted(log, batch(now + 5000, "future"))).isInstanceOf(InvalidTimestampException.class);
        assertThatThrownBy(() -> appendCommitted(log, batch(now - 5000, "past"))).isInstanceOf(InvalidTimestampException.class);
        assertThatThrownBy(() -> appendCommitted(log, MemoryRecords.withEndTransactionMarker(now, PID, (short) 0,
                new EndTransactionMarker(ControlRecordType.COMMIT, 0)))).isInstanceOf(InvalidRecordException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(appendCommitted(log, batch(now + 1000, "ok")).firstOffset()).isZero();
    }

    @Test
    void compactedLogRefusesRecordsWithoutAKeyAndAppendsNothing() {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.CLEANUP_POLICY, List.of("compact", "delete")));
        long now = time.milliseconds();
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        MemoryRecords mixed = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(now, "k".getBytes(StandardCharsets.UTF_8), value), new SimpleRecord(now, null, value));

        assertThatThrownBy(() -> appendCommitted(log, mixed)).isInstanceOf(InvalidRecordException.class)
                .hasMessage("Compacted topic cannot accept message without key in topic partition " + TP + ".");
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.size()).isZero();
        assertThat(appendCommitted(log, MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(now, "k".getBytes(StandardCharsets.UTF_8), value))).firstOffset()).isZero();
    }

    @Test
    void duplicateIdempotentBatchReturnsTheOriginalOffsets() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        long now = time.milliseconds();
        appendCommitted(log, batch(now, "plain"));
        AppendResult original = appendCommitted(log, idempotent(PID, (short) 0, 0, now, "a", "b"));
        appendCommitted(log, batch(now, "x"));

        AppendResult retry = appendCommitted(log, idempotent(PID, (short) 0, 0, now, "a", "b"));
        assertThat(retry).isEqualTo(new AppendResult(1, 2, RecordBatch.NO_TIMESTAMP, 0, true));
        assertThat(original.duplicate()).isFalse();
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(readValues(log)).containsExactly("plain", "a", "b", "x");
    }

    @Test
    void aTopicWithACompressionTypeStoresRecompressedBatchesWithTheirAppendTimeAndKnowsTheirRetries() {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.COMPRESSION_TYPE, "lz4",
                LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        long now = time.milliseconds();
        appendCommitted(log, batch(now, "plain"));
        AppendResult original = appendCommitted(log, idempotent(PID, (short) 0, 0, now - 5, "a", "b"));
        AppendResult retry = appendCommitted(log, idempotent(PID, (short) 0, 0, now - 5, "a", "b"));

        assertThat(original).isEqualTo(new AppendResult(1, 2, now, 0, false));
        assertThat(retry).isEqualTo(new AppendResult(1, 2, now, 0, true));
        assertThat(log.logEndOffset()).isEqualTo(3);
        List<RecordBatch> stored = new ArrayList<>();
        log.read(0, 10_000, false).records().batches().forEach(stored::add);
        assertThat(stored).extracting(RecordBatch::compressionType).containsOnly(CompressionType.LZ4);
        assertThat(stored).extracting(RecordBatch::timestampType).containsOnly(TimestampType.LOG_APPEND_TIME);
        assertThat(stored).allMatch(RecordBatch::isValid);
        assertThat(stored.get(1).baseSequence()).isZero();
        assertThat(readValues(log)).containsExactly("plain", "a", "b");
    }

    @Test
    void sequenceGapAndOldEpochAreRejected() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        long now = time.milliseconds();
        appendCommitted(log, idempotent(PID, (short) 2, 0, now, "a"));
        assertThatThrownBy(() -> appendCommitted(log, idempotent(PID, (short) 2, 2, now, "gap")))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> appendCommitted(log, idempotent(PID, (short) 1, 1, now, "zombie")))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> appendCommitted(log, idempotent(PID, (short) 3, 1, now, "new epoch not at 0")))
                .isInstanceOf(OutOfOrderSequenceException.class);
        appendCommitted(log, idempotent(PID, (short) 2, 1, now, "b"));
        appendCommitted(log, idempotent(PID, (short) 3, 0, now, "c"));
        assertThat(readValues(log)).containsExactly("a", "b", "c");
    }

    @Test
    void producerStateSurvivesCloseAndReopen() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        long now = time.milliseconds();
        for (int seq = 0; seq < 5; seq++) {
            appendCommitted(log, idempotent(PID, (short) 0, seq, now, payload(60, 'p')));
        }
        log.close();

        PartitionLog reopened = logs.open(TestLogConfigs.smallSegments());
        assertThat(reopened.loadSummary().cleanShutdown()).isTrue();
        assertThat(appendCommitted(reopened, idempotent(PID, (short) 0, 4, now, payload(60, 'p'))))
                .isEqualTo(new AppendResult(4, 4, RecordBatch.NO_TIMESTAMP, 0, true));
        assertThat(appendCommitted(reopened, idempotent(PID, (short) 0, 3, now, payload(60, 'p'))).firstOffset()).isEqualTo(3);
        assertThatThrownBy(() -> appendCommitted(reopened, idempotent(PID, (short) 0, 6, now, "gap")))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(appendCommitted(reopened, idempotent(PID, (short) 0, 5, now, "next")).firstOffset()).isEqualTo(5);
    }

    @Test
    void deleteRecordsBeforeMovesTheStartDeletesSegmentsAndPersists() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 10; i++) {
            appendCommitted(log, batch(time.milliseconds(), payload(90, (char) ('a' + i))));
        }
        assertThatThrownBy(() -> log.deleteRecordsBefore(11)).isInstanceOf(OffsetOutOfRangeException.class);

        assertThat(log.deleteRecordsBefore(5)).isEqualTo(5);
        assertThat(log.logStartOffset()).isEqualTo(5);
        assertThat(log.segments().get(0).baseOffset()).isEqualTo(4);
        assertThat(log.deleteRecordsBefore(3)).isEqualTo(5);
        assertThatThrownBy(() -> log.read(4, 1000, true)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThat(log.read(5, 1000, true).logStartOffset()).isEqualTo(5);
        assertThat(appendCommitted(log, batch(time.milliseconds(), "z")).logStartOffset()).isEqualTo(5);

        // Removed segments linger as *.deleted for in-flight fetches, then go.
        assertThat(Files.exists(LogFiles.deletedFile(LogFiles.logFile(logs.dir(), 0)))).isTrue();
        time.advance(log.config().fileDeleteDelayMs());
        appendCommitted(log, batch(time.milliseconds(), "zz"));
        assertThat(Files.exists(LogFiles.deletedFile(LogFiles.logFile(logs.dir(), 0)))).isFalse();
        assertThat(Files.exists(LogFiles.logFile(logs.dir(), 0))).isFalse();
        log.close();

        PartitionLog reopened = logs.open(TestLogConfigs.smallSegments());
        assertThat(reopened.logStartOffset()).isEqualTo(5);
        assertThat(readValues(reopened).get(0)).isEqualTo(payload(90, 'f'));
    }

    @Test
    void deleteRecordsUpToTheLogEndKeepsTheActiveSegment() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 5; i++) {
            appendCommitted(log, batch(time.milliseconds(), payload(90, 'a')));
        }
        log.deleteRecordsBefore(5);
        assertThat(log.segments()).hasSize(1);
        assertThat(log.read(5, 1000, true).records().sizeInBytes()).isZero();
        assertThat(appendCommitted(log, batch(time.milliseconds(), "next")).firstOffset()).isEqualTo(5);
    }

    @Test
    void flushesEveryFlushMessagesRecords() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.with(LogConfig.FLUSH_MESSAGES, 3));
        appendCommitted(log, batch(time.milliseconds(), "a"));
        appendCommitted(log, batch(time.milliseconds(), "b"));
        assertThat(log.unflushedMessages()).isEqualTo(2);
        assertThat(log.recoveryPoint()).isZero();
        time.advance(10);
        appendCommitted(log, batch(time.milliseconds(), "c"));
        assertThat(log.unflushedMessages()).isZero();
        assertThat(log.recoveryPoint()).isEqualTo(3);
        assertThat(log.lastFlushTime()).isEqualTo(time.milliseconds());
        assertThat(new OffsetCheckpointFile(logs.dir().resolve(LogFiles.RECOVERY_POINT_FILE)).read()).hasValue(3);

        appendCommitted(log, batch(time.milliseconds(), "d"));
        log.flush();
        assertThat(log.recoveryPoint()).isEqualTo(4);
    }

    @Test
    void updateConfigAppliesToLaterAppends() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        appendCommitted(log, batch(time.milliseconds(), "a"));
        log.updateConfig(TestLogConfigs.with(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
        assertThat(appendCommitted(log, batch(1, "b")).logAppendTime()).isEqualTo(time.milliseconds());
    }

    @Test
    void closedLogRefusesWorkAndDeleteRemovesTheDirectory() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        appendCommitted(log, batch(time.milliseconds(), "a"));
        log.close();
        log.close();
        assertThat(Files.exists(logs.dir().resolve(LogFiles.CLEAN_SHUTDOWN_FILE))).isTrue();
        assertThatThrownBy(() -> appendCommitted(log, batch(time.milliseconds(), "b"))).isInstanceOf(KafkaStorageException.class);
        assertThatThrownBy(() -> log.read(0, 100, true)).isInstanceOf(KafkaStorageException.class);

        PartitionLog reopened = logs.open(TestLogConfigs.defaults());
        reopened.delete();
        assertThat(Files.exists(logs.dir())).isFalse();
    }

    @Test
    void readsRunConcurrentlyWithAppendsAndRolls() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        int batches = 200;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                long offset = 0;
                while (offset < batches) {
                    LogReadResult read = log.read(offset, 1000, true);
                    for (RecordBatch batch : read.records().batches()) {
                        if (batch.lastOffset() >= offset) {
                            assertThat(batch.baseOffset()).isEqualTo(offset);
                            batch.ensureValid();
                            offset = batch.nextOffset();
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        reader.start();
        for (int i = 0; i < batches; i++) {
            appendCommitted(log, batch(time.milliseconds(), payload(50, 'c')));
        }
        reader.join(10_000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
        assertThat(log.segments().size()).isGreaterThan(50);
        assertThat(log.logEndOffset()).isEqualTo(batches);
    }
}
