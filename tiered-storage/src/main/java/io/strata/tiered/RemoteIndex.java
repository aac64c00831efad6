package io.strata.tiered;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Answers offset and time index lookups for remote segments. The first lookup of a segment loads its
 * {@code .index} and {@code .timeindex} with one GET each; they stay cached, bounded by their total
 * bytes, the least recently used evicted first. Concurrent first lookups share the GETs, and a failed
 * load is not kept (see {@link AsyncLruCache}).
 *
 * <p>The indexes have the partition log's formats (see {@link IndexEntries}), and the segment must
 * have been closed before its upload, so that they hold their entries and nothing after them.
 *
 * <p>Thread-safe; never blocks. Every future fails with the failure itself rather than wrapped:
 * {@link ObjectNotFoundException} if an index object is gone, {@link ObjectStoreException} if worth
 * retrying, {@link IllegalStateException} if an index is not a whole number of entries.
 */
public final class RemoteIndex {

    private final ObjectStore store;
    private final AsyncLruCache<UUID, SegmentIndexes> indexes;

    /** @param maxBytes the most bytes of indexes to keep */
    public RemoteIndex(ObjectStore store, long maxBytes) {
        this.store = Objects.requireNonNull(store, "store");
        this.indexes = new AsyncLruCache<>(maxBytes, SegmentIndexes::sizeInBytes);
    }

    /**
     * The byte position in the segment's {@code .log} from which a scan for {@code offset} may start:
     * that of the offset index entry with the largest offset at or below {@code offset}, or 0 if none is.
     */
    public CompletableFuture<Integer> position(RemoteSegment segment, long offset) {
        return Futures.unwrapped(indexes(segment).thenApply(loaded -> loaded.position(offset)));
    }

    /**
     * The offset from which a scan for the first record with a timestamp at or above {@code timestamp}
     * may start, as for a local segment: that of the time index entry with the largest timestamp at or
     * below {@code timestamp}, or the segment's base offset if none is. Pass it to {@link #position}.
     */
    public CompletableFuture<Long> offsetForTimestamp(RemoteSegment segment, long timestamp) {
        return Futures.unwrapped(indexes(segment).thenApply(loaded -> loaded.offsetForTimestamp(timestamp)));
    }

    /**
     * The contents of the segment's {@code .txnindex} (Kafka's format, which the caller decodes), read-only;
     * empty if the segment has none.
     */
    public CompletableFuture<ByteBuffer> transactionIndex(RemoteSegment segment) {
        return Futures.unwrapped(indexes(segment).thenApply(loaded -> loaded.transactions().asReadOnlyBuffer()));
    }

    private CompletableFuture<SegmentIndexes> indexes(RemoteSegment segment) {
        Objects.requireNonNull(segment, "segment");
        return indexes.get(segment.segmentId(), id -> {
            CompletableFuture<ByteBuffer> offsetIndex = readWhole(segment, SegmentFileType.OFFSET_INDEX);
            CompletableFuture<ByteBuffer> timeIndex = readWhole(segment, SegmentFileType.TIME_INDEX);
            CompletableFuture<ByteBuffer> transactionIndex = segment.hasTransactionIndex()
                    ? readWhole(segment, SegmentFileType.TRANSACTION_INDEX)
                    : CompletableFuture.completedFuture(ByteBuffer.allocate(0));
            return offsetIndex.thenCombine(timeIndex, (offsets, times) -> new ByteBuffer[] {offsets, times})
                    .thenCombine(transactionIndex, (both, transactions) ->
                            SegmentIndexes.of(segment, both[0], both[1], transactions));
        });
    }

    private CompletableFuture<ByteBuffer> readWhole(RemoteSegment segment, SegmentFileType type) {
        return store.get(segment.key(type), 0, Integer.MAX_VALUE);
    }
}
