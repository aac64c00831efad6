package io.strata.broker.protocol.handlers;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joins per-resource results, which handlers of batch APIs compute independently, into one response. */
final class Futures {

    private Futures() {
    }

    /** The failure a stage completed with, without the {@link CompletionException} a dependent stage wraps it in. */
    static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Completes with every result in order once all have completed; none of them may fail. */
    static <T> CompletableFuture<List<T>> all(List<CompletableFuture<T>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
    }
}
