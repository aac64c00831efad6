package io.strata.broker.partition;

import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Group commit for acknowledgements that wait for fsync: every request that asks while a sync is
 * running shares the next one, so the fsync rate stays bounded whatever the request rate.
 * One daemon thread; thread-safe.
 */
final class LogSyncer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LogSyncer.class);

    private final Object lock = new Object();
    private Map<Partition, List<CompletableFuture<Void>>> waiting = new LinkedHashMap<>();
    private boolean closed;
    private final Thread thread;

    LogSyncer() {
        thread = new Thread(this::run, "strata-log-sync");
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once everything appended to {@code partition} before this call is on disk. */
    CompletableFuture<Void> sync(Partition partition) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                done.completeExceptionally(new IllegalStateException("the broker is shutting down"));
                return done;
            }
            waiting.computeIfAbsent(partition, p -> new ArrayList<>()).add(done);
            lock.notifyAll();
        }
        return done;
    }

    private void run() {
        while (true) {
            Map<Partition, List<CompletableFuture<Void>>> batch;
            synchronized (lock) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (waiting.isEmpty()) {
                    return;
                }
                batch = waiting;
                waiting = new LinkedHashMap<>();
            }
            batch.forEach(LogSyncer::flush);
        }
    }

    private static void flush(Partition partition, List<CompletableFuture<Void>> waiters) {
        try {
            partition.log().flush();
            waiters.forEach(done -> done.complete(null));
        } catch (RuntimeException e) {
            LOG.errorf("fsync of %s failed: %s", partition.topicPartition(), e.getMessage());
            waiters.forEach(done -> done.completeExceptionally(e));
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
