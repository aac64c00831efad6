package io.strata.broker.compaction;

import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.LogConfig;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.ManualTime;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.ProducerStateEntry;
import io.strata.broker.log.TempDirLogs;
import io.strata.broker.log.TestLogConfigs;
import io.strata.broker.log.TransactionIndex;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.strata.broker.log.TestRecords.appendCommitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The cleaner against real partition logs with small segments, checked record by record against a model. */
class LogCleanerTest {

    private static final long PID = 501;

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(new TopicPartition("accounts", 0));
    private final ManualTime time = logs.time();
    private final LogCleaner cleaner = new LogCleaner(1 << 16, time, () -> false);
    private PartitionLog log;

    /** One stored record: offset, key, value (null for a tombstone). */
    private record Entry(long offset, String key, String value) {
    }

    private static LogConfig compacted(Object... overrides) {
        List<Object> keyValues = new ArrayList<>(List.of(LogConfig.CLEANUP_POLICY, List.of("compact", "delete"),
                LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0, LogConfig.DELETE_RETENTION_MS, 1000));
        keyValues.addAll(List.of(overrides));
        return TestLogConfigs.smallSegments(keyValues.toArray());
    }

    private PartitionLog open(LogConfig config) {
        log = logs.open(config);
        return log;
    }

    private static SimpleRecord record(long timestamp, String key, String value) {
        return new SimpleRecord(timestamp, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private long append(String key, String value) {
        return appendCommitted(log, MemoryRecords.withRecords(Compression.NONE, record(time.milliseconds(), key, value))).firstOffset();
    }

    private List<Entry> appendRandom(int count, int keys, long seed) {
        Random random = new Random(seed);
        List<Entry> appended = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "key-" + random.nextInt(keys);
            String value = random.nextInt(8) == 0 ? null : "value-" + i;
            appended.add(new Entry(append(key, value), key, value));
        }
        return appended;
    }

    private List<Entry> readAll() {
        List<Entry> entries = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.highWatermark()) {
            LogReadResult read = log.read(offset, Integer.MAX_VALUE, true);
            if (read.records().sizeInBytes() == 0) {
                break;
            }
            entries.addAll(entries(read.records()));
            offset = lastBatchEnd(read.records());
        }
        return entries;
    }

    private static long lastBatchEnd(Records records) {
        long end = -1;
        for (var batch : records.batches()) {
            end = batch.nextOffset();
        }
        return end;
    }

    private static List<Entry> entries(Records records) {
        List<Entry> entries = new ArrayList<>();
        for (Record record : records.records()) {
            entries.add(new Entry(record.offset(), StandardCharsets.UTF_8.decode(record.key()).toString(),
                    record.hasValue() ? StandardCharsets.UTF_8.decode(record.value()).toString() : null));
        }
        return entries;
    }

    /**
     * What a compacted log must hold: below {@code cleanedUpTo}, the latest record of each key (a
     * tombstone only if {@code tombstonesKept}); from it on, everything as appended.
     */
    private static List<Entry> model(List<Entry> appended, long cleanedUpTo, boolean tombstonesKept) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        for (Entry entry : appended) {
            if (entry.offset() < cleanedUpTo) {
                latest.put(entry.key(), entry);
            }
        }
        TreeMap<Long, Entry> expected = new TreeMap<>();
        latest.values().stream().filter(e -> tombstonesKept || e.value() != null).forEach(e -> expected.put(e.offset(), e));
        appended.stream().filter(e -> e.offset() >= cleanedUpTo).forEach(e -> expected.put(e.offset(), e));
        return new ArrayList<>(expected.values());
    }

    private long activeBaseOffset() {
        List<LogSegment> segments = log.segments();
        return segments.get(segments.size() - 1).baseOffset();
    }

    @Test
    void keepsTheLatestRecordPerKeyAtItsOffsetAndLeavesTheActiveSegmentAlone() throws Exception {
        open(compacted());
        List<Entry> appended = appendRandom(300, 12, 1);
        LogSegment active = log.segments().get(log.segments().size() - 1);
        int activeSize = active.size();
        long sizeBefore = log.size();

        LogCleaner.Result result = cleaner.clean(log);

        assertThat(result.cleaned()).isTrue();
        assertThat(result.mappedEnd()).isEqualTo(active.baseOffset());
        assertThat(readAll()).isEqualTo(model(appended, active.baseOffset(), true));
        assertThat(log.segments().get(log.segments().size() - 1)).isSameAs(active);
        assertThat(active.size()).isEqualTo(activeSize);
        assertThat(log.size()).isLessThan(sizeBefore / 3);
        assertThat(log.logEndOffset()).isEqualTo(300);
        assertThat(Files.exists(logs.dir().resolve(LogFiles.CLEANER_OFFSET_CHECKPOINT_FILE))).isTrue();

        // More overwrites: the next round compacts the new dirty part against the cleaned one.
        appended.addAll(appendRandom(200, 12, 2));
        cleaner.clean(log);
        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));

        // The result survives a restart.
        log.close();
        open(compacted());
        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));
    }

    @Test
    void tombstonesStayUntilDeleteRetentionHasPassedSinceTheirFirstCompaction() throws Exception {
        open(compacted());
        List<Entry> appended = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            appended.add(new Entry(append("k" + (i % 4), "v" + i), "k" + (i % 4), "v" + i));
        }
        appended.add(new Entry(append("k1", null), "k1", null));
        for (int i = 0; i < 12; i++) {
            appended.add(new Entry(append("other" + i, "x"), "other" + i, "x"));
        }
        long end = activeBaseOffset();
        assertThat(end).isGreaterThan(21);

        cleaner.clean(log);
        assertThat(readAll()).isEqualTo(model(appended, end, true));
        assertThat(readAll()).contains(new Entry(20, "k1", null));

        time.advance(999);
        assertThat(cleaner.clean(log).cleaned()).isFalse();
        assertThat(readAll()).contains(new Entry(20, "k1", null));

        time.advance(1);
        assertThat(cleaner.clean(log).cleaned()).isTrue();
        assertThat(readAll()).isEqualTo(model(appended, end, false));
        assertThat(readAll()).noneMatch(e -> e.key().equals("k1"));
    }

    @Test
    void minCompactionLagKeepsRecentSegmentsUncompacted() throws Exception {
        open(compacted(LogConfig.MIN_COMPACTION_LAG_MS, 10_000));
        List<Entry> appended = appendRandom(60, 3, 3);
        time.advance(5_000);
        long firstRecent = log.logEndOffset();
        appended.addAll(appendRandom(60, 3, 4));
        List<Entry> before = readAll();

        time.advance(5_001);
        LogCleaner.Result result = cleaner.clean(log);

        // Only segments whose newest record is older than 10 s were compacted.
        assertThat(result.cleaned()).isTrue();
        assertThat(result.mappedEnd()).isLessThanOrEqualTo(firstRecent);
        assertThat(readAll()).isEqualTo(model(appended, result.mappedEnd(), true));
        assertThat(readAll()).containsAll(before.stream().filter(e -> e.offset() >= firstRecent).toList());

        time.advance(10_000);
        cleaner.clean(log);
        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));
    }

    @Test
    void dirtyRatioBelowTheThresholdWaits() throws Exception {
        open(compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0.99));
        List<Entry> appended = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            appended.add(new Entry(append("k" + i, "v"), "k" + i, "v"));
        }
        assertThat(cleaner.clean(log).cleaned()).isTrue(); // all dirty: ratio 1
        long checkpointed = activeBaseOffset();

        for (int i = 0; i < 8; i++) {
            appended.add(new Entry(append("k" + i, "w"), "k" + i, "w"));
        }
        assertThat(activeBaseOffset()).isGreaterThan(checkpointed);
        List<Entry> before = readAll();
        LogCleaner.Result waiting = cleaner.clean(log);
        assertThat(waiting.cleaned()).isFalse();
        assertThat(waiting.firstDirtyOffset()).isEqualTo(checkpointed);
        assertThat(readAll()).isEqualTo(before);

        log.updateConfig(compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 0.01));
        assertThat(cleaner.clean(log).cleaned()).isTrue();
        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));
    }

    @Test
    void maxCompactionLagCompactsWhateverTheRatio() throws Exception {
        open(compacted(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, 1, LogConfig.MAX_COMPACTION_LAG_MS, 60_000));
        List<Entry> appended = appendRandom(60, 4, 5);
        assertThat(cleaner.clean(log).cleaned()).isFalse();
        time.advance(60_001);
        assertThat(cleaner.clean(log).cleaned()).isTrue();
        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));
    }

    @Test
    void aFullOffsetMapCompactsWhatItMappedAndContinuesNextRound() throws Exception {
        LogCleaner small = new LogCleaner(OffsetMap.BYTES_PER_ENTRY * 12L, time, () -> false);
        open(compacted());
        List<Entry> appended = appendRandom(200, 40, 6);
        long end = activeBaseOffset();

        LogCleaner.Result first = small.clean(log);
        assertThat(first.mappedEnd()).isLessThan(end);
        assertThat(readAll()).isSubsetOf(appended).containsAll(appended.stream().filter(e -> e.offset() >= first.mappedEnd()).toList());
        long mapped = first.mappedEnd();
        for (int round = 0; round < 100 && mapped < end; round++) {
            mapped = small.clean(log).mappedEnd();
        }
        assertThat(mapped).isEqualTo(end);
        // Every key's latest record survived; a record is gone only if a later one of its key exists.
        List<Entry> now = readAll();
        Map<String, Entry> latest = new LinkedHashMap<>();
        appended.forEach(e -> latest.put(e.key(), e));
        assertThat(now).containsAll(latest.values());
        assertThat(now).isSubsetOf(appended);
        cleaner.clean(log);
        assertThat(readAll()).isEqualTo(model(appended, end, true));
    }

    @Test
    void idempotentProducerStateSurvivesCompactionAndARebuildFromTheLog() throws Exception {
        open(compacted());
        for (int seq = 0; seq < 10; seq++) {
            appendCommitted(log, MemoryRecords.withIdempotentRecords(Compression.NONE, PID, (short) 2, seq,
                    record(time.milliseconds(), "k", "idem-" + seq)));
        }
        // Later records of the same key make every one of the producer's records obsolete.
        for (int i = 0; i < 20; i++) {
            append("k", "plain" + i);
        }
        Map<Long, ProducerStateEntry> producers = log.producers().active();
        cleaner.clean(log);
        assertThat(readAll()).as("segments %s", log.segments()).noneMatch(e -> e.value().startsWith("idem-"));
        assertThat(log.producers().active()).isEqualTo(producers);

        log.close();
        try (Stream<Path> files = Files.list(logs.dir())) {
            for (Path file : files.filter(f -> f.toString().endsWith(LogFiles.SNAPSHOT_SUFFIX)).toList()) {
                Files.delete(file);
            }
        }
        open(compacted());
        ProducerStateEntry rebuilt = log.producers().active().get(PID);
        assertThat(rebuilt.producerEpoch()).isEqualTo((short) 2);
        assertThat(rebuilt.lastSeq()).isEqualTo(9);
        assertThat(rebuilt.lastOffset()).isEqualTo(9);
        assertThat(appendCommitted(log, MemoryRecords.withIdempotentRecords(Compression.NONE, PID, (short) 2, 9,
                record(time.milliseconds(), "k", "idem-9"))).duplicate()).isTrue();
        assertThat(appendCommitted(log, MemoryRecords.withIdempotentRecords(Compression.NONE, PID, (short) 2, 10,
                record(time.milliseconds(), "k", "idem-10"))).firstOffset()).isEqualTo(30);
    }

    @Test
    void aFetchHoldingTheOldSegmentStillReadsItAfterTheSwap() throws Exception {
        open(compacted());
        List<Entry> appended = appendRandom(100, 3, 7);
        LogReadResult held = log.read(0, Integer.MAX_VALUE, true);
        List<Entry> heldEntries = entries(held.records());

        cleaner.clean(log);

        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));
        assertThat(entries(held.records())).isEqualTo(heldEntries);
    }

    @Test
    void aCrashBeforeTheSwapFileIsCompleteDiscardsTheCompactedCopy() throws Exception {
        open(compacted());
        List<Entry> appended = appendRandom(100, 5, 8);
        log.close();
        Path cleaned = LogFiles.withSuffix(LogFiles.logFile(logs.dir(), 0), LogFiles.CLEANED_SUFFIX);
        Files.write(cleaned, new byte[]{1, 2, 3});
        Path swapIndex = LogFiles.withSuffix(LogFiles.offsetIndexFile(logs.dir(), 0), LogFiles.SWAP_SUFFIX);
        Files.write(swapIndex, new byte[16]);
        Path swapTxnIndex = LogFiles.withSuffix(LogFiles.transactionIndexFile(logs.dir(), 0), LogFiles.SWAP_SUFFIX);
        Files.write(swapTxnIndex, new byte[TransactionIndex.ENTRY_SIZE]);

        open(compacted());

        assertThat(cleaned).doesNotExist();
        assertThat(swapIndex).doesNotExist();
        assertThat(swapTxnIndex).doesNotExist();
        assertThat(readAll()).isEqualTo(appended);
    }

    @Test
    void aCrashAfterTheSwapFileIsCompleteFinishesTheSwap() throws Exception {
        open(compacted());
        List<Entry> appended = appendRandom(150, 5, 9);
        log.close();
        // The compacted copy of the first segment, as the cleaner writes it, made on a copy of the log.
        Path copy = logs.copyOfDir();
        PartitionLog other = logs.open(copy, compacted());
        new LogCleaner(1 << 16, time, () -> false).clean(other);
        long end = other.segments().get(other.segments().size() - 1).baseOffset();
        other.close();
        long second = secondSegmentBase(logs.dir());
        // Crash after the old segment went to .deleted but before the swap got its final name.
        Files.copy(LogFiles.logFile(copy, 0), LogFiles.withSuffix(LogFiles.logFile(logs.dir(), 0), LogFiles.SWAP_SUFFIX));
        Files.move(LogFiles.logFile(logs.dir(), 0), LogFiles.deletedFile(LogFiles.logFile(logs.dir(), 0)));
        Files.delete(logs.dir().resolve(LogFiles.CLEAN_SHUTDOWN_FILE));

        open(compacted());

        List<Entry> expected = new ArrayList<>(model(appended, end, true).stream().filter(e -> e.offset() < second).toList());
        expected.addAll(appended.stream().filter(e -> e.offset() >= second).toList());
        assertThat(readAll()).isEqualTo(expected);
        assertThat(LogFiles.withSuffix(LogFiles.logFile(logs.dir(), 0), LogFiles.SWAP_SUFFIX)).doesNotExist();

        // Next compaction carries on from there.
        cleaner.clean(log);
        assertThat(readAll()).isEqualTo(model(appended, activeBaseOffset(), true));
    }

    @Test
    void theRecordsOfAbortedTransactionsAreDroppedAndTheMarkersKept() throws Exception {
        open(compacted());
        long now = time.milliseconds();
        // An aborted transaction and a committed one, both on keys no later record replaces.
        long abortedStart = appendCommitted(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID,
                (short) 0, 0, record(now, "aborted-1", "gone"), record(now, "aborted-2", "gone"))).firstOffset();
        appendCommitted(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID + 1, (short) 0, 0,
                record(now, "committed", "kept")));
        long abortMarker = log.appendMarker(PID, (short) 0, new EndTransactionMarker(ControlRecordType.ABORT, 0),
                RecordBatch.NO_PARTITION_LEADER_EPOCH).firstOffset();
        log.appendMarker(PID + 1, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0),
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        appendRandom(100, 3, 12);
        assertThat(log.abortedTransactions(0, log.logEndOffset()))
                .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset, AbortedTxn::lastOffset)
                .containsExactly(tuple(PID, abortedStart, abortMarker));

        LogCleaner.Result result = cleaner.clean(log);

        assertThat(result.segmentsRewritten()).isPositive();
        List<RecordBatch> batches = batches();
        assertThat(batches).noneMatch(batch -> batch.hasProducerId() && batch.producerId() == PID
                && !batch.isControlBatch() && batch.iterator().hasNext());
        assertThat(batches).filteredOn(RecordBatch::isControlBatch).hasSize(2);
        assertThat(readAll()).extracting(Entry::value).contains("kept").doesNotContain("gone");
        // The index still names the transaction: a read_committed reader of what is left needs nothing more.
        assertThat(log.abortedTransactions(0, log.logEndOffset())).hasSize(1);
    }

    /** Appends a transaction of {@code producerId}'s with one record per key-value pair, and its marker. */
    private long transaction(long producerId, int sequence, ControlRecordType end, String... keyValues) {
        List<SimpleRecord> records = new ArrayList<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            records.add(record(time.milliseconds(), keyValues[i], keyValues[i + 1]));
        }
        appendCommitted(log, MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence,
                records.toArray(SimpleRecord[]::new)));
        long marker = log.appendMarker(producerId, (short) 0, new EndTransactionMarker(end, 0),
                RecordBatch.NO_PARTITION_LEADER_EPOCH).firstOffset();
        log.updateHighWatermark(log.logEndOffset());
        return marker;
    }

    /** The batches the log holds now, in offset order. */
    private List<RecordBatch> batches() {
        List<RecordBatch> batches = new ArrayList<>();
        log.segments().forEach(segment -> segment.log().batches().forEach(batches::add));
        return batches;
    }

    /** The batch at {@code offset}, if the log still holds one there. */
    private Optional<RecordBatch> batchAt(long offset) {
        return batches().stream().filter(batch -> batch.baseOffset() == offset).findFirst();
    }

    @Test
    void anAbortMarkerAndItsIndexEntryGoOnceItsRecordsAreGoneAndItsHorizonHasPassed() throws Exception {
        open(compacted());
        long abortMarker = transaction(PID, 0, ControlRecordType.ABORT, "aborted-1", "gone", "aborted-2", "gone");
        appendRandom(100, 3, 12);
        // The producer goes on writing: its aborted batch is not the last it wrote, which would stay as a header.
        transaction(PID, 2, ControlRecordType.COMMIT, "later", "kept");
        long start = time.milliseconds();

        cleaner.clean(log);
        assertThat(readAll()).extracting(Entry::value).doesNotContain("gone");
        assertThat(batchAt(abortMarker)).as("the pass that dropped its records keeps the marker")
                .hasValueSatisfying(batch -> assertThat(batch.isControlBatch()).isTrue());
        assertThat(log.abortedTransactions(0, log.logEndOffset())).extracting(AbortedTxn::lastOffset)
                .containsExactly(abortMarker);

        LogCleaner.Result second = cleaner.clean(log);
        assertThat(second.cleaned()).as("due at once, for the marker").isTrue();
        assertThat(batchAt(abortMarker).orElseThrow().deleteHorizonMs()).hasValue(start + 1000);
        assertThat(log.abortedTransactions(0, log.logEndOffset())).as("no record left for readers to skip").isEmpty();
        assertThat(log.segments().get(0).txnIndex().allAbortedTxns()).isEmpty();

        time.sleep(999);
        assertThat(cleaner.clean(log).cleaned()).as("before its horizon").isFalse();
        time.sleep(1);
        assertThat(cleaner.clean(log).cleaned()).isTrue();
        assertThat(batchAt(abortMarker)).isEmpty();

        log.close();
        open(compacted());
        assertThat(batchAt(abortMarker)).isEmpty();
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEmpty();
        assertThat(readAll()).extracting(Entry::value).contains("kept").doesNotContain("gone");
    }

    @Test
    void theLastMarkerOfAProducerKnownOnlyByItStaysAsAnEmptyBatchAndAsksForNoMoreCompaction() throws Exception {
        open(compacted());
        appendCommitted(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, (short) 0, 0,
                record(time.milliseconds(), "timed-out", "gone")));
        // Its coordinator aborted it after its timeout, bumping the epoch: the producer is known by this marker alone.
        long abortMarker = log.appendMarker(PID, (short) 1, new EndTransactionMarker(ControlRecordType.ABORT, 0),
                RecordBatch.NO_PARTITION_LEADER_EPOCH).firstOffset();
        appendRandom(100, 3, 17);

        cleaner.clean(log);
        cleaner.clean(log);
        time.sleep(1000);
        assertThat(cleaner.clean(log).cleaned()).isTrue();
        RecordBatch kept = batchAt(abortMarker).orElseThrow();
        assertThat(kept.isControlBatch()).isTrue();
        assertThat(kept.countOrNull()).as("emptied, kept for the producer's epoch").isZero();

        for (int i = 0; i < 20; i++) {
            append("key-" + (i % 3), "value-" + i);   // no tombstone, whose horizon would make it due again
        }
        assertThat(cleaner.clean(log).cleaned()).as("due for the new records").isTrue();
        time.sleep(10_000);
        assertThat(cleaner.clean(log).cleaned()).as("the empty marker has no horizon to wait for").isFalse();
    }

    @Test
    void committedTransactionalRecordsAreCompactedAndTheirMarkerGoesOnceNoneIsLeft() throws Exception {
        open(compacted());
        long firstCommit = transaction(PID, 0, ControlRecordType.COMMIT, "k", "v1");
        long secondCommit = transaction(PID, 1, ControlRecordType.COMMIT, "k", "v2");
        appendRandom(100, 3, 13);
        transaction(PID, 2, ControlRecordType.COMMIT, "last", "x");

        cleaner.clean(log);
        assertThat(readAll()).as("a committed transaction's record replaces the older value of its key")
                .extracting(Entry::key, Entry::value).contains(tuple("k", "v2")).doesNotContain(tuple("k", "v1"));
        assertThat(batchAt(firstCommit)).as("kept by the pass that dropped its record").isPresent();

        appendRandom(20, 3, 14);   // dirty again: the next pass is due
        cleaner.clean(log);
        assertThat(batchAt(firstCommit).orElseThrow().deleteHorizonMs()).isPresent();
        assertThat(batchAt(secondCommit).orElseThrow().deleteHorizonMs()).as("its record is still there").isEmpty();

        time.sleep(1000);
        cleaner.clean(log);
        assertThat(batchAt(firstCommit)).isEmpty();
        assertThat(batchAt(secondCommit)).isPresent();
        assertThat(readAll()).extracting(Entry::key, Entry::value).contains(tuple("k", "v2"));
    }

    @Test
    void nothingFromAnOpenTransactionOnIsCompacted() throws Exception {
        open(compacted());
        appendRandom(30, 3, 15);
        long open = appendCommitted(log, MemoryRecords.withTransactionalRecords(Compression.NONE, PID, (short) 0, 0,
                record(time.milliseconds(), "key-0", "pending"))).firstOffset();
        appendRandom(100, 3, 16);
        assertThat(log.lastStableOffset()).isEqualTo(open);

        LogCleaner.Result result = cleaner.clean(log);

        assertThat(result.mappedEnd()).as("its record may yet be aborted, and must not replace another")
                .isLessThanOrEqualTo(open);
        assertThat(readAll()).extracting(Entry::value).contains("pending");
    }

    private static long secondSegmentBase(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> LogFiles.hasOffsetName(n, LogFiles.LOG_SUFFIX))
                    .mapToLong(n -> LogFiles.offsetFromFileName(n, LogFiles.LOG_SUFFIX))
                    .sorted().skip(1).findFirst().orElseThrow();
        }
    }
}
