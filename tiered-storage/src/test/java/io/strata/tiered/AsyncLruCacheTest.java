package io.strata.tiered;

import static io.strata.tiered.TestFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class AsyncLruCacheTest {

    /** Weighs a value by its length; at most 10. */
    private final AsyncLruCache<String, String> cache = new AsyncLruCache<>(10, String::length);
    /** The keys loaded, in order, and the loads in progress. */
    private final List<String> loads = new ArrayList<>();
    private final Map<String, CompletableFuture<String>> pending = new HashMap<>();
    private final Function<String, CompletableFuture<String>> loader = key -> {
        loads.add(key);
        return pending.computeIfAbsent(key, k -> new CompletableFuture<>());
    };

    @Test
    void concurrentRequestsShareOneLoad() {
        CompletableFuture<String> first = cache.get("a", loader);
        CompletableFuture<String> second = cache.get("a", loader);
        pending.get("a").complete("value");

        assertThat(second).isSameAs(first).isCompletedWithValue("value");
        assertThat(cache.get("a", loader)).isCompletedWithValue("value");
        assertThat(loads).containsExactly("a");
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.weight()).isEqualTo(5);
    }

    @Test
    void evictsTheLeastRecentlyUsedValuesBeyondTheBound() {
        load("a", "aaaa");
        load("b", "bbbb");
        cache.get("a", loader);
        load("c", "cccc");

        assertThat(cache.weight()).isEqualTo(8);
        cache.get("a", loader);
        cache.get("c", loader);
        assertThat(loads).containsExactly("a", "b", "c");
        cache.get("b", loader);
        assertThat(loads).containsExactly("a", "b", "c", "b");
    }

    @Test
    void neverEvictsALoadInProgress() {
        CompletableFuture<String> loading = cache.get("slow", loader);
        load("a", "aaaaaa");
        load("b", "bbbbbb");

        assertThat(cache.get("slow", loader)).isSameAs(loading);
        assertThat(loads).containsExactly("slow", "a", "b");
        assertThat(cache.weight()).isEqualTo(6);
    }

    @Test
    void doesNotKeepAFailedLoad() {
        CompletableFuture<String> failed = cache.get("a", loader);
        IllegalStateException error = new IllegalStateException("injected");
        pending.remove("a").completeExceptionally(error);

        assertThat(failure(failed)).isSameAs(error);
        load("a", "value");
        assertThat(loads).containsExactly("a", "a");
        assertThat(cache.weight()).isEqualTo(5);
    }

    @Test
    void handsOutButDoesNotKeepAValueHeavierThanTheBound() {
        load("small", "s");

        assertThat(load("huge", "h".repeat(11))).isCompletedWithValue("h".repeat(11));
        assertThat(cache.weight()).isZero();
        cache.get("small", loader);
        cache.get("huge", loader);
        assertThat(loads).containsExactly("small", "huge", "small", "huge");
    }

    @Test
    void prefetchesWhatIsNeitherCachedNorLoadingWithoutCountingIt() {
        assertThat(cache.prefetch("a", loader)).isTrue();
        assertThat(cache.prefetch("a", loader)).isFalse();
        pending.get("a").complete("value");
        assertThat(cache.prefetch("a", loader)).isFalse();

        assertThat(loads).containsExactly("a");
        assertThat(cache.hits()).isZero();
        assertThat(cache.misses()).isZero();
    }

    private CompletableFuture<String> load(String key, String value) {
        CompletableFuture<String> result = cache.get(key, loader);
        pending.remove(key).complete(value);
        return result;
    }
}
