package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.compaction.CleanedTransactions;
import io.strata.broker.compaction.CompactionFilter;
import io.strata.broker.compaction.CompactionPass;
import io.strata.broker.compaction.LogCleaner;
import io.strata.broker.compaction.OffsetMap;
import io.strata.broker.compaction.SegmentCompactor;
import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.LogConfig;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.TransactionIndex;
import io.strata.broker.partition.Partition;
import io.strata.tiered.LocalSegmentFiles;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemotePartition;
import io.strata.tiered.RemoteSegment;
import io.strata.tiered.SegmentFileType;
import io.strata.tiered.SegmentUploader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Compacts the tiered segments of compacted topics, with the local log cleaner's rules and pieces
 * ({@link OffsetMap}, {@link CompactionPass}, {@link SegmentCompactor}): segments are downloaded
 * to a work directory, rewritten there, uploaded as new objects, and swapped into the manifest with one
 * {@link UpdateRemoteLog}; the old objects go once the swap is committed, a little later, so that
 * reads that found them can finish. A lost race (retention removed a segment meanwhile) changes
 * nothing and deletes the new objects. Offsets are kept, each new segment covering the same offsets
 * as the one it replaces, so the manifest stays contiguous.
 *
 * <p>Where the tiered log was last compacted up to is kept in memory: after a restart the first pass
 * maps the whole tiered log again, and rewrites only segments that change. Local segments of tiered
 * topics are not compacted locally; they are tiered as written and compacted in the bucket.
 *
 * <p>Not thread-safe: the tiering thread runs it.
 */
final class RemoteLogCleaner {

    private static final Logger LOG = Logger.getLogger(RemoteLogCleaner.class);
    private static final int DOWNLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
    private static final int COMPACTION_CHUNK_BYTES = 1024 * 1024;

    private final ObjectStore store;
    private final SegmentUploader uploader;
    private final RaftMetadataLog metadata;
    private final Path workDir;
    private final Time time;
    private final long dedupeBufferBytes;
    private final Map<TopicPartition, Long> firstDirtyOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> nextDue = new HashMap<>();
    private SegmentCompactor compactor;

    RemoteLogCleaner(ObjectStore store, SegmentUploader uploader, RaftMetadataLog metadata, Path workDir, Time time,
                     long dedupeBufferBytes) {
        this.store = store;
        this.uploader = uploader;
        this.metadata = metadata;
        this.workDir = workDir;
        this.time = time;
        this.dedupeBufferBytes = dedupeBufferBytes;
    }

    /** Compacts the partition's tiered segments if its topic is compacted and they are due. */
    void clean(Partition partition, RemotePartition remote)
            throws IOException, ExecutionException, InterruptedException {
        LogConfig config = partition.log().config();
        RemoteManifest manifest = partition.tiered().manifest();
        TopicPartition tp = partition.topicPartition();
        if (!config.compact() || manifest.isEmpty()) {
            return;
        }
        long now = time.milliseconds();
        long firstDirty = Math.max(firstDirtyOffsets.getOrDefault(tp, 0L), manifest.startOffset());
        List<RemoteSegment> cleanable = cleanable(manifest.segments(), firstDirty, config, now);
        if (!due(cleanable, firstDirty, config, now, tp)) {
            return;
        }
        Path dir = workDir.resolve(LogFiles.partitionDirName(tp));
        Utils.delete(dir.toFile());
        Files.createDirectories(dir);
        try {
            if (compactor == null) {
                compactor = new SegmentCompactor(COMPACTION_CHUNK_BYTES);
            }
            OffsetMap map = OffsetMap.forKeys(cleanable.get(cleanable.size() - 1).lastOffset() + 1 - firstDirty,
                    dedupeBufferBytes);
            long mappedEnd = firstDirty;
            CleanedTransactions mapped = new CleanedTransactions();
            Map<RemoteSegment, Path> downloaded = new HashMap<>();
            for (RemoteSegment segment : cleanable) {
                if (segment.lastOffset() < firstDirty) {
                    continue;
                }
                long to = segment.lastOffset() + 1;
                Path file = download(segment, SegmentFileType.LOG, dir.resolve("dirty-" + segment.segmentId()));
                downloaded.put(segment, file);
                long from = Math.max(firstDirty, mappedEnd);
                // From where mapping starts: a transaction aborted before it would otherwise stay open for the map.
                mapped.addAborted(aborted(partition, Math.max(from, segment.baseOffset()), to));
                try (FileRecords records = FileRecords.open(file.toFile())) {
                    mappedEnd = map.putAll(records, from, to, mapped);
                }
                if (mappedEnd < to) {
                    break;
                }
            }
            CompactionPass pass = new CompactionPass(map, mappedEnd, now, config.deleteRetentionMs(),
                    partition.log().producers().active());
            List<RemoteSegment> removed = new ArrayList<>();
            List<RemoteSegment> added = new ArrayList<>();
            try {
                for (RemoteSegment segment : cleanable) {
                    if (segment.baseOffset() >= mappedEnd) {
                        break;
                    }
                    CompactionFilter filter = pass.nextSegment(aborted(partition, segment.baseOffset(),
                            segment.lastOffset() + 1));
                    Path source = downloaded.containsKey(segment) ? downloaded.get(segment)
                            : download(segment, SegmentFileType.LOG, dir.resolve("clean-" + segment.segmentId()));
                    Optional<RemoteSegment> rewritten = rewrite(segment, source, filter, pass, config, remote, dir);
                    if (rewritten.isPresent()) {
                        removed.add(segment);
                        added.add(rewritten.get());
                    }
                }
                if (!added.isEmpty()) {
                    commit(partition, removed, added);
                }
            } catch (IOException | ExecutionException | RuntimeException e) {
                deleteObjects(added);
                throw e;
            }
            firstDirtyOffsets.put(tp, mappedEnd);
            nextDue.put(tp, pass.nextDue());
            if (!added.isEmpty()) {
                LOG.infof("Compacted %d tiered segments of %s up to offset %d: %d bytes to %d", added.size(), tp,
                        mappedEnd, removed.stream().mapToLong(RemoteSegment::sizeInBytes).sum(),
                        added.stream().mapToLong(RemoteSegment::sizeInBytes).sum());
            }
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    /** Forgets a partition that is gone. */
    void forget(TopicPartition tp) {
        firstDirtyOffsets.remove(tp);
        nextDue.remove(tp);
    }

    /** The segments below the first one, at or after the dirty offset, holding a record newer than the minimum lag. */
    private static List<RemoteSegment> cleanable(List<RemoteSegment> segments, long firstDirty, LogConfig config,
                                                 long now) {
        long minLag = config.minCompactionLagMs();
        for (int i = 0; i < segments.size(); i++) {
            RemoteSegment segment = segments.get(i);
            if (minLag > 0 && segment.lastOffset() >= firstDirty && segment.maxTimestamp() > now - minLag) {
                return segments.subList(0, i);
            }
        }
        return segments;
    }

    /** The aborted transactions with records in {@code [from, to)}, from the tiered and local transaction indexes. */
    private static List<AbortedTxn> aborted(Partition partition, long from, long to)
            throws ExecutionException, InterruptedException {
        return partition.abortedTransactions(from, to).get();
    }

    /** As for local logs: dirty enough, overdue by {@code max.compaction.lag.ms}, or asked for by the last pass. */
    private boolean due(List<RemoteSegment> cleanable, long firstDirty, LogConfig config, long now, TopicPartition tp) {
        long total = 0;
        long dirty = 0;
        long oldestDirty = Long.MAX_VALUE;
        for (RemoteSegment segment : cleanable) {
            total += segment.sizeInBytes();
            if (segment.lastOffset() >= firstDirty) {
                dirty += segment.sizeInBytes();
                // A segment's newest record bounds its oldest from above: overdue is judged conservatively.
                oldestDirty = Math.min(oldestDirty, segment.maxTimestamp() < 0 ? Long.MAX_VALUE : segment.maxTimestamp());
            }
        }
        long due = cleanable.isEmpty() ? Long.MAX_VALUE : nextDue.getOrDefault(tp, Long.MAX_VALUE);
        return LogCleaner.isDue(config, now, total, dirty, oldestDirty, due);
    }

    /** Uploads the compacted copy of {@code segment}, or nothing if compaction would not change it. */
    private Optional<RemoteSegment> rewrite(RemoteSegment segment, Path source, CompactionFilter filter,
                                            CompactionPass pass, LogConfig config, RemotePartition remote, Path dir)
            throws IOException, ExecutionException, InterruptedException {
        LogSegment cleaned = LogSegment.createCleaned(dir, segment.baseOffset(), config, time);
        try (FileRecords records = FileRecords.open(source.toFile())) {
            SegmentCompactor.Stats stats = compactor.compact(records, filter,
                    compacted -> cleaned.log().append(compacted));
            if (!pass.changed(stats, oldIndex(segment, dir))) {
                return Optional.empty();
            }
            int truncated = cleaned.recover();
            if (truncated > 0) {
                throw new IOException("The compacted copy of tiered segment " + segment + " has " + truncated
                        + " invalid bytes");
            }
            // Written after recover(), which empties the copy's index.
            for (AbortedTxn txn : pass.segmentIndex()) {
                cleaned.txnIndex().append(txn);
            }
        } finally {
            // Trims the indexes to their entries, as an upload wants them.
            cleaned.close();
        }
        Optional<Path> snapshot = downloadIfAny(segment, SegmentFileType.PRODUCER_SNAPSHOT, dir.resolve("snapshot"));
        Optional<Path> transactionIndex = Optional.of(cleaned.txnIndex().file()).filter(Files::isRegularFile);
        long base = segment.baseOffset();
        LocalSegmentFiles files = new LocalSegmentFiles(
                LogFiles.withSuffix(LogFiles.logFile(dir, base), LogFiles.CLEANED_SUFFIX),
                LogFiles.withSuffix(LogFiles.offsetIndexFile(dir, base), LogFiles.CLEANED_SUFFIX),
                LogFiles.withSuffix(LogFiles.timeIndexFile(dir, base), LogFiles.CLEANED_SUFFIX),
                snapshot, transactionIndex, base, segment.lastOffset(), segment.maxTimestamp());
        try {
            return Optional.of(uploader.upload(remote, files).get());
        } finally {
            Files.deleteIfExists(files.log());
            Files.deleteIfExists(files.offsetIndex());
            Files.deleteIfExists(files.timeIndex());
            for (Optional<Path> optional : List.of(snapshot, transactionIndex)) {
                if (optional.isPresent()) {
                    Files.deleteIfExists(optional.get());
                }
            }
        }
    }

    private void commit(Partition partition, List<RemoteSegment> removed, List<RemoteSegment> added)
            throws IOException, ExecutionException, InterruptedException {
        List<byte[]> serialized = added.stream().map(RemoteSegment::toBytes).toList();
        MetadataResult result = metadata.submit(new UpdateRemoteLog(partition.topicId(),
                partition.topicPartition().partition(), 0, removed.stream().map(RemoteSegment::segmentId).toList(),
                serialized)).get();
        if (result.isError()) {
            throw new IOException("the metadata refused the compacted segments of " + partition.topicPartition()
                    + ": " + result.message());
        }
    }

    private void deleteObjects(List<RemoteSegment> segments) {
        try {
            store.deleteAll(segments.stream().flatMap(segment -> segment.keys().stream()).toList()).get();
        } catch (ExecutionException e) {
            LOG.warnf("Cannot delete uncommitted compacted segments; the orphan sweeper will: %s", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The entries of the segment's tiered transaction index, none if it has none. */
    private List<AbortedTxn> oldIndex(RemoteSegment segment, Path dir)
            throws IOException, ExecutionException, InterruptedException {
        Optional<Path> file = downloadIfAny(segment, SegmentFileType.TRANSACTION_INDEX, dir.resolve("old-txnindex"));
        if (file.isEmpty()) {
            return List.of();
        }
        try (TransactionIndex index = new TransactionIndex(segment.baseOffset(), file.get())) {
            return index.allAbortedTxns();
        } finally {
            Files.delete(file.get());
        }
    }

    /** {@link #download} of an optional file of the segment, if it has one. */
    private Optional<Path> downloadIfAny(RemoteSegment segment, SegmentFileType type, Path target)
            throws IOException, ExecutionException, InterruptedException {
        return segment.has(type) ? Optional.of(download(segment, type, target)) : Optional.empty();
    }

    /** Copies one of the segment's objects to {@code target} with ranged GETs of bounded size. */
    private Path download(RemoteSegment segment, SegmentFileType type, Path target)
            throws IOException, ExecutionException, InterruptedException {
        ObjectKey key = segment.key(type);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long position = 0;
            while (true) {
                ByteBuffer chunk = store.get(key, position, DOWNLOAD_CHUNK_BYTES).get();
                int length = chunk.remaining();
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                position += length;
                if (length < DOWNLOAD_CHUNK_BYTES) {
                    return target;
                }
            }
        }
    }
}
