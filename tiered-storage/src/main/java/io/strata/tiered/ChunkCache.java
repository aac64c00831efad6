package io.strata.tiered;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chunks of remote segments' {@code .log} objects read lately, kept in memory for a
 * {@link RemoteSegmentReader}: chunk {@code n} of a segment is the bytes from {@code n * chunkSize},
 * {@code chunkSize} of them or up to the segment's end, fetched with one ranged GET.
 *
 * <p>Bounded by the total bytes of the chunks cached, evicting the least recently used chunk first;
 * concurrent requests for a chunk share one GET, and a failed GET is not kept (see
 * {@link AsyncLruCache}). Chunks are keyed by segment id, which is unique to an upload, so a cached
 * chunk never goes stale.
 *
 * <p>Thread-safe; never blocks.
 */
public final class ChunkCache {

    private final ObjectStore store;
    private final int chunkSize;
    private final AsyncLruCache<ChunkKey, ByteBuffer> chunks;
    private final LongAdder readAheads = new LongAdder();
    private final LongAdder bytesFetched = new LongAdder();

    /**
     * @param chunkSize the bytes per GET, such as 1 MiB: larger chunks mean fewer requests but more
     *                  bytes fetched that no one reads
     * @param maxBytes  the most bytes of chunks to keep, at least {@code chunkSize}
     */
    public ChunkCache(ObjectStore store, int chunkSize, long maxBytes) {
        this.store = Objects.requireNonNull(store, "store");
        if (chunkSize <= 0 || maxBytes < chunkSize) {
            throw new IllegalArgumentException("Invalid chunk cache sizes: chunks of " + chunkSize + " bytes, at most "
                    + maxBytes + " bytes");
        }
        this.chunkSize = chunkSize;
        this.chunks = new AsyncLruCache<>(maxBytes, ByteBuffer::remaining);
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** The counters so far, for metrics. */
    public Stats stats() {
        return new Stats(chunks.hits(), chunks.misses(), readAheads.sum(), bytesFetched.sum(), chunks.weight());
    }

    /**
     * Chunk {@code index} of the segment, cached or fetched, as a read-only buffer shared with other
     * callers, positioned at 0; the caller reads it with absolute gets or a duplicate. The chunk must
     * start before the segment's end. A chunk that the object holds fewer bytes of than the segment's
     * size implies fails with {@link IllegalStateException}.
     */
    CompletableFuture<ByteBuffer> chunk(RemoteSegment segment, long index) {
        return chunks.get(new ChunkKey(segment.segmentId(), index), key -> fetch(segment, index));
    }

    /** Starts fetching chunk {@code index} of the segment unless it is cached or being fetched already. */
    void readAhead(RemoteSegment segment, long index) {
        if (chunks.prefetch(new ChunkKey(segment.segmentId(), index), key -> fetch(segment, index))) {
            readAheads.increment();
        }
    }

    private CompletableFuture<ByteBuffer> fetch(RemoteSegment segment, long index) {
        long position = index * chunkSize;
        int length = (int) Math.min(chunkSize, segment.sizeInBytes() - position);
        ObjectKey key = segment.key(SegmentFileType.LOG);
        return store.get(key, position, length)
                .thenApply(chunk -> {
                    bytesFetched.add(chunk.remaining());
                    // Objects are immutable, so a short one was damaged or replaced: no retry would help.
                    if (chunk.remaining() != length) {
                        throw new IllegalStateException("Object " + key + " ends before the " + segment.sizeInBytes()
                                + " bytes of " + segment + ": " + chunk.remaining() + " bytes from " + position
                                + " instead of " + length);
                    }
                    return chunk.asReadOnlyBuffer();
                });
    }

    /**
     * The counters of a {@link ChunkCache}, from its creation.
     *
     * @param hits         chunk requests of readers served by a chunk cached or being fetched
     * @param misses       chunk requests of readers that started a GET
     * @param readAheads   GETs started ahead of readers
     * @param bytesFetched bytes read from the object store, read-aheads included
     * @param cachedBytes  bytes of the chunks cached now
     */
    public record Stats(long hits, long misses, long readAheads, long bytesFetched, long cachedBytes) {
    }

    private record ChunkKey(UUID segmentId, long index) {
    }
}
