package io.strata.broker.partition;

import io.strata.broker.log.AppendResult;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TimestampOffset;
import io.strata.broker.remote.TieredLog;
import io.strata.tiered.RemoteManifest;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A partition this broker leads: its local log, the tiered part below it, its leader epoch, and the
 * fetches waiting for its next append. Thread-safe: the log serialises appends, waiters are a
 * concurrent set.
 *
 * <p>The partition's offsets run from {@link #logStartOffset()} to the local log's end; the tiered
 * log holds the oldest ones, the local log the newest, and both may hold the segments uploaded but not
 * yet deleted locally. Reads below the local log's start go to the object store.
 */
public final class Partition {

    /** A single node is the only leader a partition ever has, so its epoch never moves. */
    public static final int LEADER_EPOCH = 0;

    private final Uuid topicId;
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final TieredLog tiered;
    private final Set<Runnable> appendWaiters = ConcurrentHashMap.newKeySet();
    private final LongAdder bytesAppended = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();

    Partition(Uuid topicId, TopicPartition topicPartition, PartitionLog log, TieredLog tiered) {
        this.topicId = topicId;
        this.topicPartition = topicPartition;
        this.log = log;
        this.tiered = tiered;
    }

    public Uuid topicId() {
        return topicId;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    /** The local log. */
    public PartitionLog log() {
        return log;
    }

    /** The tiered log. */
    public TieredLog tiered() {
        return tiered;
    }

    /** The partition's first offset, tiered or local. */
    public long logStartOffset() {
        long local = log.logStartOffset();
        RemoteManifest remote = tiered.manifest();
        return remote.isEmpty() ? local : Math.min(remote.startOffset(), local);
    }

    /** Whether {@code offset} lies below the local log but in the tiered one, so reads go to the object store. */
    public boolean isTiered(long offset) {
        if (offset >= log.logStartOffset()) {
            return false;
        }
        RemoteManifest remote = tiered.manifest();
        return !remote.isEmpty() && offset >= remote.startOffset();
    }

    /**
     * Reads from the tiered log, for an offset that {@link #isTiered} says lies there; where the tiered
     * log has nothing left from {@code offset} on, reads the local log from its start instead.
     */
    public CompletableFuture<LogReadResult> readTiered(long offset, int maxBytes, boolean minOneMessage) {
        return tiered.read(offset, maxBytes, minOneMessage).thenApply(records -> {
            if (records.isEmpty()) {
                return log.read(log.logStartOffset(), maxBytes, minOneMessage);
            }
            return new LogReadResult(records.get(), log.highWatermark(), logStartOffset(), log.logEndOffset());
        });
    }

    /**
     * The first record at or after the partition's start with a timestamp at or above {@code timestamp}:
     * searched in the tiered log first, then in the local one.
     */
    public CompletableFuture<Optional<TimestampOffset>> offsetForTimestamp(long timestamp) {
        if (!isTiered(logStartOffset())) {
            return CompletableFuture.completedFuture(log.offsetForTimestamp(timestamp));
        }
        return tiered.offsetForTimestamp(timestamp).thenApply(found ->
                found.isPresent() ? found : log.offsetForTimestamp(timestamp));
    }

    /**
     * Moves the partition's start up to {@code offset} in both tiers (DeleteRecords, retention): the
     * local log at once, the tiered log once the metadata has committed the change.
     *
     * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public CompletableFuture<Void> moveLogStartTo(long offset) {
        log.deleteRecordsBefore(offset);
        if (!log.config().remoteStorageEnable() && tiered.manifest().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return tiered.moveStartTo(offset);
    }

    public int leaderEpoch() {
        return LEADER_EPOCH;
    }

    /**
     * Checks the leader epoch a client believes current: -1 skips the check, an older one is
     * fenced, a newer one is not known here yet.
     */
    public Errors checkLeaderEpoch(int currentLeaderEpoch) {
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == LEADER_EPOCH) {
            return Errors.NONE;
        }
        return currentLeaderEpoch < LEADER_EPOCH ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    /** Appends and wakes the fetches waiting for new records. */
    public AppendResult append(MemoryRecords records) {
        AppendResult result = log.append(records, LEADER_EPOCH);
        if (!result.duplicate()) {
            bytesAppended.add(records.sizeInBytes());
            for (Runnable waiter : appendWaiters) {
                waiter.run();
            }
        }
        return result;
    }

    /** Bytes of record batches appended since the broker started (duplicates of idempotent producers not counted). */
    public long bytesAppended() {
        return bytesAppended.sum();
    }

    /** Bytes of record batches sent to Kafka consumers since the broker started. */
    public long bytesFetched() {
        return bytesFetched.sum();
    }

    /** Counts {@code bytes} of this partition's records sent in a fetch response. */
    public void addBytesFetched(long bytes) {
        bytesFetched.add(bytes);
    }

    /** Runs {@code waiter} after each later append until {@link #removeAppendWaiter} is called. */
    public void addAppendWaiter(Runnable waiter) {
        appendWaiters.add(waiter);
    }

    public void removeAppendWaiter(Runnable waiter) {
        appendWaiters.remove(waiter);
    }
}
