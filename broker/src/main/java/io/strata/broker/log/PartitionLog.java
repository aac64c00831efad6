package io.strata.broker.log;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The log of one partition, in its own directory (file layout in {@link LogFiles}): an ordered run of
 * {@link LogSegment}s, the last one active, plus producer state, a recovery point and a log start offset.
 *
 * <p>Offsets: {@code logStartOffset <= highWatermark <= logEndOffset}. Reads see records below the
 * high watermark only. On a single node an append moves the high watermark to the new log end offset;
 * replication can instead drive it through {@link #updateHighWatermark}.
 *
 * <p>Durability: data is fsynced when {@code flush.messages} or {@code flush.ms} is reached at an append,
 * when a segment rolls, on {@link #flush()} and on {@link #close()}; the recovery point records how far.
 * Opening goes through {@link LogLoader}: after a crash, segments from the recovery point on are scanned
 * and cut at the first invalid batch; after a clean close (marker file present) nothing is scanned.
 * Appended batches are checked by {@link LogValidator} first.
 *
 * <p>Thread-safety: every method may be called from any thread. Appends, {@link #deleteRecordsBefore},
 * {@link #updateHighWatermark} and {@link #close} are serialised on this object. Reads take no lock:
 * they work on {@link LogSegments} and offsets published through volatile fields after each append.
 * {@link #flush()} does not block appends. A segment leaving the log stays readable for a while
 * ({@link RetiredSegments}), so slices already handed to a fetch stay valid.
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
    private final OffsetCheckpointFile recoveryPointFile;
    private final OffsetCheckpointFile logStartOffsetFile;
    private final Object flushLock = new Object();
    private final RetiredSegments retired; // guarded by this
    private final LoadSummary loadSummary;
    private final LogValidator validator;
    private final StorageErrors errors;

    private volatile LogConfig config;
    private volatile OffsetMetadata logEndOffsetMetadata;
    private volatile OffsetMetadata highWatermarkMetadata;
    private volatile long logStartOffset;
    private volatile long recoveryPoint; // written under flushLock
    private volatile long lastFlushTime;
    private volatile boolean closed;
    private volatile boolean offline;

    private PartitionLog(Path dir, TopicPartition topicPartition, LogConfig config, Time time) throws IOException {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.config = config;
        this.time = time;
        this.validator = new LogValidator(topicPartition);
        this.errors = new StorageErrors(topicPartition, dir);
        this.retired = new RetiredSegments(topicPartition);
        this.producerState = new ProducerStateManager(dir, topicPartition);
        this.recoveryPointFile = new OffsetCheckpointFile(dir.resolve(LogFiles.RECOVERY_POINT_FILE));
        this.logStartOffsetFile = new OffsetCheckpointFile(dir.resolve(LogFiles.LOG_START_OFFSET_FILE));
        LogLoader.LoadedLog loaded = new LogLoader(dir, topicPartition, config, time, producerState,
                recoveryPointFile, logStartOffsetFile).load();
        this.segments = loaded.segments();
        this.logEndOffsetMetadata = loaded.logEndOffset();
        this.highWatermarkMetadata = loaded.logEndOffset();
        this.logStartOffset = loaded.logStartOffset();
        this.recoveryPoint = loaded.recoveryPoint();
        this.loadSummary = loaded.summary();
        this.lastFlushTime = time.milliseconds();
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

    /** {@link #append(MemoryRecords, int)} leaving each batch's partition leader epoch as sent. */
    public AppendResult append(MemoryRecords records) {
        return append(records, RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }

    /**
     * Validates every batch ({@link LogValidator}), then appends them all or none. Assigns offsets from the
     * log end offset and, for LogAppendTime, the broker time, by rewriting the batch headers in
     * {@code records}' buffer. A retry of one of a producer's last 5 batches appends nothing and returns
     * the original offsets.
     *
     * @param leaderEpoch stamped on every batch, unless {@link RecordBatch#NO_PARTITION_LEADER_EPOCH}
     * @throws org.apache.kafka.common.errors.ApiException any refusal of {@link LogValidator#validate}
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException an epoch older than the producer's
     * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException a sequence gap, or a new epoch not at 0
     * @throws KafkaStorageException       I/O failure; the log is then offline
     */
    public synchronized AppendResult append(MemoryRecords records, int leaderEpoch) {
        ensureUsable();
        LogConfig config = this.config;
        long now = time.milliseconds();
        List<MutableRecordBatch> batches = validator.validate(records, config, now);
        boolean logAppendTime = config.logAppendTime();
        long firstOffset = logEndOffsetMetadata.messageOffset();

        ProducerStateManager.PendingAppend pending = producerState.prepareAppend();
        long nextOffset = firstOffset;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        long offsetOfMaxTimestamp = -1L;
        for (MutableRecordBatch batch : batches) {
            long lastOffset = nextOffset + (batch.lastOffset() - batch.baseOffset());
            long timestamp = logAppendTime ? now : batch.maxTimestamp();
            if (batch.hasProducerId()) {
                Optional<BatchMetadata> duplicate = producerState.findDuplicate(batch);
                if (duplicate.isPresent()) {
                    BatchMetadata original = duplicate.get();
                    return new AppendResult(original.firstOffset(), original.lastOffset(),
                            logAppendTime ? original.timestamp() : RecordBatch.NO_TIMESTAMP, logStartOffset, true);
                }
                pending.append(batch, nextOffset, lastOffset, timestamp);
            }
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
                offsetOfMaxTimestamp = lastOffset;
            }
            nextOffset = lastOffset + 1;
        }
        long lastOffset = nextOffset - 1;

        LogSegment segment = segments.active();
        try {
            segment = maybeRoll(segment, config, records.sizeInBytes(), maxTimestamp, lastOffset, now);
            LogValidator.assignOffsets(batches, firstOffset, logAppendTime ? now : RecordBatch.NO_TIMESTAMP,
                    leaderEpoch);
            segment.append(lastOffset, maxTimestamp, offsetOfMaxTimestamp, records);
        } catch (IOException e) {
            offline = true;
            throw errors.of("appending to", segment.log().file().toPath(), e);
        }
        producerState.commit(pending, lastOffset + 1);
        OffsetMetadata end = new OffsetMetadata(lastOffset + 1, segment.baseOffset(), segment.size());
        logEndOffsetMetadata = end;
        highWatermarkMetadata = end;

        if (unflushedMessages() >= config.flushMessages() || now - lastFlushTime >= config.flushMs()) {
            flushOrGoOffline(lastOffset + 1);
        }
        retired.deleteDue(now, config.fileDeleteDelayMs());
        return new AppendResult(firstOffset, lastOffset, logAppendTime ? now : RecordBatch.NO_TIMESTAMP,
                logStartOffset, false);
    }

    private LogSegment maybeRoll(LogSegment active, LogConfig config, int messagesSize, long maxTimestamp,
                                 long lastOffset, long now) throws IOException {
        if (!active.shouldRoll(config, messagesSize, maxTimestamp, lastOffset, now)) {
            return active;
        }
        long newBaseOffset = logEndOffsetMetadata.messageOffset();
        active.onBecomeInactive();
        LogSegment next = LogSegment.create(dir, newBaseOffset, config, time);
        segments.add(next);
        // The old segment is complete: make it durable now so that a crash recovers the new one only.
        flushUpTo(newBaseOffset);
        producerState.takeSnapshot();
        LOG.debugf("Rolled %s to a new segment at offset %d", topicPartition, newBaseOffset);
        return next;
    }

    // ---- reads ----

    /**
     * Reads from the segment holding {@code fetchOffset}, starting at the batch that holds it and
     * stopping at the high watermark. Never copies record bytes: the result is a slice of the file.
     *
     * @param maxBytes      bytes wanted
     * @param minOneMessage return the first batch whole even if larger than {@code maxBytes}; without it,
     *                      a first batch larger than {@code maxBytes} gives an empty result
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     * @throws KafkaStorageException     on I/O failure
     */
    public LogReadResult read(long fetchOffset, int maxBytes, boolean minOneMessage) {
        ensureUsable();
        OffsetMetadata highWatermark = highWatermarkMetadata;
        OffsetMetadata end = logEndOffsetMetadata;
        OffsetRange range = new OffsetRange(logStartOffset, end.messageOffset());
        if (!range.readable(fetchOffset)) {
            throw range.outOfRange(topicPartition, fetchOffset);
        }
        try {
            if (fetchOffset < highWatermark.messageOffset()) {
                LogSegment segment = segments.floor(fetchOffset);
                if (segment == null) {
                    // DeleteRecords removed the segment since the range check.
                    throw new OffsetRange(logStartOffset, end.messageOffset()).outOfRange(topicPartition, fetchOffset);
                }
                while (segment != null && segment.baseOffset() <= highWatermark.segmentBaseOffset()) {
                    long maxPosition = segment.baseOffset() == highWatermark.segmentBaseOffset()
                            ? highWatermark.relativePosition()
                            : segment.size();
                    SegmentRead read = segment.read(fetchOffset, maxBytes, maxPosition, minOneMessage);
                    if (read != null) {
                        // As Kafka does for fetch v3+: a cut first batch is useless to the client.
                        FileRecords records = read.firstBatchIncomplete() ? read.records().slice(0, 0) : read.records();
                        return new LogReadResult(records, highWatermark.messageOffset(), range.start(), range.end());
                    }
                    segment = segments.next(segment);
                }
            }
            return new LogReadResult(segments.active().log().slice(0, 0), highWatermark.messageOffset(), range.start(),
                    range.end());
        } catch (KafkaException e) {
            throw errors.unwrap(e, "reading");
        }
    }

    /**
     * The first record below the high watermark whose timestamp is {@code >= timestamp}, with its
     * timestamp (ListOffsets by time). Decodes the records of the batches it scans.
     */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        ensureUsable();
        long start = logStartOffset;
        long highWatermark = highWatermark();
        try {
            return segments.firstWithTimestampAtLeast(timestamp, start).filter(found -> found.offset() < highWatermark);
        } catch (KafkaException e) {
            throw errors.unwrap(e, "searching by timestamp in");
        }
    }

    /**
     * The largest timestamp below the high watermark and the offset of the first record carrying it
     * (ListOffsets MAX_TIMESTAMP), or {@link TimestampOffset#UNKNOWN} if no record has a timestamp.
     */
    public TimestampOffset maxTimestampOffset() {
        ensureUsable();
        try {
            TimestampOffset max = segments.maxTimestamp();
            return max.offset() < highWatermark() ? max : TimestampOffset.UNKNOWN;
        } catch (KafkaException e) {
            throw errors.unwrap(e, "searching the max timestamp in");
        }
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

    /** Moves the high watermark, clamped to {@code [logStartOffset, logEndOffset]}, and returns where it is. */
    public synchronized long updateHighWatermark(long offset) {
        ensureUsable();
        long clamped = Math.max(logStartOffset, Math.min(offset, logEndOffset()));
        try {
            highWatermarkMetadata = offsetMetadata(clamped);
        } catch (KafkaException e) {
            throw errors.unwrap(e, "moving the high watermark of");
        }
        return clamped;
    }

    private OffsetMetadata offsetMetadata(long offset) {
        OffsetMetadata end = logEndOffsetMetadata;
        if (offset >= end.messageOffset()) {
            return end;
        }
        for (LogSegment segment = segments.floor(offset); segment != null; segment = segments.next(segment)) {
            FileRecords.LogOffsetPosition position = segment.translateOffset(offset);
            if (position != null) {
                return new OffsetMetadata(offset, segment.baseOffset(), position.position);
            }
        }
        return end;
    }

    /**
     * DeleteRecords: makes {@code offset} the log start offset, persists it, and removes the segments
     * wholly below it. The active segment always stays.
     *
     * @return the log start offset after the call (unchanged if {@code offset} is not above it)
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public synchronized long deleteRecordsBefore(long offset) {
        ensureUsable();
        if (offset > highWatermark()) {
            throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before offset "
                    + offset + ": above the high watermark " + highWatermark());
        }
        if (offset <= logStartOffset) {
            return logStartOffset;
        }
        try {
            // Persisted first: a crash before the deletions finishes them on the next open.
            logStartOffsetFile.write(offset);
            logStartOffset = offset;
            long now = time.milliseconds();
            for (LogSegment segment : segments.below(segments.active().baseOffset())) {
                if (segments.nextBaseOffset(segment.baseOffset()).getAsLong() > offset) {
                    break;
                }
                segments.remove(segment);
                segment.markDeleted();
                retired.add(segment, now);
            }
            retired.deleteDue(now, config.fileDeleteDelayMs());
        } catch (IOException e) {
            offline = true;
            throw errors.of("deleting records of", logStartOffsetFile.file(), e);
        }
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

    // ---- durability ----

    /** Fsyncs everything appended so far and moves the recovery point to the log end offset. Does not block appends. */
    public void flush() {
        flushOrGoOffline(logEndOffset());
    }

    /** Records appended since the last fsync. */
    public long unflushedMessages() {
        return logEndOffset() - recoveryPoint;
    }

    /** Time of the last fsync, or of the open; a scheduler can compare it with {@code flush.ms}. */
    public long lastFlushTime() {
        return lastFlushTime;
    }

    /** Everything below this offset is on disk. */
    public long recoveryPoint() {
        return recoveryPoint;
    }

    private void flushOrGoOffline(long offset) {
        try {
            flushUpTo(offset);
        } catch (IOException e) {
            offline = true;
            throw errors.of("flushing", dir, e);
        }
    }

    private void flushUpTo(long offset) throws IOException {
        synchronized (flushLock) {
            if (closed) {
                return;
            }
            if (flushSegmentsUpTo(offset)) {
                recoveryPointFile.write(offset);
            }
            lastFlushTime = time.milliseconds();
        }
    }

    /** Fsyncs the segments holding offsets below {@code offset} not yet flushed; returns whether there were any. */
    private boolean flushSegmentsUpTo(long offset) throws IOException {
        if (offset <= recoveryPoint) {
            return false;
        }
        for (LogSegment segment : segments.holding(recoveryPoint, offset)) {
            segment.flush();
        }
        recoveryPoint = offset;
        return true;
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

    /**
     * The segments that nothing will change any more except compaction: those below both the active
     * segment and the segment holding the high watermark, oldest first, each with the offset it ends
     * before (the next segment's base offset). A snapshot.
     */
    public List<ClosedSegment> closedSegments() {
        return segments.closedBelow(Math.min(segments.active().baseOffset(), highWatermarkMetadata.segmentBaseOffset()));
    }

    /**
     * Replaces the closed segment {@code old} by {@code cleaned}, a compacted copy of it made with
     * {@link LogSegment#createCleaned} (same base offset, files ending in {@link LogFiles#CLEANED_SUFFIX},
     * complete). Crash-safe: the cleaned files are fsynced and renamed to {@link LogFiles#SWAP_SUFFIX},
     * the log file last (from then on an open completes the replacement); the old files are renamed to
     * {@code .deleted} and the swap files to the segment's names. Reads in flight keep the old segment's
     * open file: it is retired like a deleted segment.
     *
     * @return false, leaving {@code cleaned} to the caller, if {@code old} is no longer a closed segment of
     *         this log (deleted by DeleteRecords, or replaced since)
     * @throws KafkaStorageException on I/O failure; the log is then offline
     */
    public synchronized boolean replaceSegment(LogSegment old, LogSegment cleaned) {
        ensureUsable();
        long baseOffset = old.baseOffset();
        if (cleaned.baseOffset() != baseOffset) {
            throw new IllegalArgumentException("Cannot replace segment " + old + " of " + topicPartition
                    + " by a segment at another base offset: " + cleaned);
        }
        if (!segments.contains(old) || baseOffset >= segments.active().baseOffset()) {
            return false;
        }
        try {
            cleaned.flush();
            cleaned.changeFileSuffixes(LogFiles.CLEANED_SUFFIX, LogFiles.SWAP_SUFFIX);
            Utils.flushDir(dir);
            old.markDeleted();
            cleaned.changeFileSuffixes(LogFiles.SWAP_SUFFIX, "");
            Utils.flushDir(dir);
        } catch (IOException e) {
            offline = true;
            throw errors.of("replacing a compacted segment of", cleaned.log().file().toPath(), e);
        }
        segments.add(cleaned);
        long now = time.milliseconds();
        retired.add(old, now);
        retired.deleteDue(now, config.fileDeleteDelayMs());
        return true;
    }

    /** A copy of the idempotent-producer state, by producer id. */
    public synchronized Map<Long, ProducerStateEntry> activeProducers() {
        return producerState.activeProducers();
    }

    /**
     * Flushes, writes a producer state snapshot, closes the segments (trimming their indexes) and
     * leaves the clean-shutdown marker so the next open skips recovery. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closeSegments(true);
        }
    }

    /** Closes the log and removes its directory. */
    public synchronized void delete() {
        if (!closed) {
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
        synchronized (flushLock) {
            IOException failure = null;
            Path failedFile = dir;
            if (!offline) {
                try {
                    // No recovery point checkpoint: the marker supersedes it, and without the marker the
                    // older checkpoint only makes the next start recover more than it needs to.
                    flushSegmentsUpTo(logEndOffset());
                    producerState.takeSnapshot();
                } catch (IOException e) {
                    failure = e;
                }
            }
            closed = true;
            for (LogSegment segment : segments.view()) {
                try {
                    segment.close();
                } catch (IOException | RuntimeException e) {
                    if (failure == null) {
                        failure = e instanceof IOException io ? io : new IOException(e);
                        failedFile = segment.log().file().toPath();
                    }
                }
            }
            retired.deleteAll();
            if (failure == null && writeMarker && !offline) {
                try {
                    // Not fsynced: all it vouches for was fsynced above, so a marker on disk implies it, and a
                    // marker lost to a power cut costs the next start a recovery. Saves two fsyncs a partition,
                    // which is most of a clean stop with thousands of them.
                    Files.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN_FILE), new byte[0]);
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                offline = true;
                throw errors.of("closing", failedFile, failure);
            }
        }
    }

    // ---- errors ----

    private void ensureUsable() {
        if (offline) {
            throw new KafkaStorageException("The log of " + topicPartition + " in " + dir + " is offline after an I/O error");
        }
        if (closed) {
            throw new KafkaStorageException("The log of " + topicPartition + " in " + dir + " is closed");
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", " + dir + ")";
    }
}
