package io.strata.tiered;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * A cache of values loaded asynchronously, bounded by their total weight (their size in bytes, say)
 * and evicting the least recently used first.
 *
 * <ul>
 *   <li>Concurrent requests for a key share one load: the first starts it, the others get its future.</li>
 *   <li>A value counts towards the bound once loaded; loads in flight are neither weighed nor evicted,
 *       so the cache exceeds the bound by what is being loaded. A value heavier than the bound is
 *       handed out but not kept.</li>
 *   <li>A failed load is not kept: the next request loads again.</li>
 *   <li>The futures handed out are shared between callers, who must not complete them.</li>
 * </ul>
 *
 * <p>Thread-safe. The lock is held for map operations only, never while a loader runs, so no call
 * blocks; loaders must not block either, as they run on the caller's thread.
 */
final class AsyncLruCache<K, V> {

    private final long maxWeight;
    private final ToLongFunction<? super V> weigher;
    // In access order, so that iteration starts at the least recently used. Guarded by this.
    private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
    // The weight of the loaded entries. Guarded by this.
    private long weight;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    AsyncLruCache(long maxWeight, ToLongFunction<? super V> weigher) {
        if (maxWeight <= 0) {
            throw new IllegalArgumentException("The maximum weight must be positive: " + maxWeight);
        }
        this.maxWeight = maxWeight;
        this.weigher = weigher;
    }

    /**
     * The value for {@code key}: the one cached or being loaded (a hit), or else (a miss) the one
     * that {@code loader} starts loading now.
     */
    CompletableFuture<V> get(K key, Function<? super K, CompletableFuture<V>> loader) {
        Lookup<V> lookup = lookupOrLoad(key, loader);
        (lookup.created() ? misses : hits).increment();
        return lookup.entry().value;
    }

    /**
     * Starts loading {@code key} if it is neither cached nor being loaded, without counting a hit or a miss.
     *
     * @return whether it started a load
     */
    boolean prefetch(K key, Function<? super K, CompletableFuture<V>> loader) {
        return lookupOrLoad(key, loader).created();
    }

    /** How many {@link #get} calls found the value cached or being loaded. */
    long hits() {
        return hits.sum();
    }

    /** How many {@link #get} calls had to start a load. */
    long misses() {
        return misses.sum();
    }

    /** The weight of the values cached. */
    synchronized long weight() {
        return weight;
    }

    private Lookup<V> lookupOrLoad(K key, Function<? super K, CompletableFuture<V>> loader) {
        Lookup<V> lookup;
        synchronized (this) {
            Entry<V> existing = entries.get(key);
            lookup = existing != null ? new Lookup<>(existing, false) : new Lookup<>(new Entry<>(), true);
            if (lookup.created()) {
                entries.put(key, lookup.entry());
            }
        }
        // Outside the lock: a loader completing at once runs admit() on this thread.
        if (lookup.created()) {
            load(key, lookup.entry(), loader);
        }
        return lookup;
    }

    private void load(K key, Entry<V> entry, Function<? super K, CompletableFuture<V>> loader) {
        CompletableFuture<V> loading;
        try {
            loading = loader.apply(key);
        } catch (RuntimeException e) {
            loading = CompletableFuture.failedFuture(e);
        }
        loading.whenComplete((value, failure) -> {
            // The cache is updated first, so that whoever sees the value also sees it cached.
            if (failure == null) {
                admit(entry, weigher.applyAsLong(value));
                entry.value.complete(value);
            } else {
                remove(key, entry);
                entry.value.completeExceptionally(failure);
            }
        });
    }

    private synchronized void admit(Entry<V> entry, long entryWeight) {
        entry.weight = entryWeight;
        weight += entryWeight;
        Iterator<Entry<V>> leastRecentlyUsed = entries.values().iterator();
        while (weight > maxWeight && leastRecentlyUsed.hasNext()) {
            Entry<V> candidate = leastRecentlyUsed.next();
            if (candidate.isLoaded()) {
                leastRecentlyUsed.remove();
                weight -= candidate.weight;
            }
        }
    }

    private synchronized void remove(K key, Entry<V> entry) {
        entries.remove(key, entry);
    }

    private record Lookup<V>(Entry<V> entry, boolean created) {
    }

    private static final class Entry<V> {

        private static final long LOADING = -1;

        final CompletableFuture<V> value = new CompletableFuture<>();
        // Guarded by the cache.
        long weight = LOADING;

        boolean isLoaded() {
            return weight != LOADING;
        }
    }
}
