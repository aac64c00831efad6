package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.CRC32C;

import static io.strata.broker.log.TestRecords.idempotent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProducerStateManagerTest {

    private static final long PID = 4242;
    private static final short EPOCH = 3;
    /** When the tests' markers are written: after every batch's timestamp. */
    private static final long MARKER_TIME = 5000;
    private static final long EXPIRATION_MS = 60_000;
    /** When the tests' snapshots of older versions were written. */
    private static final long SNAPSHOT_WRITTEN = 1_700_000_000_000L;

    @TempDir
    Path dir;
    private ProducerStateManager state;
    private long nextOffset;

    @BeforeEach
    void setUp() {
        state = reopen();
    }

    private ProducerStateManager reopen() {
        return new ProducerStateManager(dir, new TopicPartition("t", 0));
    }

    /** Two batches of the producer, a snapshot after each: snapshots at offsets 2 and 3. */
    private void snapshotTwoBatches() throws Exception {
        append(batch(PID, EPOCH, 0, 2));
        state.takeSnapshot();
        append(batch(PID, EPOCH, 2, 1));
        state.takeSnapshot();
    }

    private static RecordBatch batch(long producerId, short epoch, int baseSequence, int records) {
        String[] values = new String[records];
        java.util.Arrays.fill(values, "v");
        MemoryRecords memoryRecords = idempotent(producerId, epoch, baseSequence, 1000L + baseSequence, values);
        return memoryRecords.batches().iterator().next();
    }

    /**
     * Validates and commits one batch at the next offsets, as the log would; a transactional batch as the leader
     * appends it once its coordinator verified its transaction.
     */
    private void append(RecordBatch batch) {
        ProducerStateManager.PendingAppend pending = state.prepareAppend(batch.isTransactional()
                ? state.startVerification(batch.producerId(), batch.baseSequence(), batch.producerEpoch(), 0)
                : VerificationGuard.NONE);
        long last = nextOffset + batch.lastOffset() - batch.baseOffset();
        pending.append(batch, nextOffset, last, batch.maxTimestamp());
        state.commit(pending, last + 1);
        nextOffset = last + 1;
    }

    @Test
    void unknownProducerMayStartAtAnySequenceThenMustFollow() {
        append(batch(PID, EPOCH, 17, 3));
        append(batch(PID, EPOCH, 20, 1));
        assertThat(state.lastEntry(PID).orElseThrow().lastSeq()).isEqualTo(20);
        assertThatThrownBy(() -> append(batch(PID, EPOCH, 22, 1))).isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> append(batch(PID, EPOCH, 20, 1))).isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(state.mapEndOffset()).isEqualTo(4);
    }

    @Test
    void olderEpochIsRejectedAndNewerEpochMustStartAtZero() {
        append(batch(PID, EPOCH, 0, 2));
        assertThatThrownBy(() -> append(batch(PID, (short) (EPOCH - 1), 2, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> append(batch(PID, (short) (EPOCH + 1), 2, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
        append(batch(PID, (short) (EPOCH + 1), 0, 1));
        ProducerStateEntry entry = state.lastEntry(PID).orElseThrow();
        assertThat(entry.producerEpoch()).isEqualTo((short) (EPOCH + 1));
        assertThat(entry.batches()).hasSize(1);
    }

    @Test
    void sequenceWrapsAroundAfterIntMax() {
        append(batch(PID, EPOCH, Integer.MAX_VALUE, 1));
        append(batch(PID, EPOCH, 0, 1));
        assertThat(state.lastEntry(PID).orElseThrow().lastSeq()).isZero();
    }

    @Test
    void recognisesRetriesOfTheLastFiveBatches() {
        for (int i = 0; i < 6; i++) {
            append(batch(PID, EPOCH, i * 2, 2));
        }
        assertThat(state.findDuplicate(batch(PID, EPOCH, 0, 2))).as("sixth oldest is forgotten").isEmpty();
        BatchMetadata duplicate = state.findDuplicate(batch(PID, EPOCH, 4, 2)).orElseThrow();
        assertThat(duplicate.firstOffset()).isEqualTo(4);
        assertThat(duplicate.lastOffset()).isEqualTo(5);
        assertThat(state.findDuplicate(batch(PID, EPOCH, 4, 3))).as("different last sequence").isEmpty();
        assertThat(state.findDuplicate(batch(PID, (short) (EPOCH + 1), 4, 2))).as("different epoch").isEmpty();
        assertThat(state.findDuplicate(batch(PID + 1, EPOCH, 4, 2))).isEmpty();
        assertThat(state.lastEntry(PID).orElseThrow().batches()).hasSize(ProducerStateEntry.NUM_BATCHES_TO_RETAIN);
    }

    @Test
    void pendingChangesAreInvisibleUntilCommitted() {
        ProducerStateManager.PendingAppend pending = state.prepareAppend(VerificationGuard.NONE);
        pending.append(batch(PID, EPOCH, 0, 1), 0, 0, 1);
        pending.append(batch(PID, EPOCH, 1, 1), 1, 1, 1);
        assertThatThrownBy(() -> pending.append(batch(PID, EPOCH, 3, 1), 2, 2, 1))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(state.lastEntry(PID)).isEmpty();
        state.commit(pending, 2);
        assertThat(state.lastEntry(PID).orElseThrow().lastSeq()).isEqualTo(1);
    }

    @Test
    void snapshotRoundTripsAndKeepsTheNewestTwo() throws Exception {
        append(batch(PID, EPOCH, 0, 2));
        state.takeSnapshot();
        append(batch(PID + 1, (short) 0, 5, 1));
        state.takeSnapshot();
        append(batch(PID, EPOCH, 2, 1));
        state.takeSnapshot();
        assertThat(state.snapshotOffsets()).containsExactly(3L, 4L);

        ProducerStateManager reloaded = reopen();
        assertThat(reloaded.loadLatestSnapshot(4)).hasValue(4);
        assertThat(reloaded.mapEndOffset()).isEqualTo(4);
        assertThat(reloaded.activeProducers()).isEqualTo(state.activeProducers());
    }

    @Test
    void aSnapshotOfUnchangedStateIsNotWrittenAgain() throws Exception {
        snapshotTwoBatches();
        Path newest = LogFiles.snapshotFile(dir, 3);
        byte[] written = Files.readAllBytes(newest);
        Files.write(newest, new byte[] {42});

        state.takeSnapshot();
        assertThat(Files.readAllBytes(newest)).as("left as it was").containsExactly(42);

        ProducerStateManager reloaded = reopen();
        Files.write(newest, written);
        assertThat(reloaded.loadLatestSnapshot(3)).hasValue(3);
        Files.delete(newest);
        reloaded.takeSnapshot();
        assertThat(Files.readAllBytes(newest)).as("written again once gone").isEqualTo(written);
    }

    @Test
    void corruptSnapshotIsDeletedAndAnOlderOneUsed() throws Exception {
        snapshotTwoBatches();
        Path newest = LogFiles.snapshotFile(dir, 3);
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 3] ^= 1;
        Files.write(newest, bytes);

        ProducerStateManager reloaded = reopen();
        assertThat(reloaded.loadLatestSnapshot(100)).hasValue(2);
        assertThat(Files.exists(newest)).isFalse();
        assertThat(reloaded.lastEntry(PID).orElseThrow().lastSeq()).isEqualTo(1);
    }

    @Test
    void snapshotsBeyondTheLogEndAreDeleted() throws Exception {
        snapshotTwoBatches();

        ProducerStateManager reloaded = reopen();
        assertThat(reloaded.loadLatestSnapshot(2)).hasValue(2);
        assertThat(reloaded.snapshotOffsets()).containsExactly(2L);
        assertThat(reloaded.loadLatestSnapshot(1)).isEmpty();
        assertThat(reloaded.activeProducers()).isEmpty();
    }

    @Test
    void replayRebuildsStateFromLoggedBatches() {
        RecordBatch logged = MemoryRecords.withIdempotentRecords(40L, org.apache.kafka.common.compress.Compression.NONE,
                PID, EPOCH, 7, RecordBatch.NO_PARTITION_LEADER_EPOCH, TestRecords.simple(5, "a", "b"))
                .batches().iterator().next();
        state.replay(logged);
        assertThat(state.mapEndOffset()).isEqualTo(42);
        assertThat(state.lastEntry(PID).orElseThrow().batches())
                .containsExactly(new BatchMetadata(7, 8, 40, 41, 5));
    }

    // ---- transactions ----

    private static RecordBatch transactional(long producerId, short epoch, int baseSequence, int records) {
        return TestRecords.transactional(producerId, epoch, baseSequence, records).batches().iterator().next();
    }

    /** Stages and commits a marker at the next offset, as WriteTxnMarkers appends it; returns what it aborted. */
    private List<AbortedTxn> marker(long producerId, short epoch, ControlRecordType type, int coordinatorEpoch) {
        ProducerStateManager.PendingAppend pending = state.prepareAppend(VerificationGuard.NONE);
        pending.appendMarker(producerId, epoch, new EndTransactionMarker(type, coordinatorEpoch), nextOffset,
                MARKER_TIME);
        nextOffset++;
        return state.commit(pending, nextOffset);
    }

    @Test
    void aTransactionIsOpenFromItsFirstBatchUntilItsMarker() {
        append(batch(PID + 1, EPOCH, 0, 2));
        assertThat(state.firstUnstableOffset()).isEmpty();
        append(transactional(PID, EPOCH, 0, 2));
        append(transactional(PID, EPOCH, 2, 1));
        assertThat(state.firstUnstableOffset()).hasValue(2);
        assertThat(state.lastEntry(PID).orElseThrow().currentTxnFirstOffset()).isEqualTo(2);

        assertThat(marker(PID, EPOCH, ControlRecordType.COMMIT, 7)).as("a commit aborts nothing").isEmpty();
        assertThat(state.firstUnstableOffset()).isEmpty();
        ProducerStateEntry entry = state.lastEntry(PID).orElseThrow();
        assertThat(entry.hasOpenTxn()).isFalse();
        assertThat(entry.coordinatorEpoch()).isEqualTo(7);
        assertThat(entry.lastSeq()).as("a marker is no data batch").isEqualTo(2);
    }

    @Test
    void anAbortReportsTheTransactionWithTheLastStableOffsetAfterIt() {
        append(transactional(PID, EPOCH, 0, 2));          // offsets 0-1
        append(transactional(PID + 1, EPOCH, 0, 1));      // offset 2
        assertThat(state.firstUnstableOffset()).hasValue(0);

        assertThat(marker(PID, EPOCH, ControlRecordType.ABORT, 0))   // offset 3
                .containsExactly(new AbortedTxn(PID, 0, 3, 2));
        assertThat(state.firstUnstableOffset()).hasValue(2);
        assertThat(marker(PID + 1, EPOCH, ControlRecordType.ABORT, 0))   // offset 4
                .containsExactly(new AbortedTxn(PID + 1, 2, 4, 5));
        assertThat(state.firstUnstableOffset()).isEmpty();
    }

    @Test
    void aProducerWithAnOpenTransactionCannotWriteOutsideIt() {
        append(transactional(PID, EPOCH, 0, 1));
        assertThatThrownBy(() -> append(batch(PID, EPOCH, 1, 1))).isInstanceOf(InvalidTxnStateException.class)
                .hasMessageContaining("transaction from offset 0 is open");
        marker(PID, EPOCH, ControlRecordType.COMMIT, 0);
        append(batch(PID, EPOCH, 1, 1));
        assertThat(state.lastEntry(PID).orElseThrow().lastSeq()).isEqualTo(1);
    }

    @Test
    void markersOfAnOlderProducerEpochOrCoordinatorAreRefused() {
        append(transactional(PID, EPOCH, 0, 1));
        marker(PID, EPOCH, ControlRecordType.ABORT, 5);
        assertThatThrownBy(() -> marker(PID, (short) (EPOCH - 1), ControlRecordType.ABORT, 5))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThatThrownBy(() -> marker(PID, EPOCH, ControlRecordType.ABORT, 4))
                .isInstanceOf(TransactionCoordinatorFencedException.class);
    }

    @Test
    void aMarkerForAProducerWithoutStateLeavesItKnownByItsEpochs() {
        assertThat(marker(PID, EPOCH, ControlRecordType.ABORT, 2)).containsExactly(new AbortedTxn(PID, 0, 0, 1));
        ProducerStateEntry entry = state.lastEntry(PID).orElseThrow();
        assertThat(entry.batches()).isEmpty();
        assertThat(entry.producerEpoch()).isEqualTo(EPOCH);
        assertThat(entry.lastSeq()).isEqualTo(RecordBatch.NO_SEQUENCE);
        assertThatThrownBy(() -> append(batch(PID, EPOCH, 3, 1))).isInstanceOf(OutOfOrderSequenceException.class);
        append(batch(PID, EPOCH, 0, 1));
    }

    @Test
    void replayTracksTransactionsAsAppendsDo() {
        MemoryRecords data = MemoryRecords.withTransactionalRecords(10L, Compression.NONE, PID, EPOCH, 0,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, TestRecords.simple(5, "a", "b"));
        MemoryRecords abort = MemoryRecords.withEndTransactionMarker(12L, 6L, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                PID, EPOCH, new EndTransactionMarker(ControlRecordType.ABORT, 3));
        assertThat(state.replay(data.batches().iterator().next())).isEmpty();
        assertThat(state.firstUnstableOffset()).hasValue(10);
        assertThat(state.replay(abort.batches().iterator().next())).containsExactly(new AbortedTxn(PID, 10, 12, 13));
        assertThat(state.firstUnstableOffset()).isEmpty();
        assertThat(state.lastEntry(PID).orElseThrow().coordinatorEpoch()).isEqualTo(3);
    }

    @Test
    void aSnapshotKeepsOpenTransactionsAndCoordinatorEpochs() throws Exception {
        append(transactional(PID, EPOCH, 0, 2));
        append(transactional(PID + 1, EPOCH, 0, 1));
        marker(PID + 1, EPOCH, ControlRecordType.COMMIT, 9);
        state.takeSnapshot();

        ProducerStateManager reloaded = reopen();
        assertThat(reloaded.loadLatestSnapshot(nextOffset)).hasValue(nextOffset);
        assertThat(reloaded.activeProducers()).isEqualTo(state.activeProducers());
        assertThat(reloaded.firstUnstableOffset()).hasValue(0);
        assertThat(reloaded.lastEntry(PID + 1).orElseThrow().coordinatorEpoch()).isEqualTo(9);
        assertThat(reloaded.lastEntry(PID + 1).orElseThrow().lastTimestamp()).as("the marker's").isEqualTo(MARKER_TIME);
    }

    // ---- expiration ----

    @Test
    void producersIdleForTheExpirationWithoutAnOpenTransactionAreForgotten() {
        append(batch(PID, EPOCH, 0, 2));                         // last written at 1000
        append(transactional(PID + 1, EPOCH, 0, 1));            // open transaction from 1000
        append(transactional(PID + 2, EPOCH, 0, 1));
        marker(PID + 2, EPOCH, ControlRecordType.COMMIT, 0);    // last written at MARKER_TIME

        assertThat(state.removeExpired(1000 + EXPIRATION_MS - 1, EXPIRATION_MS)).as("none idle long enough").isZero();
        assertThat(state.removeExpired(1000 + EXPIRATION_MS, EXPIRATION_MS)).isEqualTo(1);
        assertThat(state.activeProducers()).containsOnlyKeys(PID + 1, PID + 2);

        assertThat(state.removeExpired(MARKER_TIME + EXPIRATION_MS, EXPIRATION_MS)).isEqualTo(1);
        assertThat(state.activeProducers()).as("an open transaction keeps its producer").containsOnlyKeys(PID + 1);
        assertThat(state.firstUnstableOffset()).hasValue(2);

        append(batch(PID, EPOCH, 40, 1));
        assertThat(state.lastEntry(PID).orElseThrow().lastSeq()).as("back as a new producer, at any sequence")
                .isEqualTo(40);
    }

    @Test
    void aVerificationNeverFinishedExpiresAsProducersDo() {
        VerificationGuard started = state.startVerification(PID, 0, EPOCH, 100);
        state.removeExpired(100 + EXPIRATION_MS - 1, EXPIRATION_MS);
        assertThat(state.startVerification(PID, 0, EPOCH, 200)).as("still under way").isSameAs(started);

        state.removeExpired(100 + EXPIRATION_MS, EXPIRATION_MS);
        VerificationGuard restarted = state.startVerification(PID, 0, EPOCH, 200);
        assertThat(restarted).isNotSameAs(started);
        ProducerStateManager.PendingAppend stale = state.prepareAppend(started);
        assertThatThrownBy(() -> stale.append(transactional(PID, EPOCH, 0, 1), 0, 0, 1000))
                .as("the expired guard opens no transaction").isInstanceOf(InvalidTxnStateException.class);
    }

    @Test
    void aSnapshotTakenAfterExpirationNoLongerHoldsTheForgottenProducers() throws Exception {
        append(batch(PID, EPOCH, 0, 2));
        state.takeSnapshot();
        assertThat(state.removeExpired(1000 + EXPIRATION_MS, EXPIRATION_MS)).isEqualTo(1);
        state.takeSnapshot();

        ProducerStateManager reloaded = reopen();
        assertThat(reloaded.loadLatestSnapshot(nextOffset)).hasValue(nextOffset);
        assertThat(reloaded.activeProducers()).isEmpty();
    }

    /** Writes {@code contents}, a snapshot of an older version but its checksum, as of {@code offset}. */
    private void writeSnapshot(long offset, ByteBuffer contents) throws Exception {
        CRC32C crc = new CRC32C();
        crc.update(contents.array(), 5, contents.capacity() - 5);
        contents.putInt(1, (int) crc.getValue());
        Files.write(LogFiles.snapshotFile(dir, offset), contents.array());
        Files.setLastModifiedTime(LogFiles.snapshotFile(dir, offset), FileTime.fromMillis(SNAPSHOT_WRITTEN));
    }

    @Test
    void aSnapshotWrittenBeforeTransactionsIsStillRead() throws Exception {
        // Version 1: one producer, epoch 3, one batch of sequences 0-1 at offsets 0-1, timestamp 1000.
        ByteBuffer v1 = ByteBuffer.allocate(1 + 4 + 8 + 4 + 8 + 2 + 1 + 32);
        v1.put((byte) 1).putInt(0).putLong(2).putInt(1).putLong(PID).putShort(EPOCH).put((byte) 1)
                .putInt(0).putInt(1).putLong(0).putLong(1).putLong(1000);
        writeSnapshot(2, v1);

        assertThat(state.loadLatestSnapshot(2)).hasValue(2);
        ProducerStateEntry entry = state.lastEntry(PID).orElseThrow();
        assertThat(entry.batches()).containsExactly(new BatchMetadata(0, 1, 0, 1, 1000));
        assertThat(entry.hasOpenTxn()).isFalse();
        assertThat(entry.coordinatorEpoch()).isEqualTo(ProducerStateEntry.NO_COORDINATOR_EPOCH);
        assertThat(entry.lastTimestamp()).as("the snapshot file's time").isEqualTo(SNAPSHOT_WRITTEN);
    }

    @Test
    void aSnapshotWrittenBeforeLastTimestampsIsStillRead() throws Exception {
        // Version 2: one producer, epoch 3, its last marker from coordinator epoch 4, no transaction open, one batch
        // of sequences 0-1 at offsets 0-1, timestamp 1000; another known only by its marker.
        ByteBuffer v2 = ByteBuffer.allocate(1 + 4 + 8 + 4 + 2 * (8 + 2 + 4 + 8 + 1) + 32);
        v2.put((byte) 2).putInt(0).putLong(3).putInt(2).putLong(PID).putShort(EPOCH).putInt(4)
                .putLong(ProducerStateEntry.NO_TXN).put((byte) 1)
                .putInt(0).putInt(1).putLong(0).putLong(1).putLong(1000)
                .putLong(PID + 1).putShort(EPOCH).putInt(4).putLong(ProducerStateEntry.NO_TXN).put((byte) 0);
        writeSnapshot(3, v2);

        assertThat(state.loadLatestSnapshot(3)).hasValue(3);
        assertThat(state.lastEntry(PID).orElseThrow()).isEqualTo(new ProducerStateEntry(PID, EPOCH,
                List.of(new BatchMetadata(0, 1, 0, 1, 1000)), 4, ProducerStateEntry.NO_TXN, SNAPSHOT_WRITTEN));
        assertThat(state.removeExpired(SNAPSHOT_WRITTEN + EXPIRATION_MS - 1, EXPIRATION_MS))
                .as("none expires before its time, counted from the snapshot at the latest").isZero();
    }
}
