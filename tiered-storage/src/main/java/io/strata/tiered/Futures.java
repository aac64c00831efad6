package io.strata.tiered;

import java.util.concurrent.CompletionException;
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
}
