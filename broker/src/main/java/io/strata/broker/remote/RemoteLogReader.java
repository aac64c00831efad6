package io.strata.broker.remote;

import io.strata.broker.log.AbortedTxn;
import io.strata.broker.log.TimestampOffset;
import io.strata.broker.log.TransactionIndex;
import io.strata.tiered.ChunkCache;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.RemoteIndex;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import io.strata.tiered.RemoteSegmentReader;
import io.strata.tiered.SegmentFileType;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Reads the tiered part of partition logs: record batches for fetches and lookups by time for
 * ListOffsets, through the remote offset and time indexes and a chunk cache with read-ahead. Every
 * method returns at once; the work runs on the object store's threads, never the caller's.
 *
 * <p>Batches come back as they were written, byte for byte, as a local read's would; only whole
 * batches are returned, so a read that would cut the first one short reads further instead.
 */
public final class RemoteLogReader {

    /** The least a read asks the cache for, so that a small {@code maxBytes} still sees whole batch headers. */
    private static final int MIN_WINDOW_BYTES = 16 * 1024;

    private final ObjectStore store;
    private final ChunkCache chunks;
    private final RemoteSegmentReader segments;
    private final RemoteIndex indexes;
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /**
     * @param chunkSize      bytes per ranged GET
     * @param cacheBytes     the most bytes of chunks to keep in memory
     * @param indexCacheBytes the most bytes of remote indexes to keep in memory
     */
    public RemoteLogReader(ObjectStore store, int chunkSize, long cacheBytes, long indexCacheBytes) {
        this.store = store;
        this.chunks = new ChunkCache(store, chunkSize, cacheBytes);
        this.segments = new RemoteSegmentReader(chunks);
        this.indexes = new RemoteIndex(store, indexCacheBytes);
    }

    /** Counters so far, for metrics. */
    public ReadStats stats() {
        return new ReadStats(bytesRead.sum(), failures.sum(), chunks.stats());
    }

    /**
     * @param bytes    record bytes returned to fetches
     * @param failures reads that failed
     * @param cache    the chunk cache's counters
     */
    public record ReadStats(long bytes, long failures, ChunkCache.Stats cache) {
    }

    /**
     * The batches from the one holding {@code offset} on, at most {@code maxBytes} of them but at least
     * the first whole when {@code minOneMessage} (without it, none if the first is larger); empty when
     * the tiered log holds nothing at or after {@code offset}, so a fetch goes on in the local log.
     */
    public CompletableFuture<Optional<MemoryRecords>> read(RemoteManifest manifest, long offset, int maxBytes,
                                                 boolean minOneMessage) {
        Optional<RemoteSegment> segment = manifest.segmentFor(offset);
        if (segment.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return indexes.position(segment.get(), offset)
                .thenCompose(position -> read(manifest, segment.get(), position, offset, maxBytes, minOneMessage))
                .whenComplete((records, failure) -> {
                    if (failure != null) {
                        failures.increment();
                    } else {
                        records.ifPresent(read -> bytesRead.add(read.sizeInBytes()));
                    }
                });
    }

    private CompletableFuture<Optional<MemoryRecords>> read(RemoteManifest manifest, RemoteSegment segment, long position,
                                                  long offset, int maxBytes, boolean minOneMessage) {
        int want = Math.max(maxBytes, MIN_WINDOW_BYTES);
        return window(segment, position, want).thenCompose(window -> {
            if (!window.hasRemaining()) {
                // The rest of the segment lies below the offset (compaction can leave that): the next one.
                return manifest.next(segment)
                        .map(next -> read(manifest, next, 0, offset, maxBytes, minOneMessage))
                        .orElse(CompletableFuture.completedFuture(Optional.empty()));
            }
            int start = -1;
            int end = 0;
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(window).batches()) {
                int batchEnd = end + batch.sizeInBytes();
                if (batch.lastOffset() >= offset) {
                    boolean fits = batchEnd - (start < 0 ? end : start) <= maxBytes;
                    if (start < 0) {
                        if (!fits && !minOneMessage) {
                            return CompletableFuture.completedFuture(Optional.of(MemoryRecords.EMPTY));
                        }
                        start = end;
                    } else if (!fits) {
                        break;
                    }
                }
                end = batchEnd;
            }
            if (start < 0) {
                return read(manifest, segment, position + window.remaining(), offset, maxBytes, minOneMessage);
            }
            return CompletableFuture.completedFuture(
                    Optional.of(MemoryRecords.readableRecords(window.slice(start, end - start))));
        });
    }

    /**
     * The first record at or after {@code minOffset} with a timestamp at or above {@code timestamp},
     * searching the segments whose largest timestamp reaches it, oldest first.
     */
    public CompletableFuture<Optional<TimestampOffset>> offsetForTimestamp(RemoteManifest manifest, long timestamp) {
        return offsetForTimestamp(manifest, manifest.segmentFor(manifest.startOffset()), timestamp);
    }

    private CompletableFuture<Optional<TimestampOffset>> offsetForTimestamp(RemoteManifest manifest,
                                                                           Optional<RemoteSegment> candidate,
                                                                           long timestamp) {
        if (candidate.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        RemoteSegment segment = candidate.get();
        if (segment.maxTimestamp() < timestamp) {
            return offsetForTimestamp(manifest, manifest.next(segment), timestamp);
        }
        long minOffset = manifest.startOffset();
        return indexes.offsetForTimestamp(segment, timestamp)
                .thenCompose(from -> indexes.position(segment, Math.max(from, minOffset)))
                .thenCompose(position -> scan(segment, position, batch -> {
                    if (batch.lastOffset() < minOffset || batch.maxTimestamp() < timestamp) {
                        return Optional.empty();
                    }
                    for (Record record : batch) {
                        if (record.offset() >= minOffset && record.timestamp() >= timestamp) {
                            return Optional.of(new TimestampOffset(record.timestamp(), record.offset()));
                        }
                    }
                    return Optional.empty();
                }))
                .thenCompose(found -> found.isPresent()
                        ? CompletableFuture.completedFuture(found)
                        : offsetForTimestamp(manifest, manifest.next(segment), timestamp));
    }

    /**
     * The offset of the first record carrying {@code segment}'s largest timestamp, found by scanning it;
     * for ListOffsets MAX_TIMESTAMP when a tiered segment holds the largest timestamp of the log.
     */
    public CompletableFuture<Optional<TimestampOffset>> maxTimestampOffset(RemoteSegment segment) {
        long max = segment.maxTimestamp();
        return scan(segment, 0, batch -> batch.maxTimestamp() == max
                ? Optional.of(new TimestampOffset(max, batch.offsetOfMaxTimestamp().orElse(batch.lastOffset())))
                : Optional.empty());
    }

    /**
     * The aborted transactions with records in {@code [fetchOffset, upperBound)}, from the transaction indexes of the
     * tiered segments from the one holding {@code fetchOffset} on, searched as a local log searches its own
     * ({@link TransactionIndex#collectAbortedTxns}). Incomplete when no index showed that later segments cannot
     * matter: the local log's indexes are to be searched then too.
     */
    public CompletableFuture<TransactionIndex.SearchResult> abortedTransactions(RemoteManifest manifest,
                                                                                long fetchOffset, long upperBound) {
        return collectAborted(manifest, manifest.segmentFor(fetchOffset), fetchOffset, upperBound, new ArrayList<>());
    }

    private CompletableFuture<TransactionIndex.SearchResult> collectAborted(RemoteManifest manifest,
                                                                            Optional<RemoteSegment> from,
                                                                            long fetchOffset, long upperBound,
                                                                            List<AbortedTxn> found) {
        // Most segments have no index: skipped in a loop, so that thousands of them cost no recursion.
        Optional<RemoteSegment> segment = from;
        while (segment.isPresent() && !segment.get().hasTransactionIndex()) {
            segment = manifest.next(segment.get());
        }
        if (segment.isEmpty()) {
            return CompletableFuture.completedFuture(new TransactionIndex.SearchResult(found, false));
        }
        RemoteSegment indexed = segment.get();
        return indexes.transactionIndex(indexed).thenCompose(contents -> {
            TransactionIndex.SearchResult result = TransactionIndex.collectAbortedTxns(contents, indexed.baseOffset(),
                    indexed.key(SegmentFileType.TRANSACTION_INDEX).toString(), fetchOffset, upperBound);
            found.addAll(result.abortedTxns());
            return result.isComplete()
                    ? CompletableFuture.completedFuture(new TransactionIndex.SearchResult(found, true))
                    : collectAborted(manifest, manifest.next(indexed), fetchOffset, upperBound, found);
        });
    }

    /** The producer snapshot uploaded with {@code segment}, which must have one. */
    public CompletableFuture<ByteBuffer> producerSnapshot(RemoteSegment segment) {
        return store.get(segment.key(SegmentFileType.PRODUCER_SNAPSHOT), 0, Integer.MAX_VALUE);
    }

    /** Applies {@code visit} to the segment's batches from {@code position} on until it finds something. */
    private <T> CompletableFuture<Optional<T>> scan(RemoteSegment segment, long position,
                                                    Function<RecordBatch, Optional<T>> visit) {
        return window(segment, position, MIN_WINDOW_BYTES * 4).thenCompose(window -> {
            if (!window.hasRemaining()) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            for (MutableRecordBatch batch : MemoryRecords.readableRecords(window).batches()) {
                Optional<T> found = visit.apply(batch);
                if (found.isPresent()) {
                    return CompletableFuture.completedFuture(found);
                }
            }
            return scan(segment, position + window.remaining(), visit);
        });
    }

    /**
     * The whole batches in about {@code want} bytes of the segment from {@code position}, at least one
     * unless the segment ends there (then an empty buffer): a first batch larger than {@code want} is
     * read whole with a second, larger read.
     */
    private CompletableFuture<ByteBuffer> window(RemoteSegment segment, long position, int want) {
        return segments.read(segment, position, want).thenCompose(bytes -> {
            int end = 0;
            while (bytes.limit() - end >= Records.LOG_OVERHEAD) {
                int size = Records.LOG_OVERHEAD + bytes.getInt(end + Records.SIZE_OFFSET);
                if (size < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
                    return CompletableFuture.failedFuture(new IllegalStateException("Corrupt batch of size " + size
                            + " at byte " + (position + end) + " of tiered segment " + segment));
                }
                if (end + size > bytes.limit()) {
                    if (end == 0) {
                        return wholeBatch(segment, position, size);
                    }
                    break;
                }
                end += size;
            }
            return CompletableFuture.completedFuture(bytes.slice(0, end));
        });
    }

    private CompletableFuture<ByteBuffer> wholeBatch(RemoteSegment segment, long position, int size) {
        return segments.read(segment, position, size).thenCompose(batch -> batch.limit() == size
                ? CompletableFuture.completedFuture(batch)
                : CompletableFuture.failedFuture(new IllegalStateException("The batch of " + size + " bytes at byte "
                        + position + " of tiered segment " + segment + " runs past the segment's end")));
    }
}
