package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentSkipListMap;

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
 * After a crash, segments from the recovery point on are scanned and cut at the first invalid batch;
 * after a clean close (marker file present) nothing is scanned.
 *
 * <p>Thread-safety: every method may be called from any thread. Appends, {@link #deleteRecordsBefore},
 * {@link #updateHighWatermark} and {@link #close} are serialised on this object. Reads take no lock:
 * they work on the segment map ({@link ConcurrentSkipListMap}) and offsets published through volatile
 * fields after each append. {@link #flush()} does not block appends. A segment leaving the log keeps its
 * file open for {@value #SEGMENT_DELETE_DELAY_MS} ms, so slices already handed to a fetch stay readable.
 *
 * <p>Errors: an {@link IOException} surfaces once, as {@link KafkaStorageException} naming the partition
 * and file; after a failed write the log is offline and every later call throws it too.
 */
public final class PartitionLog implements Closeable {

    private static final Logger LOG = Logger.getLogger(PartitionLog.class);

    /** How long a segment removed from the log keeps its file open for fetches holding a slice of it. */
    static final long SEGMENT_DELETE_DELAY_MS = 60_000;

    private record RetiredSegment(LogSegment segment, long retiredAtMs) {
    }

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Time time;
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final ProducerStateManager producerState;
    private final OffsetCheckpointFile recoveryPointFile;
    private final OffsetCheckpointFile logStartOffsetFile;
    private final Object flushLock = new Object();
    private final ArrayDeque<RetiredSegment> retired = new ArrayDeque<>(); // guarded by this
    private final LoadSummary loadSummary;

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
        this.producerState = new ProducerStateManager(dir, topicPartition);
        this.recoveryPointFile = new OffsetCheckpointFile(dir.resolve(LogFiles.RECOVERY_POINT_FILE));
        this.logStartOffsetFile = new OffsetCheckpointFile(dir.resolve(LogFiles.LOG_START_OFFSET_FILE));
        try {
            this.loadSummary = load();
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : segments.values()) {
                Utils.closeQuietly(segment, "segment " + segment);
            }
            throw e;
        }
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
            if (isIoFailure(e)) {
                throw new KafkaStorageException("Failed to open the log of " + topicPartition + " in " + dir + ": "
                        + e.getCause(), e.getCause());
            }
            throw e;
        }
    }

    // ---- loading ----

    private LoadSummary load() throws IOException {
        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        List<Long> baseOffsets = removeLeftoversAndListSegments();
        for (long baseOffset : baseOffsets) {
            segments.put(baseOffset, LogSegment.open(dir, baseOffset, config, time));
        }
        long recoveryPointCheckpoint = recoveryPointFile.read().orElse(0L);
        long logStartCheckpoint = logStartOffsetFile.read().orElse(0L);

        int recovered = 0;
        long bytesTruncated = 0;
        int dropped = 0;
        boolean dropRest = false;
        for (LogSegment segment : List.copyOf(segments.values())) {
            if (dropRest) {
                segments.remove(segment.baseOffset());
                segment.delete();
                dropped++;
                continue;
            }
            Long next = segments.higherKey(segment.baseOffset());
            boolean unflushed = !clean && (next == null || next > recoveryPointCheckpoint);
            if (unflushed || segment.indexFilesWereMissing() || !indexesLookSane(segment)) {
                int truncated = segment.recover();
                recovered++;
                bytesTruncated += truncated;
                // The log must stay contiguous: nothing after a hole can be trusted.
                dropRest = truncated > 0;
            }
        }
        if (segments.isEmpty()) {
            segments.put(logStartCheckpoint, LogSegment.create(dir, logStartCheckpoint, config, time));
        }

        LogSegment active = segments.lastEntry().getValue();
        long logEndOffset;
        try {
            logEndOffset = active.readNextOffset();
        } catch (CorruptRecordException e) {
            // Only a trusted (clean or flushed) segment gets here; trust ends at a bad batch.
            LOG.warnf("Recovering %s: %s", active, e.getMessage());
            bytesTruncated += active.recover();
            recovered++;
            logEndOffset = active.readNextOffset();
        }
        active.resizeIndexes(config.segmentIndexBytes());
        logEndOffsetMetadata = new OffsetMetadata(logEndOffset, active.baseOffset(), active.size());
        highWatermarkMetadata = logEndOffsetMetadata;

        logStartOffset = Math.min(Math.max(logStartCheckpoint, segments.firstKey()), logEndOffset);
        for (LogSegment segment : List.copyOf(segments.headMap(active.baseOffset()).values())) {
            Long next = segments.higherKey(segment.baseOffset());
            if (next <= logStartOffset) {
                // A crash came between persisting a new log start offset and deleting the segments below it.
                segments.remove(segment.baseOffset());
                segment.delete();
            }
        }
        recoveryPoint = clean ? logEndOffset : Math.min(recoveryPointCheckpoint, logEndOffset);

        loadProducerState(logEndOffset);

        if (clean) {
            // Must be gone for good before the first append: a stale marker would skip the next crash's recovery.
            Files.delete(marker);
            Utils.flushDir(dir);
        }
        lastFlushTime = time.milliseconds();
        LoadSummary summary = new LoadSummary(clean, segments.size(), recovered, bytesTruncated, dropped);
        // A broker holds thousands of partitions: only a load that had to recover is worth a line at INFO.
        boolean recoveryRan = !clean && !baseOffsets.isEmpty();
        LOG.logf(recoveryRan ? Logger.Level.INFO : Logger.Level.DEBUG,
                "Loaded %s: %d segments, offsets %d to %d, %s, %d segments recovered, "
                        + "%d bytes dropped, %d segments dropped",
                topicPartition, segments.size(), logStartOffset, logEndOffset,
                clean ? "clean shutdown" : baseOffsets.isEmpty() ? "new log" : "unclean shutdown",
                recovered, bytesTruncated, dropped);
        return summary;
    }

    /**
     * Finishes or rolls back a compaction's segment replacement that a crash interrupted (protocol in
     * {@link #replaceSegment}). A {@code <base>.log.swap} is a complete, fsynced compacted segment: it
     * replaces whatever {@code <base>.*} files remain, and its indexes are rebuilt on open. Any other
     * {@code .swap} or {@code .cleaned} file belongs to a replacement that had not reached that point,
     * so the old segment is intact and the file goes.
     */
    private void completeOrDiscardSwaps() throws IOException {
        List<Path> swapLogs = new ArrayList<>();
        List<Path> discard = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX)
                        && LogFiles.hasOffsetName(name, LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX)) {
                    swapLogs.add(file);
                } else if (name.endsWith(LogFiles.SWAP_SUFFIX) || name.endsWith(LogFiles.CLEANED_SUFFIX)) {
                    discard.add(file);
                }
            }
        }
        for (Path file : discard) {
            Files.deleteIfExists(file);
        }
        for (Path swapLog : swapLogs) {
            long baseOffset = LogFiles.offsetFromFileName(swapLog.getFileName().toString(),
                    LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX);
            Files.deleteIfExists(LogFiles.offsetIndexFile(dir, baseOffset));
            Files.deleteIfExists(LogFiles.timeIndexFile(dir, baseOffset));
            Utils.atomicMoveWithFallback(swapLog, LogFiles.logFile(dir, baseOffset));
            LOG.infof("Completed the replacement of segment %d of %s by its compacted copy", baseOffset, topicPartition);
        }
        if (!discard.isEmpty() || !swapLogs.isEmpty()) {
            Utils.flushDir(dir);
        }
    }

    /** Deletes files a crash can leave behind and returns the base offsets of the segments, ascending. */
    private List<Long> removeLeftoversAndListSegments() throws IOException {
        completeOrDiscardSwaps();
        List<Long> baseOffsets = new ArrayList<>();
        List<Path> indexFiles = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(LogFiles.DELETED_SUFFIX) || name.endsWith(LogFiles.TMP_SUFFIX)) {
                    Files.deleteIfExists(file);
                } else if (LogFiles.hasOffsetName(name, LogFiles.LOG_SUFFIX)) {
                    baseOffsets.add(LogFiles.offsetFromFileName(name, LogFiles.LOG_SUFFIX));
                } else if (LogFiles.hasOffsetName(name, LogFiles.INDEX_SUFFIX)
                        || LogFiles.hasOffsetName(name, LogFiles.TIME_INDEX_SUFFIX)) {
                    indexFiles.add(file);
                }
            }
        }
        for (Path indexFile : indexFiles) {
            String name = indexFile.getFileName().toString();
            long baseOffset = Long.parseLong(name.substring(0, name.indexOf('.')));
            if (!baseOffsets.contains(baseOffset)) {
                Files.deleteIfExists(indexFile);
            }
        }
        baseOffsets.sort(null);
        return baseOffsets;
    }

    private boolean indexesLookSane(LogSegment segment) {
        try {
            segment.sanityCheck();
            return true;
        } catch (CorruptIndexException e) {
            LOG.warnf("Rebuilding the indexes of %s: %s", segment, e.getMessage());
            return false;
        }
    }

    /** Loads the latest snapshot and replays the batch headers after it; no record is decoded. */
    private void loadProducerState(long logEndOffset) {
        OptionalLong snapshot;
        try {
            snapshot = producerState.loadLatestSnapshot(logEndOffset);
        } catch (IOException e) {
            throw new KafkaStorageException("Failed to read producer state snapshots of " + topicPartition + " in "
                    + dir + ": " + e, e);
        }
        long from = Math.max(snapshot.orElse(0L), segments.firstKey());
        Long first = segments.floorKey(from);
        for (LogSegment segment : segments.tailMap(first == null ? segments.firstKey() : first).values()) {
            int position = segment.offsetIndex().lookup(from).position();
            for (FileChannelRecordBatch batch : segment.log().batchesFrom(position)) {
                if (batch.baseOffset() >= from) {
                    producerState.replay(batch);
                }
            }
        }
        producerState.updateMapEndOffset(logEndOffset);
    }

    // ---- appends ----

    /** {@link #append(MemoryRecords, int)} leaving each batch's partition leader epoch as sent. */
    public AppendResult append(MemoryRecords records) {
        return append(records, RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }

    /**
     * Validates every batch, then appends them all or none. Assigns offsets from the log end offset and,
     * for LogAppendTime, the broker time, by rewriting the batch headers in {@code records}' buffer.
     * A retry of one of a producer's last 5 batches appends nothing and returns the original offsets.
     *
     * @param leaderEpoch stamped on every batch, unless {@link RecordBatch#NO_PARTITION_LEADER_EPOCH}
     * @throws InvalidRecordException      not magic v2, no batch, unknown compression, bad record count or
     *                                     offset delta, negative sequence, a control or transactional batch,
     *                                     a record without a key in a compacted log
     * @throws CorruptRecordException      CRC mismatch, malformed batch, trailing bytes
     * @throws RecordTooLargeException     a batch is larger than {@code max.message.bytes}
     * @throws RecordBatchTooLargeException the request is larger than {@code segment.bytes}
     * @throws InvalidTimestampException   a CreateTime timestamp outside the configured bounds
     * @throws org.apache.kafka.common.errors.InvalidProducerEpochException an epoch older than the producer's
     * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException a sequence gap, or a new epoch not at 0
     * @throws KafkaStorageException       I/O failure; the log is then offline
     */
    public synchronized AppendResult append(MemoryRecords records, int leaderEpoch) {
        ensureUsable();
        LogConfig config = this.config;
        long now = time.milliseconds();
        List<MutableRecordBatch> batches = validate(records, config, now);
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

        LogSegment segment = segments.lastEntry().getValue();
        try {
            segment = maybeRoll(segment, config, records.sizeInBytes(), maxTimestamp, lastOffset, now);
            long offset = firstOffset;
            for (MutableRecordBatch batch : batches) {
                long delta = batch.lastOffset() - batch.baseOffset();
                batch.setLastOffset(offset + delta);
                if (logAppendTime) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
                }
                if (leaderEpoch != RecordBatch.NO_PARTITION_LEADER_EPOCH) {
                    batch.setPartitionLeaderEpoch(leaderEpoch);
                }
                offset += delta + 1;
            }
            segment.append(lastOffset, maxTimestamp, offsetOfMaxTimestamp, records);
        } catch (IOException e) {
            offline = true;
            throw storageError("appending to", segment.log().file().toPath(), e);
        }
        producerState.commit(pending, lastOffset + 1);
        OffsetMetadata end = new OffsetMetadata(lastOffset + 1, segment.baseOffset(), segment.size());
        logEndOffsetMetadata = end;
        highWatermarkMetadata = end;

        if (unflushedMessages() >= config.flushMessages() || now - lastFlushTime >= config.flushMs()) {
            flushOrGoOffline(lastOffset + 1);
        }
        deleteRetiredSegments(now, false);
        return new AppendResult(firstOffset, lastOffset, logAppendTime ? now : RecordBatch.NO_TIMESTAMP,
                logStartOffset, false);
    }

    private List<MutableRecordBatch> validate(MemoryRecords records, LogConfig config, long now) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        long bytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new InvalidRecordException("Batch magic " + batch.magic() + " in a produce to " + topicPartition
                        + " is not supported; only v2 is");
            }
            if (batch.sizeInBytes() > config.maxMessageBytes()) {
                throw new RecordTooLargeException("Batch of " + batch.sizeInBytes() + " bytes in a produce to "
                        + topicPartition + " exceeds max.message.bytes " + config.maxMessageBytes());
            }
            batch.ensureValid();
            try {
                batch.compressionType();
            } catch (IllegalArgumentException e) {
                throw new InvalidRecordException("Batch in a produce to " + topicPartition + ": " + e.getMessage());
            }
            Integer count = batch.countOrNull();
            if (count == null || count <= 0 || batch.lastOffset() - batch.baseOffset() != count - 1L) {
                throw new InvalidRecordException("Batch in a produce to " + topicPartition + " has " + count
                        + " records but offset delta " + (batch.lastOffset() - batch.baseOffset()));
            }
            if (batch.isControlBatch()) {
                throw new InvalidRecordException("Clients may not write control batches to " + topicPartition);
            }
            if (batch.isTransactional()) {
                throw new InvalidRecordException("Transactional batches are not supported (" + topicPartition + ")");
            }
            if (batch.hasProducerId() && batch.baseSequence() < 0) {
                throw new InvalidRecordException("Idempotent batch in a produce to " + topicPartition
                        + " has sequence " + batch.baseSequence());
            }
            if (config.compact()) {
                requireKeys(batch);
            }
            if (!config.logAppendTime()) {
                if (batch instanceof DefaultRecordBatch defaultBatch) {
                    checkTimestamp(defaultBatch.baseTimestamp(), config, now);
                }
                checkTimestamp(batch.maxTimestamp(), config, now);
            }
            bytes += batch.sizeInBytes();
            batches.add(batch);
        }
        if (batches.isEmpty()) {
            throw new InvalidRecordException("Produce to " + topicPartition + " holds no record batch");
        }
        if (bytes != records.sizeInBytes()) {
            throw new CorruptRecordException("Produce to " + topicPartition + " has " + (records.sizeInBytes() - bytes)
                    + " bytes after its last whole batch");
        }
        if (bytes > config.segmentBytes()) {
            throw new RecordBatchTooLargeException("Produce of " + bytes + " bytes to " + topicPartition
                    + " exceeds segment.bytes " + config.segmentBytes());
        }
        return batches;
    }

    /** Compaction keeps the latest record per key, so a record without one has no place in a compacted log (Kafka's rule). */
    private void requireKeys(MutableRecordBatch batch) {
        try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            while (records.hasNext()) {
                if (!records.next().hasKey()) {
                    throw new InvalidRecordException("Compacted topic cannot accept message without key in topic "
                            + "partition " + topicPartition + ".");
                }
            }
        }
    }

    /** Bounds the first and the max timestamp of a batch; records in between are not decoded. */
    private void checkTimestamp(long timestamp, LogConfig config, long now) {
        if (timestamp == RecordBatch.NO_TIMESTAMP) {
            return;
        }
        if (timestamp < now - config.messageTimestampBeforeMaxMs()) {
            throw new InvalidTimestampException("Timestamp " + timestamp + " in a produce to " + topicPartition
                    + " is more than message.timestamp.before.max.ms " + config.messageTimestampBeforeMaxMs()
                    + " before the broker time " + now);
        }
        long afterMax = config.messageTimestampAfterMaxMs();
        if (afterMax < Long.MAX_VALUE - now && timestamp > now + afterMax) {
            throw new InvalidTimestampException("Timestamp " + timestamp + " in a produce to " + topicPartition
                    + " is more than message.timestamp.after.max.ms " + afterMax + " after the broker time " + now);
        }
    }

    private LogSegment maybeRoll(LogSegment active, LogConfig config, int messagesSize, long maxTimestamp,
                                 long lastOffset, long now) throws IOException {
        if (!active.shouldRoll(config, messagesSize, maxTimestamp, lastOffset, now)) {
            return active;
        }
        long newBaseOffset = logEndOffsetMetadata.messageOffset();
        active.onBecomeInactive();
        LogSegment next = LogSegment.create(dir, newBaseOffset, config, time);
        segments.put(newBaseOffset, next);
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
        long start = logStartOffset;
        if (fetchOffset < start || fetchOffset > end.messageOffset()) {
            throw outOfRange(fetchOffset, start, end.messageOffset());
        }
        try {
            if (fetchOffset < highWatermark.messageOffset()) {
                Map.Entry<Long, LogSegment> entry = segments.floorEntry(fetchOffset);
                if (entry == null) {
                    // DeleteRecords removed the segment since the range check.
                    throw outOfRange(fetchOffset, logStartOffset, end.messageOffset());
                }
                while (entry != null && entry.getKey() <= highWatermark.segmentBaseOffset()) {
                    LogSegment segment = entry.getValue();
                    long maxPosition = segment.baseOffset() == highWatermark.segmentBaseOffset()
                            ? highWatermark.relativePosition()
                            : segment.size();
                    SegmentRead read = segment.read(fetchOffset, maxBytes, maxPosition, minOneMessage);
                    if (read != null) {
                        // As Kafka does for fetch v3+: a cut first batch is useless to the client.
                        FileRecords records = read.firstBatchIncomplete() ? read.records().slice(0, 0) : read.records();
                        return new LogReadResult(records, highWatermark.messageOffset(), start, end.messageOffset());
                    }
                    entry = segments.higherEntry(entry.getKey());
                }
            }
            return new LogReadResult(segments.lastEntry().getValue().log().slice(0, 0), highWatermark.messageOffset(),
                    start, end.messageOffset());
        } catch (KafkaException e) {
            throw rethrowIoFailure(e, "reading");
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
            for (LogSegment segment : segments.values()) {
                if (segment.maxTimestampSoFar().timestamp() >= timestamp) {
                    Optional<TimestampOffset> found = segment.findOffsetByTimestamp(timestamp, start);
                    if (found.isPresent()) {
                        return found.filter(f -> f.offset() < highWatermark);
                    }
                }
            }
            return Optional.empty();
        } catch (KafkaException e) {
            throw rethrowIoFailure(e, "searching by timestamp in");
        }
    }

    /**
     * The largest timestamp below the high watermark and the offset of the first record carrying it
     * (ListOffsets MAX_TIMESTAMP), or {@link TimestampOffset#UNKNOWN} if no record has a timestamp.
     */
    public TimestampOffset maxTimestampOffset() {
        ensureUsable();
        LogSegment best = null;
        TimestampOffset max = TimestampOffset.UNKNOWN;
        for (LogSegment segment : segments.values()) {
            TimestampOffset candidate = segment.maxTimestampSoFar();
            if (candidate.timestamp() > max.timestamp()) {
                best = segment;
                max = candidate;
            }
        }
        if (best == null) {
            return TimestampOffset.UNKNOWN;
        }
        try {
            int position = best.offsetIndex().lookup(max.offset()).position();
            for (FileChannelRecordBatch batch : best.log().batchesFrom(position)) {
                if (batch.maxTimestamp() == max.timestamp()) {
                    long offset = batch.offsetOfMaxTimestamp().orElse(batch.lastOffset());
                    return offset < highWatermark() ? new TimestampOffset(max.timestamp(), offset) : TimestampOffset.UNKNOWN;
                }
            }
            return TimestampOffset.UNKNOWN;
        } catch (KafkaException e) {
            throw rethrowIoFailure(e, "searching the max timestamp in");
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

    /**
     * Moves the high watermark, clamped to {@code [logStartOffset, logEndOffset]}.
     *
     * @return the high watermark set
     */
    public synchronized long updateHighWatermark(long offset) {
        ensureUsable();
        long clamped = Math.max(logStartOffset, Math.min(offset, logEndOffset()));
        try {
            highWatermarkMetadata = offsetMetadata(clamped);
        } catch (KafkaException e) {
            throw rethrowIoFailure(e, "moving the high watermark of");
        }
        return clamped;
    }

    private OffsetMetadata offsetMetadata(long offset) {
        OffsetMetadata end = logEndOffsetMetadata;
        if (offset >= end.messageOffset()) {
            return end;
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        while (entry != null) {
            FileRecords.LogOffsetPosition position = entry.getValue().translateOffset(offset);
            if (position != null) {
                return new OffsetMetadata(offset, entry.getKey(), position.position);
            }
            entry = segments.higherEntry(entry.getKey());
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
            long activeBaseOffset = segments.lastKey();
            for (LogSegment segment : List.copyOf(segments.headMap(activeBaseOffset).values())) {
                if (segments.higherKey(segment.baseOffset()) > offset) {
                    break;
                }
                segments.remove(segment.baseOffset());
                segment.markDeleted();
                retired.add(new RetiredSegment(segment, now));
            }
            deleteRetiredSegments(now, false);
        } catch (IOException e) {
            offline = true;
            throw storageError("deleting records of", logStartOffsetFile.file(), e);
        }
        return offset;
    }

    /** Total bytes of record batches in the log. */
    public long size() {
        long size = 0;
        for (LogSegment segment : segments.values()) {
            size += segment.size();
        }
        return size;
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
            throw storageError("flushing", dir, e);
        }
    }

    private void flushUpTo(long offset) throws IOException {
        synchronized (flushLock) {
            if (closed) {
                return;
            }
            if (offset > recoveryPoint) {
                Long from = segments.floorKey(recoveryPoint);
                for (LogSegment segment : segments.subMap(from == null ? segments.firstKey() : from, true, offset, false)
                        .values()) {
                    segment.flush();
                }
                recoveryPoint = offset;
                recoveryPointFile.write(offset);
            }
            lastFlushTime = time.milliseconds();
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
        return List.copyOf(segments.values());
    }

    /**
     * The segments that nothing will change any more except compaction: those below both the active
     * segment and the segment holding the high watermark, oldest first, each with the offset it ends
     * before (the next segment's base offset). A snapshot.
     */
    public List<ClosedSegment> closedSegments() {
        long bound = Math.min(segments.lastKey(), highWatermarkMetadata.segmentBaseOffset());
        List<ClosedSegment> closed = new ArrayList<>();
        Map.Entry<Long, LogSegment> entry = segments.firstEntry();
        while (entry != null && entry.getKey() < bound) {
            Map.Entry<Long, LogSegment> next = segments.higherEntry(entry.getKey());
            if (next == null) {
                break;
            }
            closed.add(new ClosedSegment(entry.getValue(), next.getKey()));
            entry = next;
        }
        return closed;
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
        if (segments.get(baseOffset) != old || baseOffset >= segments.lastKey()) {
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
            throw storageError("replacing a compacted segment of", cleaned.log().file().toPath(), e);
        }
        segments.put(baseOffset, cleaned);
        long now = time.milliseconds();
        retired.add(new RetiredSegment(old, now));
        deleteRetiredSegments(now, false);
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
            throw storageError("deleting", dir, e);
        }
    }

    private void closeSegments(boolean writeMarker) {
        synchronized (flushLock) {
            IOException failure = null;
            Path failedFile = dir;
            if (!offline) {
                try {
                    flushUpTo(logEndOffset());
                    producerState.takeSnapshot();
                } catch (IOException e) {
                    failure = e;
                }
            }
            closed = true;
            for (LogSegment segment : segments.values()) {
                try {
                    segment.close();
                } catch (IOException | RuntimeException e) {
                    if (failure == null) {
                        failure = e instanceof IOException io ? io : new IOException(e);
                        failedFile = segment.log().file().toPath();
                    }
                }
            }
            deleteRetiredSegments(time.milliseconds(), true);
            if (failure == null && writeMarker && !offline) {
                try {
                    AtomicFiles.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN_FILE), ByteBuffer.allocate(0));
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                offline = true;
                throw storageError("closing", failedFile, failure);
            }
        }
    }

    private void deleteRetiredSegments(long now, boolean all) {
        while (!retired.isEmpty() && (all || now - retired.peekFirst().retiredAtMs() >= SEGMENT_DELETE_DELAY_MS)) {
            LogSegment segment = retired.pollFirst().segment();
            try {
                segment.delete();
            } catch (IOException e) {
                LOG.warnf(e, "Failed to delete segment %s of %s", segment, topicPartition);
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

    /** @param end the log end offset, which is exclusive: the offset the next record will get */
    private OffsetOutOfRangeException outOfRange(long offset, long start, long end) {
        String holds = start < end
                ? "the log holds offsets " + start + " to " + (end - 1) + " and its next offset is " + end
                : "the log is empty and its next offset is " + end;
        return new OffsetOutOfRangeException("Offset " + offset + " is out of range for " + topicPartition + ": " + holds);
    }

    private KafkaStorageException storageError(String action, Path file, Exception e) {
        return new KafkaStorageException("I/O error " + action + " " + topicPartition + " (" + file + "): " + e, e);
    }

    /** kafka-clients' record iterators wrap an IOException in a bare KafkaException. */
    private static boolean isIoFailure(KafkaException e) {
        return e.getClass() == KafkaException.class && e.getCause() instanceof IOException;
    }

    private KafkaException rethrowIoFailure(KafkaException e, String action) {
        if (isIoFailure(e)) {
            return storageError(action, dir, (IOException) e.getCause());
        }
        return e;
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", " + dir + ")";
    }
}
