package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/**
 * One segment of a partition log: the record batches of a contiguous offset range in a
 * {@code <baseOffset>.log} file ({@link FileRecords}, batches exactly as the producer sent them, with
 * offsets and LogAppendTime rewritten), plus its {@link OffsetIndex}, {@link TimeIndex} and
 * {@link TransactionIndex}. File names come from {@link LogFiles}.
 *
 * <p>Thread-safety: appends, truncation, recovery, rolling and closing come from one thread at a time (the
 * owning {@link PartitionLog} serialises them). {@link #read}, {@link #findOffsetByTimestamp},
 * {@link #largestTimestamp} and {@link #size} may run concurrently with an append: the file only
 * grows between truncations, its size is published after each write, and the indexes lock their own
 * mappings. A read concurrent with {@link #truncateTo} sees the file cut at some point of its read.
 */
public final class LogSegment implements Closeable {

    private static final Logger LOG = Logger.getLogger(LogSegment.class);

    private final long baseOffset;
    private final FileRecords log;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;
    private final int indexIntervalBytes;
    private final int maxIndexSize;
    private final long created;
    private final boolean indexFilesWereMissing;

    private int bytesSinceLastIndexEntry;
    /**
     * Whether appends or a truncation may not be on disk yet. {@link #close()} fsyncs only then, so a
     * clean stop does not fsync every idle segment of thousands of partitions.
     */
    private volatile boolean unflushed;
    /** Largest batch max timestamp and the last offset of that batch; (-1, -1) if none has one. */
    private volatile TimestampOffset maxTimestampSoFar;
    /** Timestamp of the first append, the clock for segment.ms; null until known. */
    private Long rollingBasedTimestamp;

    private LogSegment(long baseOffset, FileRecords log, OffsetIndex offsetIndex, TimeIndex timeIndex,
                       TransactionIndex txnIndex, LogConfig config, long created, boolean indexFilesWereMissing) {
        this.baseOffset = baseOffset;
        this.log = log;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.indexIntervalBytes = config.indexIntervalBytes();
        this.maxIndexSize = config.segmentIndexBytes();
        this.created = created;
        this.indexFilesWereMissing = indexFilesWereMissing;
        TimestampOffset last = timeIndex.lastEntry();
        // A segment closed cleanly ends its time index with its largest timestamp.
        this.maxTimestampSoFar = timeIndex.entries() == 0 ? TimestampOffset.UNKNOWN : last;
    }

    /**
     * Opens the segment at {@code baseOffset} in {@code dir}, creating any missing file. An index file
     * created here is empty although the log may not be: see {@link #indexFilesWereMissing()}.
     */
    public static LogSegment open(Path dir, long baseOffset, LogConfig config, Time time) throws IOException {
        return open(dir, baseOffset, "", config, time);
    }

    /**
     * Creates an empty segment whose files carry {@link LogFiles#CLEANED_SUFFIX}, for a compacted copy
     * of the segment at {@code baseOffset}, replacing any a failed compaction left behind.
     */
    public static LogSegment createCleaned(Path dir, long baseOffset, LogConfig config, Time time) throws IOException {
        String suffix = LogFiles.CLEANED_SUFFIX;
        Files.deleteIfExists(LogFiles.withSuffix(LogFiles.logFile(dir, baseOffset), suffix));
        for (Path indexFile : LogFiles.indexFiles(dir, baseOffset)) {
            Files.deleteIfExists(LogFiles.withSuffix(indexFile, suffix));
        }
        return open(dir, baseOffset, suffix, config, time);
    }

    private static LogSegment open(Path dir, long baseOffset, String suffix, LogConfig config, Time time)
            throws IOException {
        Path logFile = LogFiles.withSuffix(LogFiles.logFile(dir, baseOffset), suffix);
        Path indexFile = LogFiles.withSuffix(LogFiles.offsetIndexFile(dir, baseOffset), suffix);
        Path timeIndexFile = LogFiles.withSuffix(LogFiles.timeIndexFile(dir, baseOffset), suffix);
        Path txnIndexFile = LogFiles.withSuffix(LogFiles.transactionIndexFile(dir, baseOffset), suffix);
        FileRecords log = FileRecords.open(logFile.toFile());
        // Indexes are created with their first entry: only a segment with records misses them after a crash.
        // Not the transaction index, which most segments never need.
        boolean missing = log.sizeInBytes() > 0 && (!Files.exists(indexFile) || !Files.exists(timeIndexFile));
        OffsetIndex offsetIndex = null;
        try {
            offsetIndex = new OffsetIndex(indexFile, baseOffset, config.segmentIndexBytes());
            TimeIndex timeIndex = new TimeIndex(timeIndexFile, baseOffset, config.segmentIndexBytes());
            return new LogSegment(baseOffset, log, offsetIndex, timeIndex, new TransactionIndex(baseOffset, txnIndexFile),
                    config, time.milliseconds(), missing);
        } catch (IOException | RuntimeException e) {
            log.closeHandlers();
            if (offsetIndex != null) {
                offsetIndex.close();
            }
            throw e;
        }
    }

    /**
     * Creates an empty segment at {@code baseOffset}, removing index files a crash may have left.
     *
     * @throws IOException if a non-empty log file already exists there
     */
    public static LogSegment create(Path dir, long baseOffset, LogConfig config, Time time) throws IOException {
        Path logFile = LogFiles.logFile(dir, baseOffset);
        if (Files.exists(logFile) && Files.size(logFile) > 0) {
            throw new IOException("Cannot create segment " + logFile + ": a non-empty file exists");
        }
        for (Path indexFile : LogFiles.indexFiles(dir, baseOffset)) {
            Files.deleteIfExists(indexFile);
        }
        return open(dir, baseOffset, config, time);
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** Bytes of record batches in the segment. */
    public int size() {
        return log.sizeInBytes();
    }

    public FileRecords log() {
        return log;
    }

    public OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    public TimeIndex timeIndex() {
        return timeIndex;
    }

    /** The aborted transactions whose abort markers are in this segment. */
    public TransactionIndex txnIndex() {
        return txnIndex;
    }

    /** Whether an index file was absent at open, so the indexes must be rebuilt with {@link #recover()}. */
    public boolean indexFilesWereMissing() {
        return indexFilesWereMissing;
    }

    /**
     * Appends batches whose offsets are already assigned, adding an index entry if more than
     * {@code index.interval.bytes} were appended since the last one.
     *
     * @param largestOffset        last offset in {@code records}
     * @param largestTimestamp     largest batch max timestamp in {@code records}
     * @param offsetOfMaxTimestamp last offset of the batch holding {@code largestTimestamp}
     */
    public void append(long largestOffset, long largestTimestamp, long offsetOfMaxTimestamp,
                       MemoryRecords records) throws IOException {
        if (records.sizeInBytes() == 0) {
            return;
        }
        offsetIndex.relativeOffset(largestOffset); // fails before writing if the offset does not fit
        int physicalPosition = log.sizeInBytes();
        if (physicalPosition == 0) {
            rollingBasedTimestamp = largestTimestamp;
        }
        log.append(records);
        unflushed = true;
        if (largestTimestamp > maxTimestampSoFar.timestamp()) {
            maxTimestampSoFar = new TimestampOffset(largestTimestamp, offsetOfMaxTimestamp);
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes) {
            addIndexEntries(largestOffset, physicalPosition);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += records.sizeInBytes();
    }

    /**
     * A zero-copy slice starting at the batch that holds {@code startOffset}.
     *
     * @param maxSize        bytes wanted
     * @param maxPosition    byte position not to read past (the high watermark's, or the segment size)
     * @param minOneMessage  return the whole first batch even if larger than {@code maxSize}
     * @return the slice, or null if {@code startOffset} lies beyond the last batch of this segment
     */
    public SegmentRead read(long startOffset, int maxSize, long maxPosition, boolean minOneMessage) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("Invalid max size " + maxSize + " for a read from " + log.file());
        }
        FileRecords.LogOffsetPosition start = translateOffset(startOffset);
        if (start == null) {
            return null;
        }
        OffsetMetadata metadata = new OffsetMetadata(startOffset, baseOffset, start.position);
        int adjustedMaxSize = minOneMessage ? Math.max(maxSize, start.size) : maxSize;
        if (adjustedMaxSize == 0 || start.position >= maxPosition) {
            return new SegmentRead(metadata, log.slice(start.position, 0), false);
        }
        int fetchSize = (int) Math.min(maxPosition - start.position, adjustedMaxSize);
        return new SegmentRead(metadata, log.slice(start.position, fetchSize), fetchSize < start.size);
    }

    /** The position and size of the batch holding {@code offset}, or the next batch; null if none. */
    public FileRecords.LogOffsetPosition translateOffset(long offset) {
        OffsetPosition hint = offsetIndex.lookup(offset);
        return log.searchForOffsetFromPosition(offset, hint.position());
    }

    /** The offset after the last batch: a scan of the batch headers after the last index entry. */
    public long readNextOffset() {
        long next = baseOffset;
        for (FileChannelRecordBatch batch : log.batchesFrom(offsetIndex.lastEntry().position())) {
            next = batch.nextOffset();
        }
        return next;
    }

    /**
     * Rebuilds the indexes from the log: walks every batch, checking its CRC and offsets, stops at
     * the first invalid or truncated batch and cuts the file there. The transaction index is emptied: only the
     * log's recovery, which replays the producers' batches, can rebuild it.
     *
     * @return bytes cut off the end of the file
     */
    public int recover() throws IOException {
        // Also covers batches written straight to log(), as compaction writes its copy.
        unflushed = true;
        offsetIndex.reset(maxIndexSize);
        timeIndex.reset(maxIndexSize);
        txnIndex.reset();
        TimestampOffset max = TimestampOffset.UNKNOWN;
        int validBytes = 0;
        int lastIndexEntry = 0;
        long nextOffset = baseOffset;
        try {
            for (FileChannelRecordBatch batch : log.batches()) {
                if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                    throw new InvalidRecordException("Batch magic " + batch.magic() + " is not v2");
                }
                batch.ensureValid();
                if (batch.baseOffset() < nextOffset || batch.lastOffset() < batch.baseOffset()
                        || batch.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                    throw new InvalidRecordException("Batch offsets " + batch.baseOffset() + ".." + batch.lastOffset()
                            + " do not follow offset " + nextOffset);
                }
                if (batch.maxTimestamp() > max.timestamp()) {
                    max = new TimestampOffset(batch.maxTimestamp(), batch.lastOffset());
                }
                if (validBytes - lastIndexEntry > indexIntervalBytes) {
                    maxTimestampSoFar = max;
                    addIndexEntries(batch.lastOffset(), validBytes);
                    lastIndexEntry = validBytes;
                }
                validBytes += batch.sizeInBytes();
                nextOffset = batch.nextOffset();
            }
        } catch (CorruptRecordException | InvalidRecordException e) {
            LOG.warnf("Found invalid batch at byte %d of %s: %s", validBytes, log.file(), e.getMessage());
        }
        int truncated = log.sizeInBytes() - validBytes;
        if (truncated > 0) {
            LOG.warnf("Truncating %s to %d bytes: dropping %d invalid or partial bytes", log.file(), validBytes, truncated);
            log.truncateTo(validBytes);
        }
        maxTimestampSoFar = max;
        bytesSinceLastIndexEntry = validBytes - lastIndexEntry;
        rollingBasedTimestamp = null;
        // Leaves the indexes as a clean close would; the log resizes the active segment's again.
        appendFinalTimeIndexEntry();
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        return truncated;
    }

    /**
     * Removes the batch holding {@code offset} and every batch after it, with their index entries; a follower
     * cutting a tail the leader does not have. Leaves the segment ready for appends (indexes at full size), as
     * the active segment it becomes. Not flushed: the caller fsyncs.
     *
     * @return bytes cut off the end of the file; 0 if no batch holds {@code offset} or follows it
     */
    public int truncateTo(long offset) throws IOException {
        // Whatever the log holds: an abort marker at or after the offset would be cut with its batch.
        txnIndex.truncateTo(offset);
        FileRecords.LogOffsetPosition cut = translateOffset(offset);
        if (cut == null) {
            return 0;
        }
        offsetIndex.truncateTo(offset);
        timeIndex.truncateTo(offset);
        offsetIndex.resize(maxIndexSize);
        timeIndex.resize(maxIndexSize);
        int removed = log.truncateTo(cut.position);
        unflushed = true;
        rollingBasedTimestamp = null;
        bytesSinceLastIndexEntry = log.sizeInBytes() - offsetIndex.lastEntry().position();
        // The time index keeps the largest timestamp up to its last entry; the batches after it may hold a larger one.
        TimestampOffset max = timeIndex.entries() == 0 ? TimestampOffset.UNKNOWN : timeIndex.lastEntry();
        for (FileChannelRecordBatch batch : log.batchesFrom(offsetIndex.lookup(max.offset()).position())) {
            if (batch.maxTimestamp() > max.timestamp()) {
                max = new TimestampOffset(batch.maxTimestamp(), batch.lastOffset());
            }
        }
        maxTimestampSoFar = max;
        return removed;
    }

    /**
     * Cheap checks that the indexes fit the log: their own structure, and the last offset index entry pointing
     * at a batch header; O(1) but for the transaction index, whose few entries are all read.
     *
     * @throws CorruptIndexException if a check fails
     */
    public void sanityCheck() throws IOException {
        offsetIndex.sanityCheck();
        timeIndex.sanityCheck();
        txnIndex.sanityCheck();
        OffsetPosition last = offsetIndex.lastEntry();
        if (offsetIndex.entries() == 0) {
            return;
        }
        if (last.position() >= log.sizeInBytes()) {
            throw new CorruptIndexException("Index " + offsetIndex.file() + " points at byte " + last.position()
                    + " beyond the end of " + log.file() + " (" + log.sizeInBytes() + " bytes)");
        }
        try {
            Iterator<FileChannelRecordBatch> batches = log.batchesFrom(last.position()).iterator();
            FileChannelRecordBatch batch = batches.hasNext() ? batches.next() : null;
            if (batch == null || batch.baseOffset() < baseOffset || batch.baseOffset() > last.offset()) {
                throw new CorruptIndexException("Index " + offsetIndex.file() + " entry " + last
                        + " does not point at a batch of " + log.file());
            }
        } catch (CorruptRecordException e) {
            throw new CorruptIndexException("Index " + offsetIndex.file() + " entry " + last
                    + " does not point at a batch of " + log.file() + ": " + e.getMessage());
        }
    }

    /**
     * The first record at or after {@code startingOffset} with a timestamp {@code >= timestamp}, with
     * its timestamp. Decodes the records of the batches it scans.
     */
    public Optional<TimestampOffset> findOffsetByTimestamp(long timestamp, long startingOffset) {
        TimestampOffset hint = timeIndex.lookup(timestamp);
        int position = offsetIndex.lookup(Math.max(hint.offset(), startingOffset)).position();
        FileRecords.TimestampAndOffset found = log.searchForTimestamp(timestamp, position, startingOffset);
        return Optional.ofNullable(found).map(t -> new TimestampOffset(t.timestamp, t.offset));
    }

    /** Largest batch max timestamp and the last offset of that batch, or (-1, -1). */
    public TimestampOffset maxTimestampSoFar() {
        return maxTimestampSoFar;
    }

    /**
     * The largest timestamp in the segment, or the file's modification time if no batch has one
     * (what retention by time compares).
     */
    public long largestTimestamp() throws IOException {
        long max = maxTimestampSoFar.timestamp();
        return max >= 0 ? max : Files.getLastModifiedTime(log.file().toPath()).toMillis();
    }

    /**
     * Whether an append of {@code messagesSize} bytes ending at {@code maxOffsetInMessages} must go to a
     * new segment: this one would pass {@code segment.bytes}, is older than {@code segment.ms} (measured
     * from its first append's timestamp, or its creation if that had none), has a full index, or cannot
     * store the offset relative to its base. An empty segment never rolls.
     */
    public boolean shouldRoll(LogConfig config, int messagesSize, long maxTimestampInMessages,
                              long maxOffsetInMessages, long now) {
        if (size() == 0) {
            return false;
        }
        boolean full = (long) size() + messagesSize > config.segmentBytes();
        boolean old = timeWaitedForRoll(now, maxTimestampInMessages) > config.segmentMs();
        boolean offsetOverflow = maxOffsetInMessages - baseOffset > Integer.MAX_VALUE;
        return full || old || offsetIndex.isFull() || timeIndex.isFull() || offsetOverflow;
    }

    private long timeWaitedForRoll(long now, long messageTimestamp) {
        if (rollingBasedTimestamp == null) {
            Iterator<FileChannelRecordBatch> batches = log.batches().iterator();
            rollingBasedTimestamp = batches.hasNext() ? batches.next().maxTimestamp() : RecordBatch.NO_TIMESTAMP;
        }
        return rollingBasedTimestamp >= 0 ? messageTimestamp - rollingBasedTimestamp : now - created;
    }

    /** Called when a newer segment takes over appends: records the largest timestamp and trims the files. */
    public void onBecomeInactive() throws IOException {
        appendFinalTimeIndexEntry();
        offsetIndex.trimToValidSize();
        timeIndex.trimToValidSize();
        log.trim();
    }

    /** Makes the active segment's indexes ready for appends again after a reopen. */
    public void resizeIndexes(int size) throws IOException {
        offsetIndex.resize(size);
        timeIndex.resize(size);
    }

    /** Fsyncs the log and the indexes. */
    public void flush() throws IOException {
        // Cleared first: an append that lands during the fsync sets it again.
        unflushed = false;
        log.flush();
        offsetIndex.flush();
        timeIndex.flush();
        txnIndex.flush();
    }

    /** Flushes and closes everything, leaving trimmed files that reopen without recovery. */
    @Override
    public void close() throws IOException {
        appendFinalTimeIndexEntry();
        if (size() > 0) {
            // Both index files, even empty ones: a missing one makes the next open rebuild the indexes.
            offsetIndex.trimToValidSize();
            timeIndex.trimToValidSize();
        }
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        if (unflushed) {
            log.close();
        } else {
            log.closeHandlers();
        }
    }

    /**
     * Renames the files to {@code *.deleted}. The open channel and mappings keep working, so reads
     * already holding a slice finish; {@link #delete()} later closes and removes them.
     */
    public void markDeleted() throws IOException {
        log.renameTo(LogFiles.deletedFile(log.file().toPath()).toFile());
        offsetIndex.renameTo(LogFiles.deletedFile(offsetIndex.file()));
        timeIndex.renameTo(LogFiles.deletedFile(timeIndex.file()));
        txnIndex.renameTo(LogFiles.deletedFile(txnIndex.file()));
    }

    /**
     * Renames the files from names ending in {@code oldSuffix} to names ending in {@code newSuffix}
     * (either may be empty), the indexes first and the log last: the log file's name is what an open
     * after a crash goes by. The open channel and mappings keep working.
     */
    public void changeFileSuffixes(String oldSuffix, String newSuffix) throws IOException {
        offsetIndex.renameTo(swapSuffix(offsetIndex.file(), oldSuffix, newSuffix));
        timeIndex.renameTo(swapSuffix(timeIndex.file(), oldSuffix, newSuffix));
        txnIndex.renameTo(swapSuffix(txnIndex.file(), oldSuffix, newSuffix));
        log.renameTo(swapSuffix(log.file().toPath(), oldSuffix, newSuffix).toFile());
    }

    /**
     * Makes this complete compacted copy ({@link #createCleaned}) take the place of {@code old} on disk, crash-safely:
     * fsyncs it, renames its files to {@link LogFiles#SWAP_SUFFIX} (from then on an open completes the replacement),
     * renames the old files {@code .deleted} and its own to the segment's names, fsyncing the directory in between.
     */
    public void replaceOnDisk(LogSegment old, Path dir) throws IOException {
        flush();
        changeFileSuffixes(LogFiles.CLEANED_SUFFIX, LogFiles.SWAP_SUFFIX);
        Utils.flushDir(dir);
        old.markDeleted();
        changeFileSuffixes(LogFiles.SWAP_SUFFIX, "");
        Utils.flushDir(dir);
    }

    private static Path swapSuffix(Path file, String oldSuffix, String newSuffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(oldSuffix)) {
            throw new IllegalStateException("File " + file + " does not end with " + oldSuffix);
        }
        return file.resolveSibling(name.substring(0, name.length() - oldSuffix.length()) + newSuffix);
    }

    /** Closes without flushing and deletes the files, under their current names. */
    public void delete() throws IOException {
        offsetIndex.deleteIfExists();
        timeIndex.deleteIfExists();
        txnIndex.deleteIfExists();
        log.deleteIfExists();
    }

    private void appendFinalTimeIndexEntry() {
        TimestampOffset max = maxTimestampSoFar;
        if (max.timestamp() >= 0) {
            timeIndex.maybeAppend(max.timestamp(), max.offset(), true);
        }
    }

    private void addIndexEntries(long offset, int position) {
        if (!offsetIndex.isFull()) {
            offsetIndex.append(offset, position);
        }
        TimestampOffset max = maxTimestampSoFar;
        if (max.timestamp() >= 0 && !timeIndex.isFull()) {
            timeIndex.maybeAppend(max.timestamp(), max.offset(), false);
        }
    }

    @Override
    public String toString() {
        return "LogSegment(" + log.file() + ", size=" + size() + ")";
    }
}
