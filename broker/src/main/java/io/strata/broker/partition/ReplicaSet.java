package io.strata.broker.partition;

import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.utils.Time;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * A partition's replicas as its leader drives them, as Kafka's {@code Partition} does: what each follower's
 * fetches say of its log, the high watermark that follows from the in-sync ones (the smallest log end offset
 * among them, the leader's included), and the acks=all appends waiting for it. On a broker that does not
 * lead the partition it only holds the metadata's state.
 *
 * <p>Thread-safe: every method holds this object's lock; the futures they complete are handed back in a
 * {@link Progress} and completed by the caller after the lock is released, since whatever depends on them
 * (a produce response) must not run under it.
 */
final class ReplicaSet {

    private final int localId;
    private final TopicPartition topicPartition;
    private final Time time;
    private PartitionImage state;
    private final Map<Integer, FollowerProgress> followers = new HashMap<>();
    /** acks=all appends by the high watermark they need: the offset after their last record. */
    private final NavigableMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
    /** The log end offset when this broker started leading in the current epoch. */
    private long epochStartOffset;

    /** Starts as the only replica, leading: what a partition is until the metadata says otherwise. */
    ReplicaSet(int localId, TopicPartition topicPartition, Time time) {
        this.localId = localId;
        this.topicPartition = topicPartition;
        this.time = time;
        this.state = PartitionImage.assigned(List.of(localId));
    }

    int localId() {
        return localId;
    }

    synchronized PartitionImage state() {
        return state;
    }

    /** Takes the metadata's state; see {@link Partition#updateState}. */
    synchronized Progress update(PartitionImage newState, PartitionLog log, int minInsyncReplicas) {
        PartitionImage old = state;
        state = newState;
        boolean leads = newState.leader() == localId;
        if (!leads) {
            followers.clear();
            Progress progress = new Progress(true);
            waiters.values().forEach(futures -> progress.fail(futures, new NotLeaderOrFollowerException(
                    "Broker " + localId + " no longer leads " + topicPartition + " (leader " + newState.leader()
                            + ", epoch " + newState.leaderEpoch() + ")")));
            waiters.clear();
            return progress;
        }
        if (old.leader() != localId || old.leaderEpoch() != newState.leaderEpoch()) {
            followers.clear();
            epochStartOffset = log.logEndOffset();
        }
        long now = time.milliseconds();
        followers.keySet().retainAll(newState.replicas());
        for (int id : newState.replicas()) {
            if (id != localId) {
                followers.computeIfAbsent(id, ignored -> new FollowerProgress(now));
            }
        }
        return advanceHighWatermark(log, minInsyncReplicas);
    }

    /**
     * Moves the high watermark to the smallest log end offset of the in-sync replicas, if that is higher,
     * and releases the appends it covers. Nothing moves on a broker that does not lead, nor while an in-sync
     * follower has not fetched from this leader yet.
     */
    synchronized Progress advanceHighWatermark(PartitionLog log, int minInsyncReplicas) {
        Progress progress = new Progress(true);
        if (state.leader() != localId) {
            return progress;
        }
        long candidate = log.logEndOffset();
        for (int id : state.isr()) {
            FollowerProgress follower = followers.get(id);
            if (follower != null) {
                candidate = Math.min(candidate, follower.logEndOffset());
            }
        }
        if (candidate > log.highWatermark()) {
            long highWatermark = log.updateHighWatermark(candidate);
            progress.highWatermarkMoved = true;
            Map<Long, List<CompletableFuture<Void>>> reached = waiters.headMap(highWatermark, true);
            reached.values().forEach(futures -> release(progress, futures, minInsyncReplicas));
            reached.clear();
        }
        return progress;
    }

    private void release(Progress progress, List<CompletableFuture<Void>> futures, int minInsyncReplicas) {
        if (state.isUnderMinIsr(minInsyncReplicas)) {
            progress.fail(futures, new NotEnoughReplicasAfterAppendException("The in-sync replicas of " + topicPartition
                    + " shrank to " + state.isr() + ", fewer than the " + state.requiredInsyncReplicas(minInsyncReplicas)
                    + " min.insync.replicas=" + minInsyncReplicas + " requires, before the records were replicated."));
        } else {
            progress.completed.addAll(futures);
        }
    }

    /** See {@link Partition#replicated}. */
    CompletableFuture<Void> awaitHighWatermark(PartitionLog log, long highWatermark, int minInsyncReplicas) {
        CompletableFuture<Void> future = new CompletableFuture<>();
        Progress progress = new Progress(true);
        synchronized (this) {
            if (state.leader() != localId) {
                return CompletableFuture.failedFuture(new NotLeaderOrFollowerException(
                        "Broker " + localId + " no longer leads " + topicPartition));
            }
            if (log.highWatermark() >= highWatermark) {
                release(progress, List.of(future), minInsyncReplicas);
            } else {
                waiters.computeIfAbsent(highWatermark, offset -> new ArrayList<>()).add(future);
            }
        }
        progress.complete();
        return future;
    }

    /** See {@link Partition#followerFetched}. */
    Progress followerFetched(int replicaId, long fetchOffset, PartitionLog log, int minInsyncReplicas) {
        synchronized (this) {
            FollowerProgress follower = state.leader() == localId ? followers.get(replicaId) : null;
            if (follower == null) {
                return new Progress(false);
            }
            follower.fetched(fetchOffset, log.logEndOffset(), time.milliseconds());
            return advanceHighWatermark(log, minInsyncReplicas);
        }
    }

    /**
     * Kafka's rule: an in-sync follower stays while it caught up within {@code lagTimeMaxMs}; another joins
     * once it also holds everything below the high watermark and the records of this leader's epoch, and
     * only if {@code mayJoin} (its broker is live: a fenced one's last fetches may look caught up).
     */
    synchronized Optional<List<Integer>> wantedIsr(long highWatermark, long lagTimeMaxMs, IntPredicate mayJoin) {
        if (state.leader() != localId) {
            return Optional.empty();
        }
        long now = time.milliseconds();
        List<Integer> wanted = new ArrayList<>();
        for (int id : state.replicas()) {
            FollowerProgress follower = followers.get(id);
            boolean inSync = id == localId || follower != null && now - follower.lastCaughtUpMs() <= lagTimeMaxMs
                    && (state.isr().contains(id) || mayJoin.test(id)
                    && follower.logEndOffset() >= highWatermark && follower.logEndOffset() >= epochStartOffset);
            if (inSync) {
                wanted.add(id);
            }
        }
        return wanted.equals(state.isr()) ? Optional.empty() : Optional.of(wanted);
    }

    /** See {@link Partition#preferredReadReplica}. */
    synchronized OptionalInt preferredReadReplica(String clientRack, long fetchOffset,
                                                  IntFunction<Optional<String>> liveRack) {
        if (state.leader() != localId || liveRack.apply(localId).filter(clientRack::equals).isPresent()) {
            return OptionalInt.empty();
        }
        for (int id : state.replicas()) {
            FollowerProgress follower = followers.get(id);
            if (follower != null && state.isr().contains(id) && follower.logEndOffset() >= fetchOffset
                    && liveRack.apply(id).filter(clientRack::equals).isPresent()) {
                return OptionalInt.of(id);
            }
        }
        return OptionalInt.empty();
    }

    /** See {@link Partition#maxFollowerLag}. */
    synchronized long maxFollowerLag(long logEndOffset) {
        long lag = 0;
        if (state.leader() == localId) {
            for (FollowerProgress follower : followers.values()) {
                if (follower.logEndOffset() != FollowerProgress.UNKNOWN_OFFSET) {
                    lag = Math.max(lag, logEndOffset - follower.logEndOffset());
                }
            }
        }
        return lag;
    }

    /** What a change released: futures to complete or fail once the lock is released. */
    static final class Progress {
        private final boolean known;
        private final List<CompletableFuture<Void>> completed = new ArrayList<>();
        private final List<Runnable> failures = new ArrayList<>();
        private boolean highWatermarkMoved;

        private Progress(boolean known) {
            this.known = known;
        }

        private void fail(List<CompletableFuture<Void>> futures, RuntimeException error) {
            futures.forEach(future -> failures.add(() -> future.completeExceptionally(error)));
        }

        /** Whether the replica a fetch came from is one this leader follows the progress of. */
        boolean known() {
            return known;
        }

        boolean highWatermarkMoved() {
            return highWatermarkMoved;
        }

        void complete() {
            completed.forEach(future -> future.complete(null));
            failures.forEach(Runnable::run);
        }
    }
}
