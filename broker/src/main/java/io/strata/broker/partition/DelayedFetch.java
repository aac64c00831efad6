package io.strata.broker.partition;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A read of some partitions that may wait for more records (a long poll): Kafka's Fetch and the REST
 * read. It is an {@link Attempt} run at once, again after each append to one of the partitions and
 * whenever {@link #wake} is called (a tiered read finished), and a last time, forced, when the wait
 * runs out. The first attempt that produces a result completes {@link #result()}; from then on, as
 * after any other completion of it, no attempt runs and the partitions no longer hold this read as an
 * append waiter.
 *
 * <p>Thread-safe. Appends wake it on the appending thread, which must not pay for the read: the
 * re-attempt is handed to {@code executor}, once however many appends arrive before it runs.
 *
 * @param <T> what the read produces
 */
public final class DelayedFetch<T> {

    /** One try at the read. */
    @FunctionalInterface
    public interface Attempt<T> {
        /**
         * The result, or {@code null} for "not enough yet, keep waiting"; never {@code null} when
         * {@code force}, which is the last attempt. A thrown exception fails the read.
         */
        T tryRead(boolean force);
    }

    private final List<Partition> partitions;
    /**
     * Each partition's log end offset and high watermark before the first attempt, to tell whether the
     * partition moved since: followers read up to the one, consumers up to the other.
     */
    private final long[] endsBefore;
    private final ScheduledExecutorService executor;
    private final Attempt<T> attempt;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private final Runnable appendWaiter = this::wake;
    private volatile ScheduledFuture<?> timeout;

    /**
     * @param partitions the partitions whose appends may complete the read
     * @param executor   runs the attempts after a wake-up and the forced one after the wait
     */
    public DelayedFetch(Collection<Partition> partitions, ScheduledExecutorService executor, Attempt<T> attempt) {
        this.partitions = List.copyOf(partitions);
        this.endsBefore = ends(this.partitions);
        this.executor = executor;
        this.attempt = attempt;
        // However the result completes, by an attempt or by whoever holds it (a caller may cancel it),
        // the partitions stop holding this read.
        result.whenComplete((read, error) -> stopWaiting());
    }

    /**
     * Completes with the first result an attempt produces, or fails with what an attempt threw.
     * Completing or cancelling it from outside ends the read: no attempt runs after that and the
     * partitions drop it as an append waiter.
     */
    public CompletableFuture<T> result() {
        return result;
    }

    /**
     * Tries the read now, on the calling thread. Returns whether it is complete; if it is not,
     * {@link #await} must follow.
     */
    public boolean tryComplete() {
        return tryComplete(false);
    }

    /**
     * Waits up to {@code maxWaitMs} for appends to the partitions or {@link #wake} calls to complete the
     * read, then forces it. Tries once more after the waiters are in place if an append landed since this
     * read was made, since it woke no one; an idle consumer's poll is then one attempt now and one when
     * the wait runs out.
     */
    public void await(long maxWaitMs) {
        if (result.isDone()) {
            return;
        }
        for (Partition partition : partitions) {
            partition.addAppendWaiter(appendWaiter);
        }
        timeout = executor.schedule(() -> tryComplete(true), maxWaitMs, TimeUnit.MILLISECONDS);
        if (appendedSinceCreated()) {
            tryComplete(false);
        }
        // A completion on another thread while the waiters were added cannot have removed the ones
        // added after it; removal is idempotent, so remove them all again.
        if (result.isDone()) {
            stopWaiting();
        }
    }

    /**
     * Asks for another attempt, on {@code executor}: called on the appending thread after an append
     * to one of the partitions, or by whoever learns that an attempt would now get further.
     */
    public void wake() {
        if (result.isDone() || !wakePending.compareAndSet(false, true)) {
            return;
        }
        try {
            executor.execute(() -> {
                wakePending.set(false);
                tryComplete(false);
            });
        } catch (RejectedExecutionException e) {
            // The broker is stopping and nothing will run this read again. Failing it now answers a REST
            // read, which would otherwise hang until the HTTP server stops; a Kafka client's connection
            // closes with the broker, so what it is failed with never reaches one.
            result.completeExceptionally(e);
        }
    }

    private boolean appendedSinceCreated() {
        return !Arrays.equals(ends(partitions), endsBefore);
    }

    private static long[] ends(List<Partition> partitions) {
        long[] ends = new long[2 * partitions.size()];
        for (int i = 0; i < partitions.size(); i++) {
            ends[2 * i] = partitions.get(i).logEndOffset();
            ends[2 * i + 1] = partitions.get(i).highWatermark();
        }
        return ends;
    }

    private boolean tryComplete(boolean force) {
        if (result.isDone()) {
            return true;
        }
        try {
            T read = attempt.tryRead(force);
            if (read == null && !force) {
                return false;
            }
            if (read == null) {
                result.completeExceptionally(new IllegalStateException("A forced attempt of a read produced nothing"));
            } else {
                result.complete(read);
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return true;
    }

    private void stopWaiting() {
        for (Partition partition : partitions) {
            partition.removeAppendWaiter(appendWaiter);
        }
        ScheduledFuture<?> scheduled = timeout;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
