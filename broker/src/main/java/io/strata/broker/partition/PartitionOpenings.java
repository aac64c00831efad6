package io.strata.broker.partition;

import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Who waits for partitions to open while the broker loads its logs at start-up, told of each partition as it opens.
 * Once the load is over nobody waits any more: a partition that failed to open, or that the broker no longer holds,
 * would never be reported.
 */
final class PartitionOpenings {

    /** One wait: the partitions not open yet, and what completes once none is left. */
    private record Waiter(Set<TopicPartition> pending, CompletableFuture<Void> done) {
    }

    private final List<Waiter> waiters = new ArrayList<>(); // guarded by this
    private boolean over; // guarded by this

    /**
     * Completes once each of {@code wanted} that {@code isOpen} does not hold yet has opened, or the load is over.
     * The caller may complete it sooner itself (a time limit): the wait then ends here too.
     */
    CompletableFuture<Void> await(Iterable<TopicPartition> wanted, Predicate<TopicPartition> isOpen) {
        Set<TopicPartition> pending = new HashSet<>();
        Waiter waiter;
        synchronized (this) {
            // Checked under the lock, which opened() takes after the partition became visible: none is missed.
            for (TopicPartition tp : wanted) {
                if (!isOpen.test(tp)) {
                    pending.add(tp);
                }
            }
            if (over || pending.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            waiter = new Waiter(pending, new CompletableFuture<>());
            waiters.add(waiter);
        }
        waiter.done().whenComplete((ignored, failure) -> remove(waiter));
        return waiter.done();
    }

    private synchronized void remove(Waiter waiter) {
        waiters.removeIf(each -> each == waiter);
    }

    /** {@code tp} has opened and is visible to the check of {@link #await}. */
    void opened(TopicPartition tp) {
        List<Waiter> satisfied = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.pending().remove(tp) && waiter.pending().isEmpty()) {
                    it.remove();
                    satisfied.add(waiter);
                }
            }
        }
        // Outside the lock: what follows a wait runs on the thread that completes it.
        satisfied.forEach(waiter -> waiter.done().complete(null));
    }

    /** The load is over: every wait ends, and none starts any more. */
    void loadOver() {
        List<Waiter> released;
        synchronized (this) {
            over = true;
            released = new ArrayList<>(waiters);
            waiters.clear();
        }
        released.forEach(waiter -> waiter.done().complete(null));
    }
}
