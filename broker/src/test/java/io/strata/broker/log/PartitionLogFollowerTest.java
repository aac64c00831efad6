package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static io.strata.broker.log.TestRecords.batch;
import static io.strata.broker.log.TestRecords.concat;
import static io.strata.broker.log.TestRecords.idempotent;
import static io.strata.broker.log.TestRecords.idempotentLeaderBatch;
import static io.strata.broker.log.TestRecords.leaderBatch;
import static io.strata.broker.log.TestRecords.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The partition log as replication uses it: follower appends, truncation and leader epochs. */
class PartitionLogFollowerTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);
    private static final long PID = 77;

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(TP);
    private final ManualTime time = logs.time();

    /** Every record up to the log end, as a follower's fetch sees it, with the epoch of its batch. */
    private static List<String> followerView(PartitionLog log) {
        List<String> seen = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            long before = offset;
            for (RecordBatch batch : log.read(offset, Integer.MAX_VALUE, true, FetchIsolation.LOG_END).records().batches()) {
                for (Record record : batch) {
                    byte[] value = new byte[record.valueSize()];
                    record.value().get(value);
                    seen.add(record.offset() + ":" + new String(value, StandardCharsets.UTF_8) + "@" + batch.partitionLeaderEpoch());
                    offset = record.offset() + 1;
                }
            }
            if (offset == before) {
                break;
            }
        }
        return seen;
    }

    @Test
    void followerAppendKeepsTheLeadersOffsetsTimestampsAndEpochs() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        log.appendAsFollower(concat(leaderBatch(0, 1, 100, "a", "b"), leaderBatch(2, 1, 300, "c")));
        log.appendAsFollower(leaderBatch(3, 2, 200, "d"));
        log.appendAsFollower(MemoryRecords.EMPTY);

        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(log.highWatermark()).isZero();
        assertThat(followerView(log)).containsExactly("0:a@1", "1:b@1", "2:c@1", "3:d@2");
        assertThat(log.maxTimestampOffset()).isEqualTo(TimestampOffset.UNKNOWN);
        log.updateHighWatermark(4);
        assertThat(log.maxTimestampOffset()).isEqualTo(new TimestampOffset(300, 2));
        assertThat(log.latestEpoch()).hasValue(2);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 4));
    }

    @Test
    void followerAppendRefusesBatchesBelowTheLogEndOrOutOfOrder() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        log.appendAsFollower(leaderBatch(0, 1, 1, "a", "b"));

        assertThatThrownBy(() -> log.appendAsFollower(leaderBatch(1, 1, 1, "overlap")))
                .isInstanceOf(OffsetOutOfRangeException.class).hasMessageContaining("below the log end offset 2");
        assertThatThrownBy(() -> log.appendAsFollower(concat(leaderBatch(2, 1, 1, "c", "d"), leaderBatch(3, 1, 1, "e"))))
                .isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isEqualTo(2);

        // Compaction leaves gaps in the leader's log: a batch after one is taken as it is.
        log.appendAsFollower(leaderBatch(5, 1, 1, "f"));
        assertThat(log.logEndOffset()).isEqualTo(6);
        assertThat(followerView(log)).containsExactly("0:a@1", "1:b@1", "5:f@1");
    }

    @Test
    void followerAppendRefusesACorruptBatchAndAppendsNothing() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        MemoryRecords good = leaderBatch(0, 1, 1, "good");
        MemoryRecords bad = leaderBatch(1, 1, 1, "bad");
        bad.buffer().put(bad.sizeInBytes() - 2, (byte) 'X');

        assertThatThrownBy(() -> log.appendAsFollower(concat(good, bad))).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.size()).isZero();
    }

    @Test
    void followerAppendDropsAPartialBatchAtTheEnd() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        MemoryRecords whole = leaderBatch(0, 1, 1, "whole");
        MemoryRecords both = concat(whole, leaderBatch(1, 1, 1, "cut short"));
        MemoryRecords cut = MemoryRecords.readableRecords(both.buffer().duplicate().limit(both.sizeInBytes() - 5));

        log.appendAsFollower(cut);
        assertThat(log.logEndOffset()).isEqualTo(1);
        assertThat(log.size()).isEqualTo(whole.sizeInBytes());
        log.appendAsFollower(leaderBatch(1, 1, 1, "next"));
        assertThat(followerView(log)).containsExactly("0:whole@1", "1:next@1");
    }

    @Test
    void followerAppendRollsSegmentsAndReplaysProducerState() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int seq = 0; seq < 6; seq++) {
            log.appendAsFollower(idempotentLeaderBatch(seq, 1, PID, seq, time.milliseconds(), payload(90, 'p')));
        }
        assertThat(log.segments()).hasSizeGreaterThan(2);
        assertThat(log.recoveryPoint()).isPositive();
        assertThat(log.producers().active().get(PID).lastSeq()).isEqualTo(5);

        // Promoted to leader, the log spots the producer's retry.
        log.updateHighWatermark(6);
        assertThat(log.append(idempotent(PID, (short) 0, 5, time.milliseconds(), payload(90, 'p')), 0).duplicate()).isTrue();
        assertThat(log.append(idempotent(PID, (short) 0, 6, time.milliseconds(), "next"), 0).firstOffset()).isEqualTo(6);
    }

    @Test
    void truncateToTheMiddleOfASegmentCutsItAndAppendsContinueThere() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        for (int i = 0; i < 5; i++) {
            log.append(batch(time.milliseconds(), "v" + i), i < 3 ? 1 : 2);
        }
        log.updateHighWatermark(5);
        log.flush();

        log.truncateTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(log.recoveryPoint()).isEqualTo(3);
        assertThat(log.latestEpoch()).hasValue(1);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
        assertThat(log.segments()).hasSize(1);
        log.truncateTo(3);
        log.truncateTo(10);
        assertThat(log.logEndOffset()).isEqualTo(3);

        assertThat(log.append(batch(time.milliseconds(), "w3"), 3).firstOffset()).isEqualTo(3);
        assertThat(followerView(log)).containsExactly("0:v0@1", "1:v1@1", "2:v2@1", "3:w3@3");
        log.close();

        PartitionLog reopened = logs.open(TestLogConfigs.defaults());
        assertThat(reopened.logEndOffset()).isEqualTo(4);
        assertThat(followerView(reopened)).containsExactly("0:v0@1", "1:v1@1", "2:v2@1", "3:w3@3");
        assertThat(reopened.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
    }

    @Test
    void truncateToAcrossSegmentsRetiresTheSegmentsAboveTheCut() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 10; i++) {
            log.append(batch(time.milliseconds(), payload(90, (char) ('a' + i))), 1);
        }
        log.updateHighWatermark(10);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).contains(2L, 4L, 6L, 8L);
        LogReadResult inFlight = log.read(8, Integer.MAX_VALUE, true, FetchIsolation.LOG_END);

        log.truncateTo(3);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 2L);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.highWatermark()).isEqualTo(3);
        assertThat(log.recoveryPoint()).isLessThanOrEqualTo(3);
        // The segments above the cut linger as *.deleted, so that a fetch holding a slice of them completes.
        assertThat(Files.exists(LogFiles.deletedFile(LogFiles.logFile(logs.dir(), 8)))).isTrue();
        assertThat(TestRecords.values(inFlight.records())).containsExactly(payload(90, 'i'), payload(90, 'j'));
        assertThatThrownBy(() -> log.read(5, 100, true, FetchIsolation.LOG_END)).isInstanceOf(OffsetOutOfRangeException.class);
        // Snapshots above the cut describe batches that are gone.
        assertThat(Files.exists(LogFiles.snapshotFile(logs.dir(), 8))).isFalse();

        assertThat(log.append(batch(time.milliseconds(), payload(90, 'x')), 2).firstOffset()).isEqualTo(3);
        log.append(batch(time.milliseconds(), payload(90, 'y')), 2);
        assertThat(log.logEndOffset()).isEqualTo(5);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 3));
        log.close();

        PartitionLog reopened = logs.open(TestLogConfigs.smallSegments());
        reopened.updateHighWatermark(5);
        assertThat(TestRecords.readValues(reopened)).containsExactly(payload(90, 'a'), payload(90, 'b'), payload(90, 'c'),
                payload(90, 'x'), payload(90, 'y'));
    }

    @Test
    void aBatchTruncatedAwayIsAppendedAgainNotTakenForARetry() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        long now = time.milliseconds();
        for (int seq = 0; seq < 6; seq++) {
            log.append(idempotent(PID, (short) 0, seq, now, payload(90, 'p')), 1);
        }
        log.truncateTo(4);
        assertThat(log.producers().active().get(PID).lastSeq()).isEqualTo(3);

        AppendResult again = log.append(idempotent(PID, (short) 0, 4, now, payload(90, 'p')), 2);
        assertThat(again.duplicate()).isFalse();
        assertThat(again.firstOffset()).isEqualTo(4);
        assertThat(log.append(idempotent(PID, (short) 0, 3, now, payload(90, 'p')), 2).duplicate()).isTrue();
        log.close();

        // The snapshots and batches after the cut agree on reopen: now it is a retry.
        PartitionLog reopened = logs.open(TestLogConfigs.smallSegments());
        AppendResult retry = reopened.append(idempotent(PID, (short) 0, 4, now, payload(90, 'p')), 2);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(4);
        assertThat(reopened.logEndOffset()).isEqualTo(5);
    }

    @Test
    void truncateFullyAndStartAtLeavesAnEmptyLogAtTheNewOffset() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int seq = 0; seq < 6; seq++) {
            log.append(idempotent(PID, (short) 0, seq, time.milliseconds(), payload(90, 'p')), 1);
        }
        log.updateHighWatermark(6);

        log.truncateFullyAndStartAt(100, null);
        assertThat(log.logStartOffset()).isEqualTo(100);
        assertThat(log.logEndOffset()).isEqualTo(100);
        assertThat(log.highWatermark()).isEqualTo(100);
        assertThat(log.recoveryPoint()).isEqualTo(100);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(100L);
        assertThat(log.latestEpoch()).isEmpty();
        assertThat(log.producers().active()).isEmpty();
        try (var files = Files.list(logs.dir())) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.endsWith(LogFiles.SNAPSHOT_SUFFIX));
        }
        assertThatThrownBy(() -> log.read(0, 100, true)).isInstanceOf(OffsetOutOfRangeException.class);

        log.appendAsFollower(idempotentLeaderBatch(100, 3, PID, 9, 1, "after"));
        assertThat(log.logEndOffset()).isEqualTo(101);
        log.close();

        PartitionLog reopened = logs.open(TestLogConfigs.smallSegments());
        assertThat(reopened.logStartOffset()).isEqualTo(100);
        assertThat(followerView(reopened)).containsExactly("100:after@3");
        assertThat(reopened.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 101));
    }

    @Test
    void truncateToBelowTheLogStartStartsAfresh() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 6; i++) {
            log.append(batch(time.milliseconds(), payload(90, 'a')), 1);
        }
        log.updateHighWatermark(6);
        log.deleteRecordsBefore(4);

        log.truncateTo(2);
        assertThat(log.logStartOffset()).isEqualTo(2);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(log.size()).isZero();
        assertThat(log.append(batch(time.milliseconds(), "b"), 2).firstOffset()).isEqualTo(2);
    }

    @Test
    void epochsAreCutToTheLogRecoveredAfterACrash() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        log.append(batch(time.milliseconds(), "a", "b"), 1);
        log.flush();
        log.append(batch(time.milliseconds(), "c"), 2);
        Path crashed = logs.copyOfDir();
        Path active = LogFiles.logFile(crashed, 0);
        try (FileChannel channel = FileChannel.open(active, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(active) - 10);
        }

        PartitionLog recovered = logs.open(crashed, TestLogConfigs.defaults());
        assertThat(recovered.loadSummary().cleanShutdown()).isFalse();
        assertThat(recovered.logEndOffset()).isEqualTo(2);
        assertThat(recovered.latestEpoch()).hasValue(1);
        assertThat(recovered.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 2));
        assertThat(recovered.endOffsetForEpoch(2)).isEqualTo(EpochEndOffset.UNDEFINED);
    }

    @Test
    void epochsAreRebuiltFromTheBatchesWithoutACheckpoint() throws Exception {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        log.append(batch(time.milliseconds(), payload(90, 'a')), -1);
        for (int i = 0; i < 6; i++) {
            log.append(batch(time.milliseconds(), payload(90, 'b')), i < 2 ? 3 : 5);
        }
        log.close();
        Path checkpoint = logs.dir().resolve(LogFiles.LEADER_EPOCH_CHECKPOINT_FILE);
        Files.delete(checkpoint);

        PartitionLog reopened = logs.open(TestLogConfigs.smallSegments());
        assertThat(reopened.latestEpoch()).hasValue(5);
        assertThat(reopened.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 3));
        assertThat(Files.readString(checkpoint)).isEqualTo("0\n2\n3 1\n5 3\n");
        reopened.close();

        Files.writeString(checkpoint, "0\n7\ngarbage\n");
        reopened = logs.open(TestLogConfigs.smallSegments());
        assertThat(reopened.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 3));
        assertThat(Files.readString(checkpoint)).isEqualTo("0\n2\n3 1\n5 3\n");
    }

    @Test
    void aNewLeaderRecordsItsEpochAtItsLogEnd() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        log.appendAsFollower(leaderBatch(0, 4, 1, "a", "b"));
        log.assignEpochStartOffset(6, log.logEndOffset());

        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 2));
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(4, 2));
        assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(6, 2));
        log.append(batch(time.milliseconds(), "c"), 6);
        assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(6, 3));
    }
}
