package io.strata.tiered;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Reads byte ranges of remote segments' {@code .log} objects through a {@link ChunkCache}.
 *
 * <p>When a read asks for chunk {@code n} of a segment right after chunk {@code n - 1} of it was asked
 * for (by this read or the one before), the segment is taken to be read sequentially and chunk
 * {@code n + 1} is fetched ahead, so that a consumer going through a segment mostly finds the next chunk
 * cached or on its way.
 *
 * <p>Thread-safe; never blocks.
 */
public final class RemoteSegmentReader {

    // Enough for the segments that a broker's consumers read at once.
    private static final int TRACKED_SEGMENTS = 4096;

    private final ChunkCache cache;
    private final SequentialReads sequentialReads = new SequentialReads(TRACKED_SEGMENTS);

    public RemoteSegmentReader(ChunkCache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /**
     * Reads up to {@code maxBytes} bytes of the segment's {@code .log}, starting at byte
     * {@code startPosition}: fewer when the segment ends first, none from its end on.
     *
     * @return a read-only buffer positioned at 0 with its limit at the bytes read; or else the failure
     *         of a GET, itself rather than wrapped: {@link ObjectNotFoundException} if the object is gone,
     *         {@link ObjectStoreException} if worth retrying, {@link IllegalStateException} if the object
     *         is shorter than the segment's size
     * @throws IllegalArgumentException if {@code startPosition} or {@code maxBytes} is negative
     */
    public CompletableFuture<ByteBuffer> read(RemoteSegment segment, long startPosition, int maxBytes) {
        Objects.requireNonNull(segment, "segment");
        if (startPosition < 0 || maxBytes < 0) {
            throw new IllegalArgumentException("Negative range: position " + startPosition + ", length " + maxBytes);
        }
        if (startPosition >= segment.sizeInBytes() || maxBytes == 0) {
            return CompletableFuture.completedFuture(ByteBuffer.allocate(0).asReadOnlyBuffer());
        }
        int length = (int) Math.min(segment.sizeInBytes() - startPosition, maxBytes);
        int chunkSize = cache.chunkSize();
        long first = startPosition / chunkSize;
        long last = (startPosition + length - 1) / chunkSize;
        List<CompletableFuture<ByteBuffer>> chunks = new ArrayList<>();
        boolean sequential = false;
        for (long index = first; index <= last; index++) {
            chunks.add(cache.chunk(segment, index));
            sequential |= sequentialReads.read(segment.segmentId(), index);
        }
        // Ahead of this read, so that its own chunks count as the hits or misses they are.
        if (sequential && (last + 1) * chunkSize < segment.sizeInBytes()) {
            cache.readAhead(segment, last + 1);
        }
        int offsetInFirst = (int) (startPosition - first * chunkSize);
        return Futures.unwrapped(CompletableFuture.allOf(chunks.toArray(CompletableFuture[]::new))
                .thenApply(fetched -> assemble(chunks, offsetInFirst, length)));
    }

    /** The {@code length} bytes from {@code offsetInFirst} in the first chunk on; a single chunk is sliced, not copied. */
    private static ByteBuffer assemble(List<CompletableFuture<ByteBuffer>> chunks, int offsetInFirst, int length) {
        if (chunks.size() == 1) {
            return chunks.get(0).join().slice(offsetInFirst, length);
        }
        ByteBuffer result = ByteBuffer.allocate(length);
        int offset = offsetInFirst;
        for (CompletableFuture<ByteBuffer> future : chunks) {
            ByteBuffer chunk = future.join();
            result.put(chunk.slice(offset, Math.min(chunk.limit() - offset, result.remaining())));
            offset = 0;
        }
        return result.flip().asReadOnlyBuffer();
    }
}
