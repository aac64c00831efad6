package io.strata.tiered;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An {@link ObjectStore} passing every call on to another one, recording the puts, gets and deletes,
 * failing puts on demand and holding puts and gets back until released. Thread-safe.
 */
final class InstrumentedStore implements ObjectStore {

    private final ObjectStore delegate;
    private final ConcurrentLinkedQueue<ObjectKey> puts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ObjectKey> gets = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ObjectKey> deletes = new ConcurrentLinkedQueue<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Predicate<ObjectKey> failing = key -> false;
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

    InstrumentedStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    /** Fails the next {@code count} puts of keys {@code matching} with an {@link ObjectStoreException}. */
    void failPuts(Predicate<ObjectKey> matching, int count) {
        failing = matching;
        failuresLeft.set(count);
    }

    /** Holds the puts and gets from now on back until {@link #release()}; they are recorded at once. */
    void hold() {
        gate = new CompletableFuture<>();
    }

    void release() {
        gate.complete(null);
    }

    /** The keys of the puts so far, failed ones included, in the order they were called. */
    List<ObjectKey> puts() {
        return List.copyOf(puts);
    }

    List<ObjectKey> gets() {
        return List.copyOf(gets);
    }

    List<ObjectKey> deletes() {
        return List.copyOf(deletes);
    }

    @Override
    public CompletableFuture<Void> put(ObjectKey key, Path source) {
        puts.add(key);
        if (failing.test(key) && failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            return afterGate(() -> CompletableFuture.failedFuture(
                    new ObjectStoreException("put", key, new IOException("injected failure"))));
        }
        return afterGate(() -> delegate.put(key, source));
    }

    @Override
    public CompletableFuture<ByteBuffer> get(ObjectKey key, long position, int length) {
        gets.add(key);
        return afterGate(() -> delegate.get(key, position, length));
    }

    @Override
    public CompletableFuture<OptionalLong> size(ObjectKey key) {
        return delegate.size(key);
    }

    @Override
    public CompletableFuture<Void> delete(ObjectKey key) {
        deletes.add(key);
        return delegate.delete(key);
    }

    @Override
    public CompletableFuture<List<ObjectKey>> list(ObjectKey prefix) {
        return delegate.list(prefix);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> CompletableFuture<T> afterGate(Supplier<CompletableFuture<T>> operation) {
        return Futures.unwrapped(gate.thenCompose(open -> operation.get()));
    }
}
