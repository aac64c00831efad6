package io.strata.tiered;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Helpers for the failures of {@link java.util.concurrent.CompletableFuture} chains. */
final class Futures {

    private Futures() {
    }

    /**
     * The failure that {@code failure} stands for: dependent stages of a failed future fail with a
     * {@link CompletionException} around the original exception, and {@code get()} with an
     * {@link ExecutionException}.
     */
    static Throwable unwrap(Throwable failure) {
        Throwable unwrapped = failure;
        while ((unwrapped instanceof CompletionException || unwrapped instanceof ExecutionException)
                && unwrapped.getCause() != null) {
            unwrapped = unwrapped.getCause();
        }
        return unwrapped;
    }

    /**
     * A new future completing as {@code stage} does, but with the failure itself rather than the
     * {@link CompletionException} that dependent stages wrap it in, as the {@link ObjectStore}
     * contract has it. Being new, it also keeps a caller from completing a future that others share.
     */
    static <T> CompletableFuture<T> unwrapped(CompletionStage<T> stage) {
        CompletableFuture<T> result = new CompletableFuture<>();
        stage.whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
            } else {
                result.completeExceptionally(unwrap(failure));
            }
        });
        return result;
    }
}
