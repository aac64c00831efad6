package io.strata.tiered;

import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Executor EXECUTOR = ForkJoinPool.commonPool();
    private static final ObjectKey KEY = new ObjectKey("object");

    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(10));
    private final AtomicInteger calls = new AtomicInteger();

    @Test
    void backsOffExponentiallyWithJitterUpToTheMaximum() {
        RetryPolicy slow = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000));

        for (int i = 0; i < 20; i++) {
            assertThat(slow.backoff(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(slow.backoff(2)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
            assertThat(slow.backoff(4)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
            assertThat(slow.backoff(5)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
            assertThat(slow.backoff(Integer.MAX_VALUE)).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        }
    }

    @Test
    void retriesAStoreFailureUntilAnAttemptSucceeds() {
        CompletableFuture<String> result = policy.call(() -> calls.incrementAndGet() < 3
                ? CompletableFuture.failedFuture(storeFailure())
                : CompletableFuture.completedFuture("done"), EXECUTOR);

        assertThat(await(result)).isEqualTo("done");
        assertThat(calls).hasValue(3);
    }

    @Test
    void failsWithTheLastFailureOnceTheAttemptsAreSpent() {
        CompletableFuture<String> result = policy.call(() -> {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(storeFailure());
        }, EXECUTOR);

        assertThat(failure(result)).isInstanceOf(ObjectStoreException.class);
        assertThat(calls).hasValue(3);
    }

    @Test
    void neverRetriesWhatWouldFailAgain() {
        for (RuntimeException permanent : new RuntimeException[] {new ObjectNotFoundException(KEY),
                new IllegalArgumentException("bad input"), new IllegalStateException("closed")}) {
            calls.set(0);
            CompletableFuture<String> result = policy.call(() -> {
                calls.incrementAndGet();
                return CompletableFuture.failedFuture(permanent);
            }, EXECUTOR);

            assertThat(failure(result)).isSameAs(permanent);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void anOperationThrowingFailsTheCall() {
        IllegalArgumentException thrown = new IllegalArgumentException("thrown");

        assertThat(failure(policy.call(() -> {
            throw thrown;
        }, EXECUTOR))).isSameAs(thrown);
    }

    @Test
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofMillis(1), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofMillis(2), Duration.ofMillis(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static ObjectStoreException storeFailure() {
        return new ObjectStoreException("put", KEY, new IOException("unreachable"));
    }
}
