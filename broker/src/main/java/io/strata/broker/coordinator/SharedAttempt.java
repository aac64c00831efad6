package io.strata.broker.coordinator;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * An asynchronous step that every caller shares while it is under way or once it succeeded, and that the next caller
 * starts again after it failed: a coordinator's creation and loading of its internal topic, which its first requests
 * all wait for and which a later request retries if the cluster could not create it then.
 */
public final class SharedAttempt<T> {

    private final AtomicReference<CompletableFuture<T>> current = new AtomicReference<>();

    /** The attempt under way or succeeded; otherwise a new one, handed to {@code start} to complete. */
    public CompletableFuture<T> get(Consumer<CompletableFuture<T>> start) {
        while (true) {
            CompletableFuture<T> existing = current.get();
            if (existing != null && !existing.isCompletedExceptionally()) {
                return existing;
            }
            CompletableFuture<T> mine = new CompletableFuture<>();
            if (current.compareAndSet(existing, mine)) {
                try {
                    start.accept(mine);
                } catch (RuntimeException e) {
                    // Failed, so that the next caller starts again rather than wait for it forever.
                    mine.completeExceptionally(e);
                }
                return mine;
            }
        }
    }

    /** Makes {@code attempt}, started by its owner, the one callers share. */
    public void set(CompletableFuture<T> attempt) {
        current.set(attempt);
    }

    /** Whether an attempt was ever started or set. */
    public boolean started() {
        return current.get() != null;
    }

    /** Whether the latest attempt has succeeded. */
    public boolean succeeded() {
        CompletableFuture<T> latest = current.get();
        return latest != null && latest.isDone() && !latest.isCompletedExceptionally();
    }
}
