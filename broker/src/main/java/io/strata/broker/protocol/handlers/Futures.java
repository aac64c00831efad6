package io.strata.broker.protocol.handlers;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Joins per-resource results, which handlers of batch APIs compute independently, into one response. */
final class Futures {

    private Futures() {
    }

    /** Completes with every result in order once all have completed; none of them may fail. */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
    }
}
