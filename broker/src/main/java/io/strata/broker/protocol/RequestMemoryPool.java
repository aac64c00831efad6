package io.strata.broker.protocol;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kafka's {@code queued.max.request.bytes}: the memory that large requests still being received may hold, across all
 * connections, so that clients declaring huge frames and sending them slowly cannot exhaust the broker's memory. A
 * frame over {@link #SMALL_FRAME_BYTES} reserves its whole size when its size prefix arrives and frees it once it is
 * whole; while the pool is used up, a connection whose large frame does not fit is not read ({@link #awaitFree}), and
 * reads again when memory is freed. As Kafka's pool, a reservation succeeds whenever any memory is left, so a frame
 * larger than the pool still gets through, alone. Small frames, which are most requests, are not counted: a client
 * holding the pool does not stall everyone else's produce and fetch. Thread-safe.
 */
public final class RequestMemoryPool {

    /** Frames up to this size (a producer's default {@code max.request.size}) need no reservation. */
    public static final int SMALL_FRAME_BYTES = 1 << 20;

    private final AtomicLong available;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    public RequestMemoryPool(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("the request memory pool needs a positive capacity, not " + capacityBytes);
        }
        this.available = new AtomicLong(capacityBytes);
    }

    /** Reserves {@code bytes} if any memory is left; false if none is. */
    boolean tryReserve(long bytes) {
        while (true) {
            long left = available.get();
            if (left <= 0) {
                return false;
            }
            if (available.compareAndSet(left, left - bytes)) {
                return true;
            }
        }
    }

    /** Frees what {@link #tryReserve} reserved, and wakes the connections waiting for memory. */
    void free(long bytes) {
        available.addAndGet(bytes);
        Runnable next;
        while ((next = waiting.poll()) != null) {
            next.run();
        }
    }

    /** Runs {@code retry} once memory is freed; at once if some is left already, so no wake-up is missed. */
    void awaitFree(Runnable retry) {
        waiting.add(retry);
        if (available.get() > 0 && waiting.remove(retry)) {
            retry.run();
        }
    }

    /** Bytes left to reserve; negative while a frame larger than what was left holds the pool. */
    long available() {
        return available.get();
    }
}
