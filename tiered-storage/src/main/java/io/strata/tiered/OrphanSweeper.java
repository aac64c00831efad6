package io.strata.tiered;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Deletes the objects of a partition that no committed segment owns: those of uploads that failed
 * and could not clean up, that a crash interrupted, or that finished but were never committed.
 *
 * <p>An object is an orphan when its key is a segment file of the partition in the {@link RemoteKeys}
 * layout, its segment id is not among the committed ones, and its upload started at least the grace
 * period ago, as the {@link SegmentIds} time in the id tells. The grace period is what keeps an
 * upload in flight, or uploaded but not committed yet, from being swept: it must exceed the longest
 * time from the start of an upload to its commit, plus the clock skew between brokers. Keys the layout
 * does not know, and ids that are not version 7 UUIDs, have no age known and are never deleted.
 *
 * <p>Thread-safe.
 */
public final class OrphanSweeper {

    // Enough to clear a backlog quickly, few enough not to crowd out the partition's reads and uploads.
    private static final int DELETES_IN_FLIGHT = 8;

    private final ObjectStore store;
    private final RemoteKeys layout;
    private final Duration gracePeriod;
    private final Clock clock;

    public OrphanSweeper(ObjectStore store, RemoteKeys layout, Duration gracePeriod, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.gracePeriod = Objects.requireNonNull(gracePeriod, "gracePeriod");
        if (gracePeriod.isNegative()) {
            throw new IllegalArgumentException("Negative grace period " + gracePeriod);
        }
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Lists the partition's objects and deletes its orphans, a few at a time. A segment removed from the
     * manifest is an orphan too, which collects its objects when the broker's own deletes of them failed.
     *
     * @param committedSegmentIds the ids of the partition's committed segments, read just before the
     *                            call: a segment committed after they were read is protected by its age
     *                            alone, so the grace period must cover that time too
     * @return the keys deleted, in key order; or else the first failure, after which no further delete
     *         starts (what was deleted stays deleted, and the next sweep goes on with the rest)
     */
    public CompletableFuture<List<ObjectKey>> sweep(RemotePartition partition, Set<UUID> committedSegmentIds) {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(committedSegmentIds, "committedSegmentIds");
        // Read before listing: an upload starting later is younger than any cut-off computed from it.
        Instant cutoff = clock.instant().minus(gracePeriod);
        return Futures.unwrapped(store.list(layout.partitionPrefix(partition))
                .thenApply(keys -> keys.stream()
                        .filter(key -> layout.segmentId(partition, key)
                                .filter(id -> !committedSegmentIds.contains(id))
                                .flatMap(SegmentIds::uploadTime)
                                .filter(uploadTime -> !uploadTime.isAfter(cutoff))
                                .isPresent())
                        .toList())
                .thenCompose(this::deleteAll));
    }

    private CompletableFuture<List<ObjectKey>> deleteAll(List<ObjectKey> orphans) {
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        CompletableFuture<?>[] workers = IntStream.range(0, Math.min(DELETES_IN_FLIGHT, orphans.size()))
                .mapToObj(worker -> deleteFrom(orphans, next, failed))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(workers).thenApply(deleted -> orphans);
    }

    /** One worker: deletes the next orphan no worker has taken, until none is left or a delete failed. */
    private CompletableFuture<Void> deleteFrom(List<ObjectKey> orphans, AtomicInteger next, AtomicBoolean failed) {
        int index = next.getAndIncrement();
        if (index >= orphans.size() || failed.get()) {
            return CompletableFuture.completedFuture(null);
        }
        return store.delete(orphans.get(index))
                .whenComplete((deleted, failure) -> {
                    if (failure != null) {
                        failed.set(true);
                    }
                })
                .thenCompose(deleted -> deleteFrom(orphans, next, failed));
    }
}
