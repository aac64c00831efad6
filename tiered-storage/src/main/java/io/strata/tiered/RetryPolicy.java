package io.strata.tiered;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How an operation on an {@link ObjectStore} is retried: only after an {@link ObjectStoreException},
 * the store's failures worth retrying, never after {@link ObjectNotFoundException}, invalid arguments
 * or a closed store, which would fail the same way again. Between attempts it backs off
 * exponentially from {@code baseDelay} up to {@code maxDelay}, each delay drawn at random from its
 * upper half, so that the partitions failing together in an outage do not retry in lockstep.
 *
 * <p>These retries come on top of those that a store makes itself within each operation (see
 * {@link S3Settings#maxAttempts()}): they outlast longer outages.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxAttempts the attempts per operation, the first one included
 * @param baseDelay   the delay before the first retry, doubling for each further one
 * @param maxDelay    the most the delay grows to
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || baseDelay.isZero() || baseDelay.compareTo(maxDelay) > 0) {
            throw new IllegalArgumentException("Invalid retry delays: base " + baseDelay + ", max " + maxDelay);
        }
    }

    /**
     * Runs {@code operation}, and again while it fails with an {@link ObjectStoreException} and
     * attempts are left, each time after a {@link #backoff}. Never blocks: the retries start on
     * {@code executor} once their delay has passed.
     *
     * @return the result of the first attempt that succeeds, or else the failure of the last attempt,
     *         itself rather than wrapped in a {@link java.util.concurrent.CompletionException}
     */
    public <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> operation, Executor executor) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(executor, "executor");
        return Futures.unwrapped(attempt(operation, executor, 1));
    }

    /** The delay after the {@code failedAttempts}-th failed attempt, between half and all of the exponential delay. */
    Duration backoff(int failedAttempts) {
        long max = maxDelay.toNanos();
        long delay = baseDelay.toNanos();
        for (int doubling = 1; doubling < failedAttempts && delay < max; doubling++) {
            delay = delay > max / 2 ? max : delay * 2;
        }
        return Duration.ofNanos(delay - ThreadLocalRandom.current().nextLong(delay / 2 + 1));
    }

    private <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> operation, Executor executor,
                                             int attempt) {
        CompletableFuture<T> result;
        try {
            result = operation.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.exceptionallyCompose(failure -> {
            Throwable cause = Futures.unwrap(failure);
            if (!(cause instanceof ObjectStoreException) || attempt >= maxAttempts) {
                return CompletableFuture.failedFuture(cause);
            }
            Executor later = CompletableFuture.delayedExecutor(backoff(attempt).toNanos(), TimeUnit.NANOSECONDS,
                    executor);
            return CompletableFuture.runAsync(() -> { }, later)
                    .thenCompose(delayed -> attempt(operation, executor, attempt + 1));
        });
    }
}
