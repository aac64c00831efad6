package io.strata.broker.partition;

import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.AppendResult;
import io.strata.broker.log.EpochEndOffset;
import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.log.OffsetRange;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TimestampOffset;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.remote.TieredLog;
import io.strata.tiered.RemoteManifest;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * A partition this broker holds a replica of: its local log, the tiered part below it, its state in the
 * metadata (replicas, in-sync replicas, leader and epoch), and the fetches waiting for its next append.
 * As leader it takes appends, serves reads and drives its followers' progress and the high watermark
 * ({@link ReplicaSet}); as follower it takes what a replica fetcher brings from the leader. Thread-safe:
 * the log serialises appends, the replica set its own state, waiters are a concurrent set.
 *
 * <p>The partition's offsets run from {@link #logStartOffset()} to the local log's end; the tiered
 * log holds the oldest ones, the local log the newest, and both may hold the segments uploaded but not
 * yet deleted locally. Every read goes through {@link #read}, which sends those below the local log's
 * start to the object store; callers ask the partition for its offsets rather than either log.
 */
public final class Partition {

    private static final Logger LOG = Logger.getLogger(Partition.class);
    private static final long PRODUCER_SNAPSHOT_TIMEOUT_SECONDS = 30;

    private final Uuid topicId;
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final TieredLog tiered;
    private final Set<Runnable> appendWaiters = ConcurrentHashMap.newKeySet();
    private final LongAdder bytesAppended = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();
    private final ReplicaSet replication;
    /** The partition's leader epoch, as the metadata gives it; batches appended are stamped with it. */
    private volatile int leaderEpoch;
    /** Whether the metadata names this broker the partition's leader; only a leader takes records and serves clients. */
    private volatile boolean leading;

    /**
     * A partition on broker {@code localId}, leading alone until {@link #updateState} says otherwise.
     */
    Partition(int localId, Uuid topicId, TopicPartition topicPartition, PartitionLog log, TieredLog tiered, Time time) {
        this.topicId = topicId;
        this.topicPartition = topicPartition;
        this.log = log;
        this.tiered = tiered;
        this.replication = new ReplicaSet(localId, topicPartition, time);
        this.leading = true;
    }

    public Uuid topicId() {
        return topicId;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    /** The local log, for the services that manage its segments (retention, tiering, compaction). */
    public PartitionLog log() {
        return log;
    }

    /** The tiered log, for the services that manage its segments (retention, tiering, compaction). */
    public TieredLog tiered() {
        return tiered;
    }

    /** The partition's first offset, tiered or local. */
    public long logStartOffset() {
        long local = log.logStartOffset();
        RemoteManifest remote = tiered.manifest();
        return remote.isEmpty() ? local : Math.min(remote.startOffset(), local);
    }

    /** The first offset on local disk; ListOffsets' EARLIEST_LOCAL. */
    public long localLogStartOffset() {
        return log.logStartOffset();
    }

    /** The offset past the last record consumers may read. */
    public long highWatermark() {
        return log.highWatermark();
    }

    /** What read_committed consumers read up to: below the oldest open transaction and the high watermark. */
    public long lastStableOffset() {
        return log.lastStableOffset();
    }

    /** The offset the next appended record gets. */
    public long logEndOffset() {
        return log.logEndOffset();
    }

    /** The last offset in the object store, or -1 when nothing was tiered (as Kafka's LATEST_TIERED answers). */
    public long lastTieredOffset() {
        return tiered.manifest().lastOffset();
    }

    /** Bytes of the partition's segments on local disk. */
    public long localBytes() {
        return log.size();
    }

    /** Bytes of the partition's segments in the object store; some may be on local disk too. */
    public long tieredBytes() {
        return tiered.manifest().sizeInBytes();
    }

    /**
     * Reads from {@code offset} up to the high watermark, or for a follower's fetch up to the log end
     * ({@code isolation}), from the tier that holds it: the one door for every read of the partition's
     * records (Kafka fetches, a follower's included, and REST reads). At most {@code maxBytes}, but the
     * first batch whole when {@code minOneMessage}.
     *
     * <p>A read of the local log completes at once with a slice of a segment file, which goes out with
     * sendfile. A read below the local log goes to the tiered log: it completes later on the store's
     * threads when chunks have to be downloaded, but at once on the caller's thread when the chunk cache
     * holds them, so callers must not assume which thread completes it. It returns whole batches, and
     * where the tiered log holds nothing from {@code offset} on (its segments were dropped meanwhile) it
     * reads the local log from its start instead. Failures complete the future: Kafka's own exceptions as
     * they are (an offset outside the partition's, from its tiered start to its end, is out of range), a
     * failed tiered read as a {@link KafkaStorageException}, which clients retry.
     */
    public CompletableFuture<LogReadResult> read(long offset, int maxBytes, boolean minOneMessage,
                                                 FetchIsolation isolation) {
        // Checked here, not by the local log, whose range starts above the tiered one's.
        OffsetRange range = new OffsetRange(logStartOffset(), logEndOffset());
        if (!range.readable(offset)) {
            return CompletableFuture.failedFuture(range.outOfRange(topicPartition, offset));
        }
        if (!isTiered(offset)) {
            try {
                return CompletableFuture.completedFuture(log.read(offset, maxBytes, minOneMessage, isolation));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return tiered.read(offset, maxBytes, minOneMessage)
                .thenCompose(records -> records.isEmpty()
                        ? CompletableFuture.completedFuture(
                                log.read(log.logStartOffset(), maxBytes, minOneMessage, isolation))
                        : abortedTransactions(offset, records.get(), isolation).thenApply(aborted ->
                                new LogReadResult(records.get(), log.highWatermark(), log.lastStableOffset(),
                                        logStartOffset(), log.logEndOffset(), aborted)))
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(tieredReadFailure(offset, failure)));
    }

    /** For a read_committed read of tiered {@code records}: the aborted transactions with records among them. */
    private CompletableFuture<List<AbortedTxn>> abortedTransactions(long offset, MemoryRecords records,
                                                                    FetchIsolation isolation) {
        if (isolation != FetchIsolation.TXN_COMMITTED || records.sizeInBytes() == 0) {
            return CompletableFuture.completedFuture(List.of());
        }
        long upperBound = offset;
        for (RecordBatch batch : records.batches()) {
            upperBound = batch.nextOffset();
        }
        return abortedTransactions(offset, upperBound);
    }

    /**
     * The aborted transactions with records in {@code [fetchOffset, upperBound)}, from the transaction indexes of
     * both tiers: the tiered segments' from {@code fetchOffset} on and, unless those settle it, the local log's, where
     * a marker may lie. Completes with a {@link KafkaStorageException} if the object store cannot be read.
     */
    public CompletableFuture<List<AbortedTxn>> abortedTransactions(long fetchOffset, long upperBound) {
        if (!isTiered(fetchOffset)) {
            try {
                return CompletableFuture.completedFuture(log.abortedTransactions(fetchOffset, upperBound));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return tiered.abortedTransactions(fetchOffset, upperBound).thenApply(found -> {
            if (found.isComplete()) {
                return found.abortedTxns();
            }
            List<AbortedTxn> aborted = new ArrayList<>(found.abortedTxns());
            aborted.addAll(log.abortedTransactions(fetchOffset, upperBound));
            return aborted;
        }).exceptionallyCompose(failure -> CompletableFuture.failedFuture(tieredReadFailure(fetchOffset, failure)));
    }

    /** Whether {@code offset} lies below the local log but in the tiered one, so reads go to the object store. */
    private boolean isTiered(long offset) {
        if (offset >= log.logStartOffset()) {
            return false;
        }
        RemoteManifest remote = tiered.manifest();
        return !remote.isEmpty() && offset >= remote.startOffset();
    }

    /**
     * A failed tiered read as clients should see it: Kafka's errors unchanged; anything else (the object
     * store failed, or a segment was swapped by compaction meanwhile) as a storage error worth a retry.
     */
    private Throwable tieredReadFailure(long offset, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ApiException) {
            return cause;
        }
        return new KafkaStorageException("Reading tiered offset " + offset + " of " + topicPartition + " failed: " + cause,
                cause);
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
     * The largest timestamp in either tier and the offset of its first record, for ListOffsets
     * MAX_TIMESTAMP; empty when no record has a timestamp.
     */
    public CompletableFuture<Optional<TimestampOffset>> maxTimestampOffset() {
        TimestampOffset local = log.maxTimestampOffset();
        return tiered.maxTimestampOffset().thenApply(remote -> Optional.of(
                        remote.isPresent() && remote.get().timestamp() >= local.timestamp() ? remote.get() : local)
                .filter(hit -> hit.offset() >= 0));
    }

    /**
     * Moves the partition's start up to {@code offset} (DeleteRecords, retention): the local log at once,
     * and on the leader the tiered log too, once the metadata has committed the change; a follower's
     * retention frees its own disk only.
     *
     * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public CompletableFuture<Void> moveLogStartTo(long offset) {
        log.deleteRecordsBefore(offset);
        if (!leading || !log.config().remoteStorageEnable() && tiered.manifest().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return tiered.moveStartTo(offset);
    }

    public int leaderEpoch() {
        return leaderEpoch;
    }

    /** Whether this broker leads the partition, as of the metadata applied last. */
    public boolean isLeader() {
        return leading;
    }

    /** The replicas, in-sync replicas, leader and epoch this broker applied last. */
    public PartitionImage state() {
        return replication.state();
    }

    /**
     * Follows the metadata. A broker that starts leading, or leads in a new epoch, forgets what it knew
     * of its followers (they report again at their next fetch) and marks where its epoch starts; one
     * that stops leading fails the acks=all appends still waiting with {@code NOT_LEADER_OR_FOLLOWER}.
     */
    public synchronized void updateState(PartitionImage state) {
        boolean leads = state.leader() == replication.localId();
        if (leads && (!leading || state.leaderEpoch() != leaderEpoch)) {
            log.assignEpochStartOffset(state.leaderEpoch(), log.logEndOffset());
        }
        leaderEpoch = state.leaderEpoch();
        leading = leads;
        afterReplication(replication.update(state, log, log.config().minInsyncReplicas()));
    }

    /**
     * Checks the leader epoch a client believes current: -1 skips the check, an older one is
     * fenced, a newer one is not known here yet.
     */
    public Errors checkLeaderEpoch(int currentLeaderEpoch) {
        int epoch = leaderEpoch;
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == epoch) {
            return Errors.NONE;
        }
        return currentLeaderEpoch < epoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    /**
     * Refuses an acks=all append up front while fewer replicas are in sync than {@code min.insync.replicas}
     * requires (at most every replica: {@link PartitionImage#requiredInsyncReplicas}).
     *
     * @throws NotEnoughReplicasException then
     */
    public void requireEnoughReplicas() {
        PartitionImage state = replication.state();
        int configured = log.config().minInsyncReplicas();
        if (state.isUnderMinIsr(configured)) {
            throw new NotEnoughReplicasException("The in-sync replicas of " + topicPartition + " are " + state.isr()
                    + ", fewer than the " + state.requiredInsyncReplicas(configured) + " min.insync.replicas="
                    + configured + " requires.");
        }
    }

    /**
     * Appends as the leader, stamping the leader epoch, moves the high watermark as far as the in-sync
     * replicas allow (at once when the leader is the only one), and wakes the fetches waiting for records.
     */
    public AppendResult append(MemoryRecords records) {
        return append(records, VerificationGuard.NONE);
    }

    /**
     * A client's append, as {@link #append(MemoryRecords)}, whose transactional batches were verified with their
     * coordinator under {@code verified}, a guard from {@link io.strata.broker.log.LogProducers#startVerification}.
     *
     * @throws NotLeaderOrFollowerException if this broker no longer leads the partition: a produce may have
     *         waited for its verification while leadership moved
     * @throws org.apache.kafka.common.errors.InvalidTxnStateException a batch opens a transaction without the
     *         producer's standing verification
     */
    public AppendResult append(MemoryRecords records, VerificationGuard verified) {
        AppendResult result;
        synchronized (this) {
            requireLeading("appends");
            result = log.append(records, leaderEpoch, verified);
        }
        return appended(records, result);
    }

    private AppendResult appended(MemoryRecords records, AppendResult result) {
        if (!result.duplicate()) {
            bytesAppended.add(records.sizeInBytes());
            afterAppend();
        }
        return result;
    }

    /**
     * Appends, as the leader, the marker ending a producer's transaction (WriteTxnMarkers), then as {@link #append}
     * does: the high watermark moves as far as it may and the waiting fetches wake, since read_committed ones may
     * now read further.
     */
    public AppendResult appendMarker(long producerId, short producerEpoch, EndTransactionMarker marker) {
        AppendResult result;
        synchronized (this) {
            requireLeading("writes markers");
            result = log.appendMarker(producerId, producerEpoch, marker, leaderEpoch);
        }
        afterAppend();
        return result;
    }

    private void afterAppend() {
        afterReplication(replication.advanceHighWatermark(log, log.config().minInsyncReplicas()));
        wakeAppendWaiters();
    }

    /**
     * Completes once every in-sync replica holds the records up to {@code lastOffset}, the acks=all
     * acknowledgement; fails with {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} if the in-sync replicas shrank
     * below {@code min.insync.replicas} meanwhile, with {@code NOT_LEADER_OR_FOLLOWER} if leadership moved.
     */
    public CompletableFuture<Void> replicated(long lastOffset) {
        return replication.awaitHighWatermark(log, lastOffset + 1, log.config().minInsyncReplicas());
    }

    /**
     * Records that follower {@code replicaId} fetched from {@code fetchOffset} (its log end offset), which
     * may move the high watermark and complete acks=all appends.
     *
     * @return false if this broker does not lead the partition or {@code replicaId} holds no replica of it
     */
    public boolean followerFetched(int replicaId, long fetchOffset) {
        ReplicaSet.Progress progress = replication.followerFetched(replicaId, fetchOffset, log,
                log.config().minInsyncReplicas());
        afterReplication(progress);
        return progress.known();
    }

    /**
     * The in-sync replicas this leader wants instead of the metadata's, if any: followers that have not
     * caught up for {@code lagTimeMaxMs} leave, replicas that have caught up and that {@code mayJoin} join.
     */
    public Optional<List<Integer>> wantedIsr(long lagTimeMaxMs, IntPredicate mayJoin) {
        return leading ? replication.wantedIsr(log.highWatermark(), lagTimeMaxMs, mayJoin) : Optional.empty();
    }

    /**
     * The replica a consumer in {@code clientRack} fetching from {@code fetchOffset} should read from instead
     * of this leader (KIP-392): the first in-sync follower, in assignment order, whose broker is live in that
     * rack and whose log reaches the offset. Empty when this broker does not lead, is in that rack itself,
     * or no follower qualifies.
     *
     * @param liveRack the rack of a live broker; empty for a broker that is down or has no rack
     */
    public OptionalInt preferredReadReplica(String clientRack, long fetchOffset, IntFunction<Optional<String>> liveRack) {
        return leading ? replication.preferredReadReplica(clientRack, fetchOffset, liveRack) : OptionalInt.empty();
    }

    /**
     * How many records the furthest-behind follower lacks of this leader's log, among the followers that
     * fetched since this broker started leading; 0 on a broker that does not lead.
     */
    public long maxFollowerLag() {
        return leading ? replication.maxFollowerLag(log.logEndOffset()) : 0;
    }

    /**
     * Appends batches a follower fetched from the leader as they are, then takes the leader's high
     * watermark as far as this log reaches. Serialised with {@link #updateState}: a fetch answered by the
     * former leader never lands after this broker started leading.
     *
     * @throws NotLeaderOrFollowerException if this broker leads the partition by now
     */
    public synchronized void appendAsFollower(MemoryRecords records, long leaderHighWatermark) {
        requireFollowing("appends what another broker fetched for it");
        if (records.sizeInBytes() > 0) {
            log.appendAsFollower(records);
            bytesAppended.add(records.sizeInBytes());
        }
        long before = log.highWatermark();
        if (log.updateHighWatermark(Math.min(leaderHighWatermark, log.logEndOffset())) != before) {
            // Consumers reading from this follower wait for its high watermark.
            wakeAppendWaiters();
        }
    }

    /** A follower's cut of a tail its leader does not have ({@link PartitionLog#truncateTo}). */
    public synchronized void truncateTo(long offset) {
        requireFollowing("cuts its log");
        log.truncateTo(offset);
    }

    /** A follower's fresh start at {@code offset}, its leader's log start, past everything it held. */
    public synchronized void truncateFullyAndStartAt(long offset) {
        requireFollowing("starts its log over");
        log.truncateFullyAndStartAt(offset, null);
    }

    /**
     * A follower's fresh start where the tiered log ends, when its leader answers that the records it fetches
     * next are in the bucket only (Kafka's {@code OFFSET_MOVED_TO_TIERED_STORAGE}): reads below come from the
     * bucket, and the follower copies from its leader only what is not there. Refused (false) while this broker's
     * metadata knows of no tiered records past the local log end yet. Reads the producer state from the object
     * store before it takes the partition's lock, so leadership changes do not wait for the bucket.
     */
    public boolean restartAtTieredEnd() {
        RemoteManifest remote = tiered.manifest();
        if (remote.endOffset() <= log.logEndOffset()) {
            return false;
        }
        Optional<ByteBuffer> snapshot = lastProducerSnapshot(tiered, remote, topicPartition);
        synchronized (this) {
            requireFollowing("starts its log over");
            startOver(log, remote.endOffset(), snapshot);
        }
        return true;
    }

    /**
     * Starts {@code log}, which ends below its tiered log, over, empty, where {@code tiered} ends: every offset it
     * holds is in the bucket. Offsets carry on; nothing is reused. Blocks while the producer state is read from
     * the object store.
     */
    static void restartAtTieredEnd(PartitionLog log, TieredLog tiered) {
        RemoteManifest remote = tiered.manifest();
        startOver(log, remote.endOffset(), lastProducerSnapshot(tiered, remote, log.topicPartition()));
    }

    /** The log restarted at {@code end} with the producer state {@code snapshot}, so idempotent producers carry on. */
    private static void startOver(PartitionLog log, long end, Optional<ByteBuffer> snapshot) {
        LOG.warnf("The local log of %s ends at offset %d, below its tiered log's end %d: starting it over at %d",
                log.topicPartition(), log.logEndOffset(), end, end);
        log.truncateFullyAndStartAt(end, snapshot.orElse(null));
    }

    /**
     * The producer state uploaded with the last segment of {@code remote}; empty when it has none or cannot be
     * read, and then producers start from a clean slate, as after their state expired.
     */
    private static Optional<ByteBuffer> lastProducerSnapshot(TieredLog tiered, RemoteManifest remote, TopicPartition tp) {
        try {
            return tiered.lastProducerSnapshot(remote).get(PRODUCER_SNAPSHOT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("Restarting %s without its producer state, which could not be read from the object store: %s",
                    tp, e instanceof ExecutionException ? e.getCause() : e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaStorageException("Interrupted while reading the tiered producer state of " + tp);
        }
    }

    /** @throws NotLeaderOrFollowerException unless this broker leads: a follower's log holds only its leader's batches */
    private void requireLeading(String action) {
        if (!leading) {
            throw new NotLeaderOrFollowerException("Broker " + replication.localId() + " no longer leads "
                    + topicPartition + ": it " + action + " only as its leader");
        }
    }

    /** @throws NotLeaderOrFollowerException if this broker leads by now: what a former leader answered must not change its log */
    private void requireFollowing(String action) {
        if (leading) {
            throw new NotLeaderOrFollowerException("Broker " + replication.localId() + " leads " + topicPartition
                    + " since epoch " + leaderEpoch + ": it no longer " + action + " as a follower");
        }
    }

    /** The epoch of this log's last batch, or empty when no batch carries one. */
    public OptionalInt latestEpoch() {
        return log.latestEpoch();
    }

    /** The largest epoch at most {@code epoch} this log knows, and the offset where it ends (OffsetForLeaderEpoch). */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return log.endOffsetForEpoch(epoch);
    }

    private void afterReplication(ReplicaSet.Progress progress) {
        progress.complete();
        if (progress.highWatermarkMoved()) {
            wakeAppendWaiters();
        }
    }

    private void wakeAppendWaiters() {
        for (Runnable waiter : appendWaiters) {
            waiter.run();
        }
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

    /** How many waiters the next append runs; a read that completed must have left none behind. */
    int appendWaiterCount() {
        return appendWaiters.size();
    }
}
