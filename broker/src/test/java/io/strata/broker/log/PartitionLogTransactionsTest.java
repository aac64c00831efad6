package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.strata.broker.log.TestRecords.appendCommitted;
import static io.strata.broker.log.TestRecords.batch;
import static io.strata.broker.log.TestRecords.transactional;
import static io.strata.broker.log.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Transactions in one partition's log on real files: the last stable offset stops read_committed reads at the
 * oldest open transaction, markers end transactions, aborts are listed for the reader and kept in the segments'
 * transaction indexes, across a clean restart and a crash.
 */
class PartitionLogTransactionsTest {

    private static final TopicPartition TP = new TopicPartition("payments", 0);
    private static final long PID = 500;
    private static final short EPOCH = 2;

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(TP);

    private static EndTransactionMarker marker(ControlRecordType type) {
        return new EndTransactionMarker(type, 1);
    }

    private static LogReadResult readCommitted(PartitionLog log, long offset) {
        return log.read(offset, 1 << 20, true, FetchIsolation.TXN_COMMITTED);
    }

    /** Offsets 0-1 plain, 2-3 the open transaction, 4 plain. */
    private static PartitionLog withOpenTransaction(PartitionLog log) {
        appendCommitted(log, batch(1, "a", "b"));
        appendCommitted(log, transactional(PID, EPOCH, 0, 2));
        appendCommitted(log, batch(1, "c"));
        return log;
    }

    @Test
    void readCommittedStopsBeforeAnOpenTransactionUntilItsCommit() {
        PartitionLog log = withOpenTransaction(logs.open(TestLogConfigs.defaults()));
        assertThat(log.highWatermark()).isEqualTo(5);
        assertThat(log.lastStableOffset()).isEqualTo(2);

        LogReadResult committed = readCommitted(log, 0);
        assertThat(values(committed.records())).containsExactly("a", "b");
        assertThat(committed.lastStableOffset()).isEqualTo(2);
        assertThat(values(log.read(0, 1 << 20, true).records())).as("read_uncommitted sees it all")
                .containsExactly("a", "b", "t", "t", "c");

        AppendResult commit = log.appendMarker(PID, EPOCH, marker(ControlRecordType.COMMIT), 0);
        assertThat(commit.firstOffset()).isEqualTo(5);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.lastStableOffset()).isEqualTo(6);
        LogReadResult after = readCommitted(log, 0);
        assertThat(values(after.records())).containsExactly("a", "b", "t", "t", "c");
        assertThat(after.abortedTxns()).isEmpty();
    }

    @Test
    void anAbortedTransactionIsListedForTheReaderAndSurvivesARestart() {
        PartitionLog log = withOpenTransaction(logs.open(TestLogConfigs.defaults()));
        log.appendMarker(PID, EPOCH, marker(ControlRecordType.ABORT), 0);
        log.updateHighWatermark(log.logEndOffset());
        AbortedTxn aborted = new AbortedTxn(PID, 2, 5, 6);

        assertThat(log.lastStableOffset()).isEqualTo(6);
        assertThat(readCommitted(log, 0).abortedTxns()).containsExactly(aborted);
        assertThat(readCommitted(log, 5).abortedTxns()).as("the marker itself is read from 5")
                .containsExactly(aborted);
        assertThat(log.read(0, 1 << 20, true).abortedTxns()).as("only read_committed reads list them").isEmpty();

        log.close();
        PartitionLog reopened = logs.open(TestLogConfigs.defaults());
        reopened.updateHighWatermark(reopened.logEndOffset());
        assertThat(readCommitted(reopened, 0).abortedTxns()).containsExactly(aborted);
        assertThat(reopened.lastStableOffset()).isEqualTo(6);
    }

    @Test
    void anAbortMarkedPastTheLastStableOffsetStillHidesTheRecordsBeforeIt() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        appendCommitted(log, transactional(PID, EPOCH, 0, 2));                     // 0-1, to be aborted
        appendCommitted(log, transactional(PID + 1, EPOCH, 0, 1));                 // 2, left open
        while (log.segments().size() < 3) {
            appendCommitted(log, batch(1, TestRecords.payload(200, 'p')));
        }
        log.appendMarker(PID, EPOCH, marker(ControlRecordType.ABORT), 0);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.lastStableOffset()).isEqualTo(2);

        LogReadResult read = readCommitted(log, 0);
        assertThat(values(read.records())).containsExactly("t", "t");
        assertThat(read.abortedTxns()).as("the abort sits in a later segment, past the last stable offset")
                .singleElement().satisfies(txn -> assertThat(txn.producerId()).isEqualTo(PID));
    }

    @Test
    void anOpenTransactionAndAnAbortAreRebuiltAfterACrash() throws Exception {
        PartitionLog log = withOpenTransaction(logs.open(TestLogConfigs.defaults()));
        log.appendMarker(PID, EPOCH, marker(ControlRecordType.ABORT), 0);          // offset 5
        appendCommitted(log, transactional(PID + 1, EPOCH, 0, 1));                 // offset 6, left open
        // What the disk holds if the process died now: no clean-shutdown marker, and no transaction index, as if
        // its last write was lost.
        Path crashed = logs.copyOfDir();
        try (var files = Files.list(crashed)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".txnindex")).toList()) {
                Files.delete(file);
            }
        }

        PartitionLog recovered = logs.open(crashed, TestLogConfigs.defaults());
        recovered.updateHighWatermark(recovered.logEndOffset());
        assertThat(recovered.loadSummary().segmentsRecovered()).isPositive();
        assertThat(recovered.lastStableOffset()).as("the transaction left open").isEqualTo(6);
        assertThat(readCommitted(recovered, 0).abortedTxns()).containsExactly(new AbortedTxn(PID, 2, 5, 6));
    }

    @Test
    void aFollowerTracksTheLeadersTransactions() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        log.appendAsFollower(MemoryRecords.withTransactionalRecords(0L, org.apache.kafka.common.compress.Compression.NONE,
                PID, EPOCH, 0, 3, TestRecords.simple(1, "x", "y")));
        log.appendAsFollower(MemoryRecords.withEndTransactionMarker(2L, 5L, 3, PID, EPOCH,
                marker(ControlRecordType.ABORT)));
        log.updateHighWatermark(log.logEndOffset());

        assertThat(log.lastStableOffset()).isEqualTo(3);
        assertThat(readCommitted(log, 0).abortedTxns()).containsExactly(new AbortedTxn(PID, 0, 2, 3));
    }

    @Test
    void aClientMayNotWriteAMarker() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        MemoryRecords forged = MemoryRecords.withEndTransactionMarker(0L, 1L, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                PID, EPOCH, marker(ControlRecordType.COMMIT));
        assertThatThrownBy(() -> log.append(forged, 0)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("control batch");
    }

    /**
     * KIP-890's race: a verification answered after the coordinator aborted the transaction must not open a new
     * one. The abort marker retires the guard the verification started with, so the late append is refused.
     */
    @Test
    void aVerifiedProduceOpensATransactionOnlyWithTheGuardStillStanding() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        assertThatThrownBy(() -> log.append(transactional(PID, EPOCH, 0, 1), 0, VerificationGuard.NONE))
                .as("never verified").isInstanceOf(InvalidTxnStateException.class);

        VerificationGuard first = log.producers().startVerification(PID, 0, EPOCH);
        assertThat(log.producers().startVerification(PID, 1, EPOCH)).as("the verification under way").isSameAs(first);
        log.append(transactional(PID, EPOCH, 0, 1), 0, first);
        assertThat(log.producers().startVerification(PID, 1, EPOCH)).as("the transaction is open here")
                .isSameAs(VerificationGuard.NONE);
        log.append(transactional(PID, EPOCH, 1, 1), 0, VerificationGuard.NONE);

        log.appendMarker(PID, EPOCH, marker(ControlRecordType.ABORT), 0);
        VerificationGuard late = log.producers().startVerification(PID, 2, EPOCH);
        log.appendMarker(PID, EPOCH, marker(ControlRecordType.ABORT), 0);
        long end = log.logEndOffset();
        assertThatThrownBy(() -> log.append(transactional(PID, EPOCH, 2, 1), 0, late))
                .as("the guard the second marker retired").isInstanceOf(InvalidTxnStateException.class);
        assertThat(log.logEndOffset()).isEqualTo(end);
    }

    /**
     * A producer pipelines its batches: when the first batch of a transaction fails its verification with a
     * retriable error, a later one verified meanwhile must not be appended before it, or the first could never
     * follow. The lowest sequence awaiting verification holds the later ones back until it is in.
     */
    @Test
    void aLaterBatchDoesNotOvertakeOneStillAwaitingVerification() {
        PartitionLog log = logs.open(TestLogConfigs.defaults());
        VerificationGuard guard = log.producers().startVerification(PID, 0, EPOCH);
        assertThat(log.producers().startVerification(PID, 2, EPOCH)).isSameAs(guard);

        assertThatThrownBy(() -> log.append(transactional(PID, EPOCH, 2, 1), 0, guard))
                .isInstanceOf(OutOfOrderSequenceException.class).hasMessageContaining("awaits the verification");
        log.append(transactional(PID, EPOCH, 0, 2), 0, guard);
        log.append(transactional(PID, EPOCH, 2, 1), 0, VerificationGuard.NONE);
        assertThat(log.logEndOffset()).isEqualTo(3);
    }
}
