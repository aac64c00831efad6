package io.strata.broker.group;

import java.util.concurrent.CompletableFuture;

/**
 * The response a member waits for in a JoinGroup or SyncGroup until the rebalance gets that far.
 * Confined to the coordinator thread.
 */
final class ParkedResponse<T> {

    private CompletableFuture<T> future;

    void park(CompletableFuture<T> waiting) {
        future = waiting;
    }

    boolean isParked() {
        return future != null;
    }

    /**
     * Answers the parked response, if there is one.
     *
     * @return whether a response was parked
     */
    boolean complete(T response) {
        if (future == null) {
            return false;
        }
        CompletableFuture<T> waiting = future;
        future = null;
        waiting.complete(response);
        return true;
    }

    /** Lets go of the parked response without answering it; whoever parked it answers it. */
    void release() {
        future = null;
    }
}
