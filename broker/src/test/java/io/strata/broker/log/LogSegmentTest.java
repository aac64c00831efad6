package io.strata.broker.log;

import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.strata.broker.log.TestRecords.batchAt;
import static io.strata.broker.log.TestRecords.offsets;
import static io.strata.broker.log.TestRecords.payload;
import static io.strata.broker.log.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogSegmentTest {

    private static final long BASE = 100;

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime(1_000_000);
    private LogConfig config = TestLogConfigs.with(LogConfig.INDEX_INTERVAL_BYTES, 100);
    private LogSegment segment;

    @BeforeEach
    void setUp() throws IOException {
        segment = LogSegment.create(dir, BASE, config, time);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (segment != null) {
            segment.close();
        }
    }

    /** Appends like PartitionLog does: largest offset and timestamp computed from the batches. */
    private static void append(LogSegment segment, MemoryRecords records) throws IOException {
        long largestOffset = -1;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long offsetOfMax = -1;
        for (RecordBatch batch : records.batches()) {
            largestOffset = batch.lastOffset();
            if (batch.maxTimestamp() > maxTimestamp) {
                maxTimestamp = batch.maxTimestamp();
                offsetOfMax = batch.lastOffset();
            }
        }
        segment.append(largestOffset, maxTimestamp, offsetOfMax, records);
    }

    @Test
    void readsFromTheBatchHoldingTheOffset() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        append(segment, batchAt(BASE + 2, 20, "c", "d", "e"));
        append(segment, batchAt(BASE + 5, 30, "f"));

        assertThat(offsets(segment.read(BASE, 10_000, segment.size(), false).records()))
                .containsExactly(100L, 101L, 102L, 103L, 104L, 105L);
        SegmentRead fromMiddle = segment.read(BASE + 3, 10_000, segment.size(), false);
        assertThat(values(fromMiddle.records())).containsExactly("c", "d", "e", "f");
        assertThat(fromMiddle.fetchOffsetMetadata().segmentBaseOffset()).isEqualTo(BASE);
        assertThat(fromMiddle.fetchOffsetMetadata().relativePosition()).isEqualTo(batchAt(BASE, 10, "a", "b").sizeInBytes());
        assertThat(segment.read(BASE + 6, 10_000, segment.size(), false)).isNull();
        assertThat(segment.readNextOffset()).isEqualTo(BASE + 6);
    }

    @Test
    void truncateToCutsTheBatchHoldingTheOffsetAndItsIndexEntries() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        append(segment, batchAt(BASE + 2, 30, payload(200, 'c'), "d"));
        append(segment, batchAt(BASE + 4, 20, payload(200, 'e')));
        int kept = batchAt(BASE, 10, "a", "b").sizeInBytes();
        int size = segment.size();
        assertThat(segment.offsetIndex().entries()).isPositive();

        assertThat(segment.truncateTo(BASE + 3)).isEqualTo(size - kept);
        assertThat(segment.size()).isEqualTo(kept);
        assertThat(segment.readNextOffset()).isEqualTo(BASE + 2);
        assertThat(segment.offsetIndex().lastEntry().offset()).isLessThan(BASE + 2);
        assertThat(segment.timeIndex().entries() == 0 || segment.timeIndex().lastEntry().offset() < BASE + 2).isTrue();
        assertThat(segment.maxTimestampSoFar()).isEqualTo(new TimestampOffset(10, BASE + 1));
        assertThat(segment.truncateTo(BASE + 2)).isZero();

        append(segment, batchAt(BASE + 2, 40, "f"));
        assertThat(values(segment.read(BASE, 10_000, segment.size(), false).records())).containsExactly("a", "b", "f");
        assertThat(segment.translateOffset(BASE + 2).position).isEqualTo(kept);
    }

    @Test
    void readStopsAtMaxPosition() throws IOException {
        MemoryRecords first = batchAt(BASE, 10, "a", "b");
        append(segment, first);
        append(segment, batchAt(BASE + 2, 20, "c"));

        SegmentRead read = segment.read(BASE, 10_000, first.sizeInBytes(), false);
        assertThat(values(read.records())).containsExactly("a", "b");
        assertThat(segment.read(BASE + 2, 10_000, first.sizeInBytes(), false).records().sizeInBytes()).isZero();
    }

    @Test
    void readSmallerThanOneBatch() throws IOException {
        MemoryRecords big = batchAt(BASE, 10, payload(500, 'x'));
        append(segment, big);
        append(segment, batchAt(BASE + 1, 10, "y"));

        SegmentRead cut = segment.read(BASE, 100, segment.size(), false);
        assertThat(cut.firstBatchIncomplete()).isTrue();
        assertThat(cut.records().sizeInBytes()).isEqualTo(100);
        assertThat(values(cut.records())).isEmpty();

        SegmentRead whole = segment.read(BASE, 100, segment.size(), true);
        assertThat(whole.firstBatchIncomplete()).isFalse();
        assertThat(whole.records().sizeInBytes()).isEqualTo(big.sizeInBytes());
        assertThat(values(whole.records())).containsExactly(payload(500, 'x'));

        assertThat(segment.read(BASE, 0, segment.size(), false).records().sizeInBytes()).isZero();
    }

    @Test
    void addsAnIndexEntryEveryIntervalAndRecoveryRebuildsTheSame() throws IOException {
        for (int i = 0; i < 20; i++) {
            append(segment, batchAt(BASE + i, 1000 + i, payload(60, 'a')));
        }
        int entries = segment.offsetIndex().entries();
        assertThat(entries).isGreaterThan(5);
        List<OffsetPosition> before = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            before.add(segment.offsetIndex().entry(i));
        }
        for (OffsetPosition entry : before) {
            FileRecords.LogOffsetPosition found = segment.translateOffset(entry.offset());
            assertThat(found.position).isEqualTo(entry.position());
        }

        assertThat(segment.recover()).isZero();
        List<OffsetPosition> after = new ArrayList<>();
        for (int i = 0; i < segment.offsetIndex().entries(); i++) {
            after.add(segment.offsetIndex().entry(i));
        }
        assertThat(after).isEqualTo(before);
        assertThat(segment.maxTimestampSoFar()).isEqualTo(new TimestampOffset(1019, BASE + 19));
        for (long offset = BASE; offset < BASE + 20; offset++) {
            assertThat(segment.read(offset, 1, segment.size(), true).records().batches().iterator().next().baseOffset())
                    .isEqualTo(offset);
        }
    }

    @Test
    void recoverCutsGarbageAndTornBatches() throws IOException {
        append(segment, batchAt(BASE, 10, "a"));
        append(segment, batchAt(BASE + 1, 10, "b"));
        int validSize = segment.size();
        segment.close();
        segment = null;

        Path logFile = LogFiles.logFile(dir, BASE);
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 40, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        }
        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.recover()).isEqualTo(21);
        assertThat(segment.size()).isEqualTo(validSize);
        segment.close();

        // Torn: half of the last batch reached the disk.
        try (FileChannel channel = FileChannel.open(logFile, StandardOpenOption.WRITE)) {
            channel.truncate(validSize - 10);
        }
        segment = LogSegment.open(dir, BASE, config, time);
        int truncated = segment.recover();
        assertThat(truncated).isEqualTo(batchAt(BASE + 1, 10, "b").sizeInBytes() - 10);
        assertThat(segment.readNextOffset()).isEqualTo(BASE + 1);
    }

    @Test
    void recoverStopsAtACorruptBatch() throws IOException {
        append(segment, batchAt(BASE, 10, "a"));
        int firstSize = segment.size();
        append(segment, batchAt(BASE + 1, 10, "b"));
        append(segment, batchAt(BASE + 2, 10, "c"));
        segment.close();
        segment = null;

        Path logFile = LogFiles.logFile(dir, BASE);
        byte[] bytes = Files.readAllBytes(logFile);
        bytes[firstSize + 65] ^= 0x55; // inside the second batch's record: its CRC no longer matches
        Files.write(logFile, bytes);

        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.recover()).isEqualTo(bytes.length - firstSize);
        assertThat(segment.readNextOffset()).isEqualTo(BASE + 1);
    }

    @Test
    void findsOffsetsByTimestamp() throws IOException {
        append(segment, batchAt(BASE, 100, "a", "b"));
        append(segment, batchAt(BASE + 2, 200, "c"));
        append(segment, batchAt(BASE + 3, 300, "d"));

        assertThat(segment.findOffsetByTimestamp(50, BASE)).contains(new TimestampOffset(100, BASE));
        assertThat(segment.findOffsetByTimestamp(150, BASE)).contains(new TimestampOffset(200, BASE + 2));
        assertThat(segment.findOffsetByTimestamp(300, BASE)).contains(new TimestampOffset(300, BASE + 3));
        assertThat(segment.findOffsetByTimestamp(301, BASE)).isEmpty();
        assertThat(segment.findOffsetByTimestamp(50, BASE + 1)).contains(new TimestampOffset(100, BASE + 1));
        assertThat(segment.maxTimestampSoFar()).isEqualTo(new TimestampOffset(300, BASE + 3));
        assertThat(segment.largestTimestamp()).isEqualTo(300);
    }

    @Test
    void rollsBySize() throws IOException {
        config = TestLogConfigs.with(LogConfig.SEGMENT_BYTES, 200);
        assertThat(segment.shouldRoll(config, 500, 10, BASE, time.milliseconds())).as("empty never rolls").isFalse();
        append(segment, batchAt(BASE, 10, payload(50, 'a')));
        int size = segment.size();
        assertThat(segment.shouldRoll(config, 200 - size, 10, BASE + 1, time.milliseconds())).isFalse();
        assertThat(segment.shouldRoll(config, 201 - size, 10, BASE + 1, time.milliseconds())).isTrue();
    }

    @Test
    void rollsByTimeFromTheFirstBatchTimestamp() throws IOException {
        config = TestLogConfigs.with(LogConfig.SEGMENT_MS, 1000);
        long t0 = time.milliseconds();
        append(segment, batchAt(BASE, t0, "a"));
        assertThat(segment.shouldRoll(config, 10, t0 + 1000, BASE + 1, t0 + 1000)).isFalse();
        assertThat(segment.shouldRoll(config, 10, t0 + 1001, BASE + 1, t0 + 1001)).isTrue();
    }

    @Test
    void rollsByTimeFromCreationWhenBatchesHaveNoTimestamp() throws IOException {
        config = TestLogConfigs.with(LogConfig.SEGMENT_MS, 1000);
        append(segment, batchAt(BASE, RecordBatch.NO_TIMESTAMP, "a"));
        time.advance(1000);
        assertThat(segment.shouldRoll(config, 10, RecordBatch.NO_TIMESTAMP, BASE + 1, time.milliseconds())).isFalse();
        time.advance(1);
        assertThat(segment.shouldRoll(config, 10, RecordBatch.NO_TIMESTAMP, BASE + 1, time.milliseconds())).isTrue();
    }

    @Test
    void rollsWhenAnIndexIsFullOrOffsetsOverflow() throws IOException {
        segment.close();
        for (Path file : List.of(LogFiles.logFile(dir, BASE), LogFiles.offsetIndexFile(dir, BASE),
                LogFiles.timeIndexFile(dir, BASE))) {
            Files.deleteIfExists(file);
        }
        config = TestLogConfigs.with(LogConfig.SEGMENT_INDEX_BYTES, 24, LogConfig.INDEX_INTERVAL_BYTES, 0);
        segment = LogSegment.create(dir, BASE, config, time);
        append(segment, batchAt(BASE, 10, "a"));
        assertThat(segment.shouldRoll(config, 10, 10, BASE + 1, time.milliseconds())).isFalse();
        append(segment, batchAt(BASE + 1, 11, "b"));
        append(segment, batchAt(BASE + 2, 12, "c"));
        assertThat(segment.timeIndex().isFull()).isTrue();
        assertThat(segment.shouldRoll(config, 10, 13, BASE + 3, time.milliseconds())).isTrue();
        assertThat(segment.shouldRoll(TestLogConfigs.defaults(), 10, 13, BASE + Integer.MAX_VALUE + 1L,
                time.milliseconds())).isTrue();
    }

    @Test
    void anUnwrittenSegmentHasNoIndexFilesAndAWrittenOneLeavesBoth() throws IOException {
        segment.close();
        assertThat(LogFiles.offsetIndexFile(dir, BASE)).doesNotExist();
        assertThat(LogFiles.timeIndexFile(dir, BASE)).doesNotExist();
        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.indexFilesWereMissing()).as("nothing to index").isFalse();

        append(segment, batchAt(BASE, 300, "a"));
        segment.close();
        assertThat(LogFiles.offsetIndexFile(dir, BASE)).exists().isEmptyFile();
        assertThat(LogFiles.timeIndexFile(dir, BASE)).exists();
        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.indexFilesWereMissing()).isFalse();
    }

    @Test
    void reopenAfterCloseKnowsItsLargestTimestampWithoutAScan() throws IOException {
        append(segment, batchAt(BASE, 300, "a"));
        append(segment, batchAt(BASE + 1, 100, "b"));
        segment.close();
        assertThat(Files.size(LogFiles.timeIndexFile(dir, BASE))).isEqualTo(TimeIndex.ENTRY_SIZE);

        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.indexFilesWereMissing()).isFalse();
        segment.sanityCheck();
        assertThat(segment.maxTimestampSoFar()).isEqualTo(new TimestampOffset(300, BASE));
        assertThat(segment.readNextOffset()).isEqualTo(BASE + 2);
    }

    @Test
    void markDeletedKeepsSlicesReadableUntilDelete() throws IOException {
        append(segment, batchAt(BASE, 10, "a"));
        AbortedTxn txn = new AbortedTxn(7, BASE - 5, BASE, BASE + 1);
        segment.txnIndex().append(txn);
        SegmentRead read = segment.read(BASE, 1000, segment.size(), false);
        segment.markDeleted();
        assertThat(Files.exists(LogFiles.logFile(dir, BASE))).isFalse();
        assertThat(Files.exists(LogFiles.deletedFile(LogFiles.logFile(dir, BASE)))).isTrue();
        assertThat(LogFiles.transactionIndexFile(dir, BASE)).doesNotExist();
        assertThat(LogFiles.deletedFile(LogFiles.transactionIndexFile(dir, BASE))).exists();
        assertThat(values(read.records())).containsExactly("a");
        assertThat(segment.read(BASE, 1000, segment.size(), false)).isNotNull();
        assertThat(segment.txnIndex().allAbortedTxns()).containsExactly(txn);

        segment.delete();
        segment = null;
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void truncateToDropsTheAbortedTransactionsEndingInTheCutTail() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        append(segment, batchAt(BASE + 2, 20, "c", "d"));
        append(segment, batchAt(BASE + 4, 30, "e", "f"));
        AbortedTxn kept = new AbortedTxn(7, BASE, BASE + 1, BASE + 2);
        segment.txnIndex().append(kept);
        segment.txnIndex().append(new AbortedTxn(8, BASE + 2, BASE + 3, BASE + 4));

        segment.truncateTo(BASE + 2);

        assertThat(segment.txnIndex().allAbortedTxns()).containsExactly(kept);
    }

    @Test
    void recoverEmptiesTheTransactionIndexForTheLogToRebuild() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        segment.txnIndex().append(new AbortedTxn(7, BASE, BASE + 1, BASE + 2));

        segment.recover();

        assertThat(segment.txnIndex().allAbortedTxns()).isEmpty();
        assertThat(LogFiles.transactionIndexFile(dir, BASE)).doesNotExist();
    }

    @Test
    void theTransactionIndexIsFlushedClosedAndReopenedWithTheSegment() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        assertThat(LogFiles.transactionIndexFile(dir, BASE)).as("created by the first abort only").doesNotExist();
        AbortedTxn txn = new AbortedTxn(7, BASE, BASE + 1, BASE + 2);
        segment.txnIndex().append(txn);
        segment.close();

        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.indexFilesWereMissing()).isFalse();
        segment.sanityCheck();
        assertThat(segment.txnIndex().allAbortedTxns()).containsExactly(txn);
    }

    @Test
    void aSegmentWithoutAbortsIsNotMissingATransactionIndex() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        segment.close();

        segment = LogSegment.open(dir, BASE, config, time);
        assertThat(segment.indexFilesWereMissing()).isFalse();
        assertThat(LogFiles.transactionIndexFile(dir, BASE)).doesNotExist();
    }

    @Test
    void sanityCheckCoversTheTransactionIndex() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        segment.txnIndex().append(new AbortedTxn(7, BASE, BASE + 1, BASE + 2));
        segment.close();
        Files.write(LogFiles.transactionIndexFile(dir, BASE), new byte[] {1}, StandardOpenOption.APPEND);

        segment = LogSegment.open(dir, BASE, config, time);
        assertThatThrownBy(segment::sanityCheck)
                .isInstanceOf(CorruptIndexException.class)
                .hasMessageContaining(LogFiles.transactionIndexFile(dir, BASE).toString());
    }

    @Test
    void aCompactedCopyTakesTheSegmentsPlaceWithItsTransactionIndex() throws IOException {
        append(segment, batchAt(BASE, 10, "a", "b"));
        segment.txnIndex().append(new AbortedTxn(7, BASE, BASE + 1, BASE + 2));
        LogSegment cleaned = LogSegment.createCleaned(dir, BASE, config, time);
        cleaned.log().append(batchAt(BASE, 10, "a", "b"));
        cleaned.recover();
        AbortedTxn txn = new AbortedTxn(8, BASE, BASE + 1, BASE + 2);
        cleaned.txnIndex().append(txn);
        assertThat(LogFiles.withSuffix(LogFiles.transactionIndexFile(dir, BASE), LogFiles.CLEANED_SUFFIX)).exists();

        cleaned.replaceOnDisk(segment, dir);

        assertThat(cleaned.txnIndex().file()).isEqualTo(LogFiles.transactionIndexFile(dir, BASE));
        assertThat(segment.txnIndex().file()).isEqualTo(LogFiles.deletedFile(LogFiles.transactionIndexFile(dir, BASE)));
        segment.delete();
        segment = cleaned;
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder(
                    "00000000000000000100.log", "00000000000000000100.index", "00000000000000000100.timeindex",
                    "00000000000000000100.txnindex");
        }
        assertThat(segment.txnIndex().allAbortedTxns()).containsExactly(txn);
    }

    @Test
    void createRemovesAStaleTransactionIndex() throws IOException {
        segment.close();
        Files.delete(LogFiles.logFile(dir, BASE));
        Files.write(LogFiles.transactionIndexFile(dir, BASE), new byte[TransactionIndex.ENTRY_SIZE]);

        segment = LogSegment.create(dir, BASE, config, time);

        assertThat(LogFiles.transactionIndexFile(dir, BASE)).doesNotExist();
        assertThat(segment.txnIndex().allAbortedTxns()).isEmpty();
    }
}
