package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.RecordBatch;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The start offset of each leader epoch of a partition's log, as Kafka's {@code LeaderEpochFileCache} keeps it:
 * what a leader answers OffsetForLeaderEpoch with, and what a follower truncates a divergent tail by. Epochs and
 * start offsets both ascend. Every change is written through to {@link LeaderEpochCheckpointFile} before the call
 * returns.
 *
 * <p>Thread-safe: every method locks the cache; a change holds the lock while it writes the file.
 */
public final class LeaderEpochCache {

    private static final Logger LOG = Logger.getLogger(LeaderEpochCache.class);

    /** The epoch of an answer no epoch of the log gives. */
    public static final int UNDEFINED_EPOCH = -1;
    /** The end offset of an answer no epoch of the log gives. */
    public static final long UNDEFINED_EPOCH_OFFSET = -1L;

    private final TopicPartition topicPartition;
    private final LeaderEpochCheckpointFile checkpoint;
    private final TreeMap<Integer, EpochEntry> epochs = new TreeMap<>(); // guarded by this

    private LeaderEpochCache(TopicPartition topicPartition, LeaderEpochCheckpointFile checkpoint, List<EpochEntry> entries) {
        this.topicPartition = topicPartition;
        this.checkpoint = checkpoint;
        for (EpochEntry entry : entries) {
            epochs.put(entry.epoch(), entry);
        }
    }

    /**
     * The cache stored in {@code file}, or an empty cache if the file is missing or malformed, in which case the
     * caller rebuilds it from the log with {@link #rebuild}.
     *
     * @return the cache, and whether the file held it
     */
    static Loaded load(Path file, TopicPartition topicPartition) throws IOException {
        LeaderEpochCheckpointFile checkpoint = new LeaderEpochCheckpointFile(file);
        Optional<List<EpochEntry>> stored = checkpoint.read();
        return new Loaded(new LeaderEpochCache(topicPartition, checkpoint, stored.orElse(List.of())), stored.isPresent());
    }

    /** A cache as {@link #load} found it. */
    record Loaded(LeaderEpochCache cache, boolean fromFile) {
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}, if {@code epoch} is above the latest epoch. A
     * negative epoch (a batch written without one) is ignored. Entries starting at or after {@code startOffset}
     * cannot precede the new epoch's first record: they are dropped, as Kafka does.
     */
    public synchronized void assign(int epoch, long startOffset) throws IOException {
        if (assignInMemory(epoch, startOffset)) {
            persist();
        }
    }

    private boolean assignInMemory(int epoch, long startOffset) {
        if (epoch < 0 || !epochs.isEmpty() && epoch <= epochs.lastKey()) {
            return false;
        }
        while (!epochs.isEmpty() && epochs.lastEntry().getValue().startOffset() >= startOffset) {
            EpochEntry dropped = epochs.pollLastEntry().getValue();
            LOG.warnf("Leader epoch %d of %s starts at %d: dropping %s, which does not start before it", epoch,
                    topicPartition, startOffset, dropped);
        }
        epochs.put(epoch, new EpochEntry(epoch, startOffset));
        return true;
    }

    /** Replaces every entry by the epochs stamped on {@code batches}, read in log order, and writes the file once. */
    synchronized void rebuild(Iterable<? extends RecordBatch> batches) throws IOException {
        epochs.clear();
        for (RecordBatch batch : batches) {
            assignInMemory(batch.partitionLeaderEpoch(), batch.baseOffset());
        }
        persist();
    }

    /** The latest epoch, or empty if none is known. */
    public synchronized OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.lastKey());
    }

    /**
     * OffsetForLeaderEpoch, with Kafka's semantics: the largest epoch not above {@code requestedEpoch} and the
     * start offset of the epoch after it, the first offset that epoch did not write.
     * <ul>
     *   <li>{@code requestedEpoch} is the latest epoch: ({@code requestedEpoch}, {@code logEndOffset}).
     *   <li>It lies between two known epochs: (the one below or equal, the start offset of the one above).
     *   <li>It is below the first known epoch: ({@code requestedEpoch}, the first epoch's start offset), so that a
     *       follower truncates everything the leader's known history does not hold.
     *   <li>It is {@link #UNDEFINED_EPOCH}, above the latest epoch, or the cache is empty: {@link EpochEndOffset#UNDEFINED}.
     * </ul>
     */
    public synchronized EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == UNDEFINED_EPOCH || epochs.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (requestedEpoch == epochs.lastKey()) {
            return new EpochEndOffset(requestedEpoch, logEndOffset);
        }
        Map.Entry<Integer, EpochEntry> higher = epochs.higherEntry(requestedEpoch);
        if (higher == null) {
            return EpochEndOffset.UNDEFINED;
        }
        Map.Entry<Integer, EpochEntry> floor = epochs.floorEntry(requestedEpoch);
        int epoch = floor == null ? requestedEpoch : floor.getKey();
        return new EpochEndOffset(epoch, higher.getValue().startOffset());
    }

    /** Drops the entries starting at or after {@code endOffset}: the log was cut there. */
    public synchronized void truncateFromEnd(long endOffset) throws IOException {
        boolean changed = false;
        while (!epochs.isEmpty() && epochs.lastEntry().getValue().startOffset() >= endOffset) {
            epochs.pollLastEntry();
            changed = true;
        }
        if (changed) {
            persist();
        }
    }

    /** Drops every entry. */
    public synchronized void clear() throws IOException {
        epochs.clear();
        persist();
    }

    /** The entries, oldest epoch first: a copy. */
    public synchronized List<EpochEntry> entries() {
        return new ArrayList<>(epochs.values());
    }

    private void persist() throws IOException {
        checkpoint.write(new ArrayList<>(epochs.values()));
    }

    @Override
    public String toString() {
        return "LeaderEpochCache(" + topicPartition + ", " + entries() + ")";
    }
}
