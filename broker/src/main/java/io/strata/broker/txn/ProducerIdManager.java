package io.strata.broker.txn;

import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.RaftMetadataLog;

import java.util.concurrent.CompletableFuture;

/**
 * Hands out producer ids from blocks reserved in the replicated metadata, so an id is never
 * given twice, across restarts and, later, across brokers. Thread-safe.
 */
public final class ProducerIdManager {

    static final int BLOCK_SIZE = 1000;

    private final RaftMetadataLog metadata;
    private long next;
    private long end;
    private CompletableFuture<Void> refill;

    public ProducerIdManager(RaftMetadataLog metadata) {
        this.metadata = metadata;
    }

    public synchronized CompletableFuture<Long> nextProducerId() {
        if (next < end) {
            return CompletableFuture.completedFuture(next++);
        }
        CompletableFuture<Void> current = refill;
        if (current == null) {
            // Assigned before the cleanup is attached: a submit that fails at once completes the
            // cleanup inline, which must then find this future and clear it.
            CompletableFuture<Void> pending = metadata.submit(new MetadataCommand.AllocateProducerIds(BLOCK_SIZE))
                    .thenAccept(result -> {
                        if (result.isError()) {
                            throw result.exception();
                        }
                        synchronized (this) {
                            next = result.value();
                            end = next + BLOCK_SIZE;
                        }
                    });
            refill = pending;
            current = pending;
            pending.whenComplete((ignored, error) -> {
                synchronized (this) {
                    if (refill == pending) {
                        refill = null;
                    }
                }
            });
        }
        // Not the field: a refill that is already complete has cleared it by now.
        return current.thenCompose(ignored -> nextProducerId());
    }
}
