package io.strata.broker.log;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * The log of one partition, in its own directory (file layout in {@link LogFiles}): an ordered run of
 * {@link LogSegment}s, the last one active, plus producer state, leader epochs ({@link LeaderEpochCache}), a
 * recovery point and a log start offset.
 *
 * <p>Offsets: {@code logStartOffset <= highWatermark <= logEndOffset}. Consumers' reads see records below the
 * high watermark only, a follower's ({@link FetchIsolation#LOG_END}) everything. Appends move the log end offset
 * only: the partition above moves the high watermark with {@link #updateHighWatermark} once the in-sync replicas
 * have the records. A leader appends with {@link #append(MemoryRecords, int)}, which assigns offsets; a follower
 * copies the leader's batches as they are with {@link #appendAsFollower}, and cuts a tail the leader does not
 * have with {@link #truncateTo} or {@link #truncateFullyAndStartAt}, which may lower every offset.
 *
 * <p>Durability ({@link LogDurability}): data is fsynced when {@code flush.messages} or {@code flush.ms} is
 * reached at an append, when a segment rolls, at a truncation, on {@link #flush()} and on {@link #close()}; the
 * recovery point records how far. Opening goes through {@link LogLoader}: after a crash, segments from the
 * recovery point on are scanned and cut at the first invalid batch; after a clean close (marker file present)
 * nothing is scanned. A leader's batches are checked by {@link LogValidator} first.
 *
 * <p>Thread-safety: every method may be called from any thread. Appends (leader and follower), truncations,
 * {@link #deleteRecordsBefore}, {@link #updateHighWatermark} and {@link #close} are serialised on this object.
 * Reads take no lock: they work on {@link LogSegments} and offsets published through volatile fields after each
 * change; a truncation lowers them before it cuts any byte. {@link #flush()} does not block appends. A segment
 * leaving the log stays readable for a while ({@link RetiredSegments}), so slices already handed to a fetch stay
 * valid.
 *
 * <p>Errors: an {@link IOException} surfaces once, as {@link KafkaStorageException} naming the partition
 * and file; after a failed write the log is offline and every later call throws it too.
 */
public final class PartitionLog implements Closeable {

    private static final Logger LOG = Logger.getLogger(PartitionLog.class);

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Time time;
    private final LogSegments segments;
    private final ProducerStateManager producerState;
    private final LeaderEpochCache epochs;
    private final LogDurability durability;
    private final LogTruncation truncation;
    private final SegmentAppender appender;
    private final RetiredSegments retired; // guarded by this
    private final LoadSummary loadSummary;
    private final LogValidator validator;
    private final StorageErrors errors;
    private final LogTransactions transactions;
    private final LogReader reader;
    private final LogProducers producers;

    private volatile LogConfig config;
    private volatile OffsetMetadata logEndOffsetMetadata;
    private volatile OffsetMetadata highWatermarkMetadata;
    private volatile long logStartOffset;

    private PartitionLog(Path dir, TopicPartition topicPartition, LogConfig config, Time time) throws IOException {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.config = config;
        this.time = time;
        this.validator = new LogValidator(topicPartition);
        this.errors = new StorageErrors(topicPartition, dir);
        this.retired = new RetiredSegments(topicPartition);
        this.producerState = new ProducerStateManager(dir, topicPartition);
        this.producers = new LogProducers(this, producerState, time);
        OffsetCheckpointFile recoveryPointFile = new OffsetCheckpointFile(dir.resolve(LogFiles.RECOVERY_POINT_FILE));
        OffsetCheckpointFile logStartOffsetFile = new OffsetCheckpointFile(dir.resolve(LogFiles.LOG_START_OFFSET_FILE));
        LogLoader.LoadedLog loaded = new LogLoader(dir, topicPartition, config, time, producerState,
                recoveryPointFile, logStartOffsetFile).load();
        this.segments = loaded.segments();
        this.epochs = loaded.epochs();
        this.durability = new LogDurability(segments, recoveryPointFile, time, errors, loaded.recoveryPoint());
        this.truncation = new LogTruncation(dir, topicPartition, time, segments, retired, producerState, epochs,
                durability, logStartOffsetFile);
        this.appender = new SegmentAppender(dir, topicPartition, time, segments, epochs, durability, producerState);
        this.logEndOffsetMetadata = loaded.logEndOffset();
        this.highWatermarkMetadata = loaded.logEndOffset();
        this.logStartOffset = loaded.logStartOffset();
        this.loadSummary = loaded.summary();
        this.transactions = new LogTransactions(segments, producerState);
        transactions.refresh(logEndOffsetMetadata);
        this.reader = new LogReader(topicPartition, dir, segments, transactions, errors);
    }

    /**
     * Opens the log in {@code dir} (created if missing), recovering it if it was not closed cleanly.
     *
     * @throws KafkaStorageException if the files cannot be read or repaired
     */
    public static PartitionLog open(Path dir, TopicPartition topicPartition, LogConfig config, Time time) {
        try {
            Files.createDirectories(dir);
            return new PartitionLog(dir, topicPartition, config, time);
        } catch (IOException e) {
            throw new KafkaStorageException("Failed to open the log of " + topicPartition + " in " + dir + ": " + e, e);
        } catch (KafkaException e) {
            if (StorageErrors.isIoFailure(e)) {
                throw new KafkaStorageException("Failed to open the log of " + topicPartition + " in " + dir + ": "
                        + e.getCause(), e.getCause());
            }
            throw e;
        }
    }

    // ---- appends ----

    /** {@link #append(MemoryRecords, int, VerificationGuard)} of batches that open no transaction. */
    public AppendResult append(MemoryRecords records, int leaderEpoch) {
        return append(records, leaderEpoch, VerificationGuard.NONE);
    }

    /**
     * A leader's append: validates every batch ({@link LogValidator}), then appends them all or none. Assigns
     * offsets from the log end offset and, for LogAppendTime, the broker time, by rewriting the batch headers in
     * {@code records}' buffer (or in the copy a topic with a {@code compression.type} recompresses). A retry of one
     * of a producer's last 5 batches appends nothing and returns the original offsets. Moves the log end offset, not
     * the high watermark.
     *
     * @param leaderEpoch stamped on every batch and recorded as starting at the first offset if new, unless
     *                    {@link RecordBatch#NO_PARTITION_LEADER_EPOCH}
     * @param verified    the guard of the verification that the producer's transaction includes this partition
     *                    ({@link LogProducers#startVerification}), which a batch opening a transaction needs
     * @throws org.apache.kafka.common.errors.ApiException any refusal of {@link LogValidator#validate}
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException an epoch older than the producer's
     * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException a sequence gap, or a new epoch not at 0
     * @throws org.apache.kafka.common.errors.InvalidTxnStateException a transaction opened without {@code verified}
     *         standing
     * @throws KafkaStorageException       I/O failure; the log is then offline
     */
    public synchronized AppendResult append(MemoryRecords records, int leaderEpoch, VerificationGuard verified) {
        errors.ensureUsable();
        LogConfig config = this.config;
        long now = time.milliseconds();
        LogValidator.Validated validated = validator.validate(records, config, now);
        long appendTime = config.logAppendTime() ? now : RecordBatch.NO_TIMESTAMP;
        long firstOffset = logEndOffset();
        LeaderBatches plan = LeaderBatches.plan(validated.batches(), firstOffset, appendTime,
                producerState.prepareAppend(verified), producerState);
        if (plan.duplicate().isPresent()) {
            BatchMetadata original = plan.duplicate().get();
            return new AppendResult(original.firstOffset(), original.lastOffset(),
                    appendTime >= 0 ? original.timestamp() : RecordBatch.NO_TIMESTAMP, logStartOffset, true);
        }
        LogValidator.assignOffsets(validated.batches(), firstOffset, appendTime, leaderEpoch);
        writeAsLeader(validated.records(), plan.span(), leaderEpoch, plan.pending(), config, now);
        return new AppendResult(firstOffset, plan.span().lastOffset(), appendTime, logStartOffset, false);
    }

    /**
     * A leader's append of the marker a transaction coordinator writes (WriteTxnMarkers): it ends the producer's
     * transaction in this partition, committing or aborting its records for read_committed readers. An abort is
     * recorded in the transaction index of the segment the marker lands in.
     *
     * @param leaderEpoch stamped on the marker's batch, as on a leader's other appends
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException the epoch is older than the producer's
     * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException a newer coordinator wrote the
     *         producer's last marker
     * @throws KafkaStorageException I/O failure; the log is then offline
     */
    public synchronized AppendResult appendMarker(long producerId, short producerEpoch, EndTransactionMarker marker,
                                                  int leaderEpoch) {
        errors.ensureUsable();
        LogConfig config = this.config;
        long now = time.milliseconds();
        long offset = logEndOffset();
        MemoryRecords records = MemoryRecords.withEndTransactionMarker(offset, now, leaderEpoch, producerId,
                producerEpoch, marker);
        ProducerStateManager.PendingAppend pending = producerState.prepareAppend(VerificationGuard.NONE);
        pending.appendMarker(producerId, producerEpoch, marker, offset, now);
        writeAsLeader(records, new AppendSpan(offset, offset, now, offset), leaderEpoch, pending, config, now);
        return new AppendResult(offset, offset, config.logAppendTime() ? now : RecordBatch.NO_TIMESTAMP,
                logStartOffset, false);
    }

    /** Writes a leader's checked append, its epoch starting at its first offset; commits its producer state. */
    private void writeAsLeader(MemoryRecords records, AppendSpan span, int leaderEpoch,
                               ProducerStateManager.PendingAppend pending, LogConfig config, long now) {
        OffsetMetadata end = write(records, span, List.of(new EpochEntry(leaderEpoch, span.firstOffset())), config, now);
        recordAborted(producerState.commit(pending, end.messageOffset()));
        advanceEnd(end, config, now);
    }

    /**
     * A follower's append of batches fetched from the leader, kept as they are: offsets, timestamps, leader epochs
     * and producer fields, checked by {@link FollowerBatches#check} (magic v2, CRC, offsets increasing from the log
     * end offset on; a partial batch at the end is dropped). Rolls and flushes as a leader's append does, records
     * each new leader epoch, replays the producer state from the batch headers, and moves the log end offset, not
     * the high watermark. Records without a whole batch: nothing.
     *
     * @throws OffsetOutOfRangeException if the first batch starts below the log end offset
     * @throws CorruptRecordException    if a batch is not v2, fails its CRC, or does not follow the one before it
     * @throws RecordBatchTooLargeException if the batches do not fit in a segment
     * @throws KafkaStorageException     I/O failure; the log is then offline
     */
    public synchronized void appendAsFollower(MemoryRecords records) {
        errors.ensureUsable();
        LogConfig config = this.config;
        long now = time.milliseconds();
        FollowerBatches batches = FollowerBatches.check(records, logEndOffset(), config.segmentBytes(), topicPartition);
        if (batches.isEmpty()) {
            return;
        }
        OffsetMetadata end = write(batches.records(), batches.span(), batches.newEpochs(), config, now);
        for (RecordBatch batch : batches.batches()) {
            recordAborted(producerState.replay(batch));
        }
        advanceEnd(end, config, now);
    }

    private OffsetMetadata write(MemoryRecords records, AppendSpan span, List<EpochEntry> newEpochs, LogConfig config,
                                 long now) {
        try {
            return appender.append(records, span, newEpochs, config, now);
        } catch (IOException e) {
            throw errors.goOffline("appending to", segments.active().log().file().toPath(), e);
        }
    }

    private void recordAborted(List<AbortedTxn> aborted) {
        try {
            transactions.recordAborted(aborted);
        } catch (IOException e) {
            throw errors.goOffline("recording an aborted transaction of", segments.active().log().file().toPath(), e);
        }
    }

    /**
     * Publishes the new log end offset after a write, with where the oldest open transaction now begins, then
     * flushes if the config asks to.
     */
    private void advanceEnd(OffsetMetadata end, LogConfig config, long now) {
        logEndOffsetMetadata = end;
        transactions.refresh(end);
        if (durability.flushDue(end.messageOffset(), config, now)) {
            flushOrGoOffline(end::messageOffset);
        }
        retired.deleteDue(now, config.fileDeleteDelayMs());
    }

    // ---- reads ----

    /** {@link #read(long, int, boolean, FetchIsolation)} up to the high watermark, as a consumer reads. */
    public LogReadResult read(long fetchOffset, int maxBytes, boolean minOneMessage) {
        return read(fetchOffset, maxBytes, minOneMessage, FetchIsolation.HIGH_WATERMARK);
    }

    /**
     * {@link LogReader#read} at the log's current positions: up to the high watermark, the log end offset for
     * {@link FetchIsolation#LOG_END}, or the last stable offset for {@link FetchIsolation#TXN_COMMITTED}, with the
     * aborted transactions that may have records among those read. A slice of a segment file, never a copy.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     * @throws KafkaStorageException     on I/O failure
     */
    public LogReadResult read(long fetchOffset, int maxBytes, boolean minOneMessage, FetchIsolation isolation) {
        errors.ensureUsable();
        return reader.read(fetchOffset, maxBytes, minOneMessage, isolation, logStartOffset, highWatermarkMetadata,
                logEndOffsetMetadata);
    }

    /** The first record below the high watermark whose timestamp is {@code >= timestamp} (ListOffsets by time). */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        errors.ensureUsable();
        return reader.offsetForTimestamp(timestamp, logStartOffset, highWatermark());
    }

    /** The aborted transactions with records in {@code [fetchOffset, upperBound)}, for a read_committed read. */
    public List<AbortedTxn> abortedTransactions(long fetchOffset, long upperBound) {
        errors.ensureUsable();
        return reader.abortedBetween(fetchOffset, upperBound);
    }

    /** The largest timestamp below the high watermark and its first offset (ListOffsets MAX_TIMESTAMP). */
    public TimestampOffset maxTimestampOffset() {
        errors.ensureUsable();
        return reader.maxTimestampOffset(highWatermark());
    }

    // ---- offsets ----

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffsetMetadata.messageOffset();
    }

    public long highWatermark() {
        return highWatermarkMetadata.messageOffset();
    }

    /** The offset read_committed readers read up to: below the oldest open transaction and the high watermark. */
    public long lastStableOffset() {
        return transactions.lastStable(highWatermarkMetadata).messageOffset();
    }

    /** Moves the high watermark, clamped to {@code [logStartOffset, logEndOffset]}, and returns where it is. */
    public synchronized long updateHighWatermark(long offset) {
        errors.ensureUsable();
        long clamped = Math.max(logStartOffset, Math.min(offset, logEndOffset()));
        try {
            highWatermarkMetadata = segments.offsetMetadata(clamped, logEndOffsetMetadata);
        } catch (KafkaException e) {
            throw errors.unwrap(e, "moving the high watermark of");
        }
        return clamped;
    }

    /**
     * DeleteRecords: makes {@code offset} the log start (persisted) and removes the segments wholly below it.
     *
     * @return the log start offset after the call (unchanged if {@code offset} is not above it)
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public synchronized long deleteRecordsBefore(long offset) {
        errors.ensureUsable();
        if (offset > highWatermark()) {
            throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before offset "
                    + offset + ": above the high watermark " + highWatermark());
        }
        if (offset <= logStartOffset) {
            return logStartOffset;
        }
        try {
            truncation.deleteRecordsBefore(offset, time.milliseconds());
        } catch (IOException e) {
            throw errors.goOffline("deleting records of", dir.resolve(LogFiles.LOG_START_OFFSET_FILE), e);
        }
        logStartOffset = offset;
        retired.deleteDue(time.milliseconds(), config.fileDeleteDelayMs());
        return offset;
    }

    /**
     * Deletes the files of the segments retired at least {@code file.delete.delay.ms} ago. Appends and
     * removals do it too; retention calls it every pass so that a log without them frees the files.
     */
    public synchronized void deleteRetiredDue() {
        retired.deleteDue(time.milliseconds(), config.fileDeleteDelayMs());
    }

    /** Total bytes of record batches in the log. */
    public long size() {
        return segments.sizeInBytes();
    }

    // ---- leader epochs ----

    /** The latest leader epoch recorded, or empty if none is. */
    public OptionalInt latestEpoch() {
        return epochs.latestEpoch();
    }

    /** OffsetForLeaderEpoch: {@link LeaderEpochCache#endOffsetFor} at the current log end offset. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEndOffset());
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset} if it is above the latest epoch, as a new leader does
     * with its log end offset before its first append, so that OffsetForLeaderEpoch ends the epochs before it there.
     */
    public synchronized void assignEpochStartOffset(int epoch, long startOffset) {
        errors.ensureUsable();
        try {
            epochs.assign(epoch, startOffset);
        } catch (IOException e) {
            throw errors.goOffline("recording a leader epoch of", dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT_FILE), e);
        }
    }

    // ---- truncation ----

    /**
     * A follower cuts a tail the leader does not have: removes the batch holding {@code offset} and everything
     * after it. Segments above it leave the log as DeleteRecords removes them (in-flight reads stay valid), the one
     * holding it is cut and fsynced. The log end offset becomes {@code offset} (or, were it inside a batch or a
     * compaction gap, the end of the last batch before it); the high watermark and recovery point are lowered to
     * it, leader epochs starting at or after it dropped, and the producer state rebuilt up to it. Nothing if
     * {@code offset} is at or above the log end; {@link #truncateFullyAndStartAt} if it is below the log start.
     *
     * @throws KafkaStorageException I/O failure; the log is then offline
     */
    public synchronized void truncateTo(long offset) {
        errors.ensureUsable();
        if (offset < logStartOffset) {
            truncateFullyAndStartAt(offset, null);
        }
        if (offset >= logEndOffset()) {
            return;
        }
        long now = time.milliseconds();
        try {
            // Reads stop at the cut before any byte goes.
            lowerEndTo(segments.offsetMetadata(offset, logEndOffsetMetadata));
            lowerEndTo(truncation.truncateTo(offset, now));
        } catch (IOException e) {
            throw errors.goOffline("truncating", dir, e);
        }
        retired.deleteDue(now, config.fileDeleteDelayMs());
    }

    private void lowerEndTo(OffsetMetadata end) {
        if (highWatermark() > end.messageOffset()) {
            highWatermarkMetadata = end;
        }
        logEndOffsetMetadata = end;
        transactions.refresh(end);
    }

    /**
     * A follower restarts its log at {@code newOffset}, as when the leader no longer holds its log end: every
     * segment leaves the log, an empty active segment starts at {@code newOffset}, and the log start, log end, high
     * watermark and recovery point all become {@code newOffset}, the log start persisted first as DeleteRecords
     * does. Leader epochs are cleared, and the producer state becomes that of {@code producerSnapshot}, a snapshot
     * file's bytes as of {@code newOffset}, so a log starting over where its tiered log ends keeps its producers
     * (null: none, the state and its snapshots are cleared).
     *
     * @throws KafkaStorageException I/O failure; the log is then offline
     */
    public synchronized void truncateFullyAndStartAt(long newOffset, ByteBuffer producerSnapshot) {
        errors.ensureUsable();
        long now = time.milliseconds();
        try {
            OffsetMetadata start = truncation.startAt(newOffset, producerSnapshot, config, now);
            highWatermarkMetadata = start;
            logEndOffsetMetadata = start;
            logStartOffset = newOffset;
            transactions.refresh(start);
        } catch (IOException e) {
            throw errors.goOffline("truncating", dir, e);
        }
        retired.deleteDue(now, config.fileDeleteDelayMs());
    }

    // ---- durability ----

    /** Fsyncs everything appended so far and moves the recovery point to the log end offset. Does not block appends. */
    public void flush() {
        flushOrGoOffline(this::logEndOffset);
    }

    /** Records appended since the last fsync. */
    public long unflushedMessages() {
        return logEndOffset() - durability.recoveryPoint();
    }

    /** Time of the last fsync, or of the open; a scheduler can compare it with {@code flush.ms}. */
    public long lastFlushTime() {
        return durability.lastFlushTime();
    }

    /** Everything below this offset is on disk. */
    public long recoveryPoint() {
        return durability.recoveryPoint();
    }

    private void flushOrGoOffline(LongSupplier offset) {
        try {
            durability.flushUpTo(offset);
        } catch (IOException e) {
            throw errors.goOffline("flushing", dir, e);
        }
    }

    // ---- config, state, lifecycle ----

    public LogConfig config() {
        return config;
    }

    /** New settings apply to the next append; index sizes to segments created from then on. */
    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path dir() {
        return dir;
    }

    /** What the open found and repaired. */
    public LoadSummary loadSummary() {
        return loadSummary;
    }

    /** The segments, oldest first: a snapshot of the list. */
    public List<LogSegment> segments() {
        return segments.all();
    }

    /** The segments compaction may rewrite: below the active one and the last stable offset's, with their ends. */
    public List<ClosedSegment> closedSegments() {
        long stable = transactions.lastStable(highWatermarkMetadata).segmentBaseOffset();
        return segments.closedBelow(Math.min(segments.active().baseOffset(), stable));
    }

    /**
     * Replaces the closed segment {@code old} by {@code cleaned}, a complete compacted copy of it made with
     * {@link LogSegment#createCleaned}, crash-safely ({@link LogSegment#replaceOnDisk}). Reads in flight keep the
     * old segment's open file: it is retired like a deleted segment.
     *
     * @return false, leaving {@code cleaned} to the caller, if {@code old} is no longer a closed segment of
     *         this log (deleted by DeleteRecords, or replaced since)
     * @throws KafkaStorageException on I/O failure; the log is then offline
     */
    public synchronized boolean replaceSegment(LogSegment old, LogSegment cleaned) {
        errors.ensureUsable();
        boolean replaced;
        long now = time.milliseconds();
        try {
            replaced = truncation.replace(old, cleaned, now);
        } catch (IOException e) {
            throw errors.goOffline("replacing a compacted segment of", cleaned.log().file().toPath(), e);
        }
        retired.deleteDue(now, config.fileDeleteDelayMs());
        return replaced;
    }

    /** Its producers' state and the verifications of their transactions. */
    public LogProducers producers() {
        return producers;
    }

    /**
     * Flushes, writes a producer state snapshot, closes the segments (trimming their indexes) and
     * leaves the clean-shutdown marker so the next open skips recovery. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!errors.closed()) {
            closeSegments(true);
        }
    }

    /** Closes the log and removes its directory. */
    public synchronized void delete() {
        if (!errors.closed()) {
            try {
                closeSegments(false);
            } catch (KafkaStorageException e) {
                // The files are going anyway.
                LOG.warnf("Deleting %s after a failed close: %s", topicPartition, e.getMessage());
            }
        }
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            throw errors.of("deleting", dir, e);
        }
    }

    private void closeSegments(boolean writeMarker) {
        boolean wasOffline = errors.offline();
        errors.close(false);
        try {
            durability.close(logEndOffset(), wasOffline, writeMarker, producerState);
        } catch (KafkaStorageException e) {
            errors.close(true);
            throw e;
        } finally {
            retired.deleteAll();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", " + dir + ")";
    }
}
