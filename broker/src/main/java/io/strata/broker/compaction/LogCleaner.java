package io.strata.broker.compaction;

import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.ClosedSegment;
import io.strata.broker.log.LogConfig;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.OffsetCheckpointFile;
import io.strata.broker.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Compacts one local {@link PartitionLog} when it is due, as Kafka's log cleaner does.
 *
 * <p>The log splits at two offsets. The <em>first dirty offset</em>, persisted in the partition's
 * {@value LogFiles#CLEANER_OFFSET_CHECKPOINT_FILE}, is where the last compaction stopped: below it
 * every key appears at most once (tombstones aside). The <em>first uncleanable offset</em> is the base
 * offset of the first segment compaction must not touch: the active one, the one holding the last stable
 * offset (so the high watermark, and every open transaction, whose records may yet be aborted, stay above), or
 * the first one holding a record newer than {@code min.compaction.lag.ms}.
 *
 * <p>A log is due when its dirty bytes (closed segments from the first dirty offset to the first
 * uncleanable one) are more than {@code min.cleanable.dirty.ratio} of the bytes below the first
 * uncleanable offset (strictly more, as in Kafka), when its oldest dirty batch is older than
 * {@code max.compaction.lag.ms}, when a tombstone or transaction marker it kept has passed its delete horizon, or
 * when the last compaction dropped records of aborted transactions (whose markers can go now).
 *
 * <p>A compaction maps the dirty section's keys to their latest offsets in the {@link OffsetMap};
 * if the map fills, it stops at the last batch that fit and the rest waits for the next round. Then
 * every closed segment below that point is rewritten, in one {@link CompactionPass} from the log's start, into a
 * {@code .cleaned} copy with the transaction index the pass leaves it, which {@link PartitionLog#replaceSegment}
 * swaps in; a segment that would not change is left alone. Finally the first dirty offset moves to where the map
 * ended.
 *
 * <p>Not thread-safe: one cleaner thread calls it.
 */
public final class LogCleaner {

    private static final Logger LOG = Logger.getLogger(LogCleaner.class);
    private static final int CHUNK_BYTES = 1 << 20;

    /** What {@link #clean} did. */
    public record Result(boolean cleaned, long firstDirtyOffset, long mappedEnd, int segmentsRewritten,
                         long bytesBefore, long bytesAfter) {

        static Result notDue(long firstDirtyOffset) {
            return new Result(false, firstDirtyOffset, firstDirtyOffset, 0, 0, 0);
        }
    }

    private final long mapBudgetBytes;
    private final SegmentCompactor compactor = new SegmentCompactor(CHUNK_BYTES);
    private final Time time;
    private final BooleanSupplier stopping;
    /** Per partition, when its last compaction asked for another ({@link CompactionPass#nextDue}); only in memory. */
    private final Map<TopicPartition, Long> nextDue = new ConcurrentHashMap<>();

    /**
     * @param mapBudgetBytes the most memory one compaction's offset map may take
     * @param stopping       checked between batches of work; true makes {@link #clean} give up, leaving the log as it was
     */
    public LogCleaner(long mapBudgetBytes, Time time, BooleanSupplier stopping) {
        this.mapBudgetBytes = mapBudgetBytes;
        this.time = time;
        this.stopping = stopping;
    }

    /**
     * Compacts {@code log} if its cleanup policy includes {@code compact} and it is due.
     *
     * @throws IOException on a file error; the log itself goes offline only if the swap failed
     */
    public Result clean(PartitionLog log) throws IOException {
        LogConfig config = log.config();
        OffsetCheckpointFile checkpoint = new OffsetCheckpointFile(log.dir().resolve(LogFiles.CLEANER_OFFSET_CHECKPOINT_FILE));
        long logStart = log.logStartOffset();
        long checkpointed = checkpoint.read().orElse(logStart);
        long firstDirty = checkpointed < logStart || checkpointed > log.logEndOffset() ? logStart : checkpointed;
        if (!config.compact()) {
            return Result.notDue(firstDirty);
        }
        long now = time.milliseconds();
        List<ClosedSegment> closed = log.closedSegments();
        int cleanable = cleanableCount(closed, firstDirty, config, now);

        long totalBytes = 0;
        long dirtyBytes = 0;
        long oldestDirtyTimestamp = Long.MAX_VALUE;
        for (ClosedSegment closedSegment : closed.subList(0, cleanable)) {
            LogSegment segment = closedSegment.segment();
            totalBytes += segment.size();
            if (closedSegment.endOffset() > firstDirty) {
                dirtyBytes += segment.size();
                oldestDirtyTimestamp = Math.min(oldestDirtyTimestamp, firstBatchTimestamp(segment));
            }
        }
        long due = cleanable > 0 ? nextDue.getOrDefault(log.topicPartition(), Long.MAX_VALUE) : Long.MAX_VALUE;
        if (!isDue(config, now, totalBytes, dirtyBytes, oldestDirtyTimestamp, due)) {
            return Result.notDue(firstDirty);
        }

        OffsetMap map = OffsetMap.forKeys(closed.get(cleanable - 1).endOffset() - firstDirty, mapBudgetBytes);
        // Records at and above mappedEnd are kept whatever their key: the map has not seen them.
        long mappedEnd = firstDirty;
        CleanedTransactions mapped = new CleanedTransactions();
        for (ClosedSegment closedSegment : closed.subList(0, cleanable)) {
            if (closedSegment.endOffset() <= firstDirty) {
                continue;
            }
            checkStopping(log);
            long to = closedSegment.endOffset();
            long from = Math.max(firstDirty, mappedEnd);
            // From where mapping starts: a transaction aborted before it would otherwise stay open for the map.
            mapped.addAborted(log.abortedTransactions(Math.max(from, closedSegment.segment().baseOffset()), to));
            mappedEnd = map.putAll(closedSegment.segment().log(), from, to, mapped);
            if (mappedEnd < to) {
                LOG.debugf("Offset map of %s full at %d keys; compacting up to offset %d, the rest next round",
                        log.topicPartition(), map.size(), mappedEnd);
                break;
            }
        }

        CompactionPass pass = new CompactionPass(map, mappedEnd, now, config.deleteRetentionMs(),
                log.producers().active());
        int rewritten = 0;
        long before = 0;
        long after = 0;
        for (ClosedSegment closedSegment : closed.subList(0, cleanable)) {
            LogSegment segment = closedSegment.segment();
            if (segment.baseOffset() >= mappedEnd) {
                break;
            }
            checkStopping(log);
            CompactionFilter filter = pass.nextSegment(log.abortedTransactions(segment.baseOffset(),
                    closedSegment.endOffset()));
            before += segment.size();
            LogSegment result = rewrite(log, segment, filter, pass, config);
            after += result.size();
            if (result != segment) {
                rewritten++;
            }
        }
        checkpoint.write(mappedEnd);
        if (pass.nextDue() == Long.MAX_VALUE) {
            nextDue.remove(log.topicPartition());
        } else {
            nextDue.put(log.topicPartition(), pass.nextDue());
        }
        LOG.debugf("Compacted %s: offsets %d to %d mapped (%d keys), %d segments rewritten, %d bytes to %d",
                log.topicPartition(), firstDirty, mappedEnd, map.size(), rewritten, before, after);
        return new Result(true, firstDirty, mappedEnd, rewritten, before, after);
    }

    /**
     * Whether a log's cleanable part is due for compaction: its dirty share of the bytes is above
     * {@code min.cleanable.dirty.ratio} (strictly, as in Kafka), its oldest dirty record is older than
     * {@code max.compaction.lag.ms}, or the last compaction asked for another by now.
     *
     * @param totalBytes       bytes of the cleanable part
     * @param dirtyBytes       bytes of it not compacted yet
     * @param oldestDirtyTimestamp timestamp of the oldest dirty record, {@link Long#MAX_VALUE} if unknown
     * @param nextDue          when the last compaction asked for another ({@link CompactionPass#nextDue}),
     *                         {@link Long#MAX_VALUE} if it did not
     */
    public static boolean isDue(LogConfig config, long now, long totalBytes, long dirtyBytes, long oldestDirtyTimestamp,
                                long nextDue) {
        boolean dirtyEnough = dirtyBytes > 0 && (double) dirtyBytes / totalBytes > config.minCleanableDirtyRatio();
        boolean overdue = dirtyBytes > 0 && oldestDirtyTimestamp < now - config.maxCompactionLagMs();
        return dirtyEnough || overdue || nextDue <= now;
    }

    /** Forgets what it knew of a partition (deleted, or no longer led here). */
    public void forget(TopicPartition topicPartition) {
        nextDue.remove(topicPartition);
    }

    /**
     * How many of the closed segments, from the first, lie below the first uncleanable offset: the
     * min.compaction.lag.ms bound stops at the first segment at or after the dirty one that holds a
     * record newer than {@code now - min.compaction.lag.ms}.
     */
    private static int cleanableCount(List<ClosedSegment> closed, long firstDirty, LogConfig config, long now)
            throws IOException {
        long minLag = config.minCompactionLagMs();
        for (int i = 0; i < closed.size(); i++) {
            ClosedSegment closedSegment = closed.get(i);
            if (minLag > 0 && closedSegment.endOffset() > firstDirty
                    && closedSegment.segment().largestTimestamp() > now - minLag) {
                return i;
            }
        }
        return closed.size();
    }

    private static long firstBatchTimestamp(LogSegment segment) {
        Iterator<FileChannelRecordBatch> batches = segment.log().batches().iterator();
        long timestamp = batches.hasNext() ? batches.next().maxTimestamp() : Long.MAX_VALUE;
        return timestamp < 0 ? Long.MAX_VALUE : timestamp;
    }

    /** Writes the compacted copy of {@code segment} and swaps it in; returns the segment the log now holds. */
    private LogSegment rewrite(PartitionLog log, LogSegment segment, CompactionFilter filter, CompactionPass pass,
                               LogConfig config) throws IOException {
        LogSegment cleaned = LogSegment.createCleaned(log.dir(), segment.baseOffset(), config, time);
        boolean swapped = false;
        try {
            SegmentCompactor.Stats stats = compactor.compact(segment.log(), filter, compacted -> {
                checkStopping(log);
                cleaned.log().append(compacted);
            });
            if (!pass.changed(stats, segment.txnIndex().allAbortedTxns())) {
                return segment;
            }
            int truncated = cleaned.recover();
            if (truncated > 0) {
                throw new IOException("The compacted copy of " + segment + " has " + truncated + " invalid bytes");
            }
            // Written after recover(), which empties the copy's index. Records keep their offsets, so each entry
            // still spans the same offsets in the copy.
            for (AbortedTxn txn : pass.segmentIndex()) {
                cleaned.txnIndex().append(txn);
            }
            swapped = log.replaceSegment(segment, cleaned);
            return swapped ? cleaned : segment;
        } finally {
            if (!swapped) {
                cleaned.delete();
            }
        }
    }

    private void checkStopping(PartitionLog log) throws IOException {
        if (stopping.getAsBoolean()) {
            throw new IOException("Compaction of " + log.topicPartition() + " interrupted by shutdown");
        }
    }
}
