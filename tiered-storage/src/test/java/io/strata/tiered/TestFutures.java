package io.strata.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Waiting for the futures under test, with a bound so that a hung future fails the test. */
final class TestFutures {

    private TestFutures() {
    }

    static <T> T await(CompletableFuture<T> future) {
        return future.orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The exception the future failed with; unlike {@code get()}, {@code handle} sees any wrapper. */
    static Throwable failure(CompletableFuture<?> future) {
        Throwable failure = await(future.handle((result, e) -> e));
        assertThat(failure).as("the future's failure").isNotNull();
        return failure;
    }
}
