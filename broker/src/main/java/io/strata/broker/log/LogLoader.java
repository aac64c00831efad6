package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Start-up recovery of one partition directory (layout in {@link LogFiles}): finishes or rolls back the
 * segment replacements and deletions a crash interrupted, opens the segments, and decides which to trust.
 *
 * <p>After a clean close (the clean-shutdown marker is present) segments are trusted unscanned. After a
 * crash, every segment from the recovery point on is scanned, re-indexed, and cut at its first invalid
 * batch; nothing after a cut is kept, so the log stays contiguous. A segment with a missing or implausible
 * index is re-indexed either way. The producer state is then rebuilt from the latest snapshot and the batch
 * headers after it, the leader epochs read from their checkpoint (or rebuilt from the batch headers if it is
 * missing) and cut at the log end, and the marker removed.
 *
 * <p>Not thread-safe: one loader opens one log, once, before anything else can see it.
 */
final class LogLoader {

    private static final Logger LOG = Logger.getLogger(LogLoader.class);

    /**
     * The log as loaded.
     *
     * @param logEndOffset   the offset after the last batch, with its place in the active segment
     * @param logStartOffset the first visible offset
     * @param recoveryPoint  the offset below which everything is on disk
     */
    record LoadedLog(LogSegments segments, OffsetMetadata logEndOffset, long logStartOffset, long recoveryPoint,
                     LeaderEpochCache epochs, LoadSummary summary) {
    }

    private final Path dir;
    private final TopicPartition topicPartition;
    private final LogConfig config;
    private final Time time;
    private final ProducerStateManager producerState;
    private final OffsetCheckpointFile recoveryPointFile;
    private final OffsetCheckpointFile logStartOffsetFile;
    private final LogSegments segments = new LogSegments();

    LogLoader(Path dir, TopicPartition topicPartition, LogConfig config, Time time, ProducerStateManager producerState,
              OffsetCheckpointFile recoveryPointFile, OffsetCheckpointFile logStartOffsetFile) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.config = config;
        this.time = time;
        this.producerState = producerState;
        this.recoveryPointFile = recoveryPointFile;
        this.logStartOffsetFile = logStartOffsetFile;
    }

    /** Loads the log, closing every segment it opened if it fails. */
    LoadedLog load() throws IOException {
        try {
            return loadSegments();
        } catch (IOException | RuntimeException e) {
            for (LogSegment segment : segments.all()) {
                Utils.closeQuietly(segment, "segment " + segment);
            }
            throw e;
        }
    }

    private LoadedLog loadSegments() throws IOException {
        Path marker = dir.resolve(LogFiles.CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        List<Long> baseOffsets = removeLeftoversAndListSegments();
        for (long baseOffset : baseOffsets) {
            segments.add(LogSegment.open(dir, baseOffset, config, time));
        }
        long recoveryPointCheckpoint = recoveryPointFile.read().orElse(0L);
        long logStartCheckpoint = logStartOffsetFile.read().orElse(0L);

        List<LogSegment> recoveredSegments = new ArrayList<>();
        long bytesTruncated = 0;
        int dropped = 0;
        boolean dropRest = false;
        for (LogSegment segment : segments.all()) {
            if (dropRest) {
                segments.remove(segment);
                segment.delete();
                dropped++;
                continue;
            }
            OptionalLong next = segments.nextBaseOffset(segment.baseOffset());
            boolean unflushed = !clean && (next.isEmpty() || next.getAsLong() > recoveryPointCheckpoint);
            if (unflushed || segment.indexFilesWereMissing() || !indexesLookSane(segment)) {
                int truncated = segment.recover();
                recoveredSegments.add(segment);
                bytesTruncated += truncated;
                // The log must stay contiguous: nothing after a hole can be trusted.
                dropRest = truncated > 0;
            }
        }
        if (segments.isEmpty()) {
            segments.add(LogSegment.create(dir, logStartCheckpoint, config, time));
        }

        LogSegment active = segments.active();
        long logEndOffset;
        try {
            logEndOffset = active.readNextOffset();
        } catch (CorruptRecordException e) {
            // Only a trusted (clean or flushed) segment gets here; trust ends at a bad batch.
            LOG.warnf("Recovering %s: %s", active, e.getMessage());
            bytesTruncated += active.recover();
            if (!recoveredSegments.contains(active)) {
                recoveredSegments.add(active);
            }
            logEndOffset = active.readNextOffset();
        }
        active.resizeIndexes(config.segmentIndexBytes());

        long logStartOffset = Math.min(Math.max(logStartCheckpoint, segments.firstBaseOffset()), logEndOffset);
        for (LogSegment segment : segments.below(active.baseOffset())) {
            if (segments.nextBaseOffset(segment.baseOffset()).getAsLong() <= logStartOffset) {
                // A crash came between persisting a new log start offset and deleting the segments below it.
                segments.remove(segment);
                segment.delete();
            }
        }
        long recoveryPoint = clean ? logEndOffset : Math.min(recoveryPointCheckpoint, logEndOffset);

        try {
            rebuildProducerState(recoveredSegments, logEndOffset);
        } catch (IOException e) {
            throw new KafkaStorageException("Failed to read producer state snapshots of " + topicPartition + " in "
                    + dir + ": " + e, e);
        }
        LeaderEpochCache epochs = loadLeaderEpochs(logEndOffset);

        if (clean) {
            // Must be gone for good before the first append: a stale marker would skip the next crash's recovery.
            Files.delete(marker);
            Utils.flushDir(dir);
        }
        int recovered = recoveredSegments.size();
        LoadSummary summary = new LoadSummary(clean, segments.count(), recovered, bytesTruncated, dropped);
        // A broker holds thousands of partitions: the broker-wide total is what goes to INFO.
        LOG.debugf("Loaded %s: %d segments, offsets %d to %d, %s, %d segments recovered, "
                        + "%d bytes dropped, %d segments dropped",
                topicPartition, segments.count(), logStartOffset, logEndOffset,
                clean ? "clean shutdown" : baseOffsets.isEmpty() ? "new log" : "unclean shutdown",
                recovered, bytesTruncated, dropped);
        OffsetMetadata end = new OffsetMetadata(logEndOffset, active.baseOffset(), active.size());
        return new LoadedLog(segments, end, logStartOffset, recoveryPoint, epochs, summary);
    }

    /**
     * Rebuilds the producer state and, for each segment recovery emptied the transaction index of, the aborted
     * transactions whose markers it holds: the replay starts no later than the first such segment.
     */
    private void rebuildProducerState(List<LogSegment> recoveredSegments, long logEndOffset) throws IOException {
        long replayFrom = recoveredSegments.stream().filter(segments::contains).mapToLong(LogSegment::baseOffset)
                .min().orElse(logEndOffset);
        for (AbortedTxn txn : producerState.rebuild(segments, logEndOffset, replayFrom)) {
            LogSegment holder = segments.floor(txn.lastOffset());
            if (recoveredSegments.contains(holder)) {
                holder.txnIndex().append(txn);
            }
        }
    }

    /**
     * Finishes or rolls back a compaction's segment replacement that a crash interrupted (protocol in
     * {@link PartitionLog#replaceSegment}). A {@code <base>.log.swap} is a complete, fsynced compacted
     * segment: it replaces whatever {@code <base>.*} files remain, and its indexes are rebuilt on open (the
     * transaction index by the log's recovery, as for any recovered segment). Any
     * other {@code .swap} or {@code .cleaned} file belongs to a replacement that had not reached that point,
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
            for (Path indexFile : LogFiles.indexFiles(dir, baseOffset)) {
                Files.deleteIfExists(indexFile);
            }
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
                } else if (LogFiles.isIndexFileName(name)) {
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

    /**
     * The leader epochs from their checkpoint, less those starting at or after the log end: an epoch is written
     * there before its first batch reaches the log, so a crash or recovery can only have cut batches the checkpoint
     * names, never added any it lacks. A non-empty log without a readable checkpoint (written before epochs were
     * kept, or a malformed file) has the epochs rebuilt from its batch headers, and written, once.
     */
    private LeaderEpochCache loadLeaderEpochs(long logEndOffset) throws IOException {
        LeaderEpochCache.Loaded loaded = LeaderEpochCache.load(dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT_FILE),
                topicPartition);
        LeaderEpochCache epochs = loaded.cache();
        if (loaded.fromFile()) {
            epochs.truncateFromEnd(logEndOffset);
        } else if (segments.sizeInBytes() > 0) {
            LOG.infof("Rebuilding the leader epochs of %s from its batch headers", topicPartition);
            epochs.rebuild(segments.batchesFrom(segments.firstBaseOffset()));
        }
        return epochs;
    }

    private boolean indexesLookSane(LogSegment segment) throws IOException {
        try {
            segment.sanityCheck();
            return true;
        } catch (CorruptIndexException e) {
            LOG.warnf("Rebuilding the indexes of %s: %s", segment, e.getMessage());
            return false;
        }
    }
}
