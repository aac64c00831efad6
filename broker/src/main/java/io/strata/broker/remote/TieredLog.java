package io.strata.broker.remote;

import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.log.TimestampOffset;
import io.strata.broker.log.TransactionIndex;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.MemoryRecords;

import java.nio.ByteBuffer;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The tiered part of one partition's log, as its committed manifest in the replicated metadata has
 * it: reads from the object store and moves of its start. Thread-safe; never blocks.
 */
public final class TieredLog {

    private final Uuid topicId;
    private final int partition;
    private final RaftMetadataLog metadata;
    private final RemoteLogReader reader;

    public TieredLog(Uuid topicId, int partition, RaftMetadataLog metadata, RemoteLogReader reader) {
        this.topicId = topicId;
        this.partition = partition;
        this.metadata = metadata;
        this.reader = reader;
    }

    /** The segments committed now. */
    public RemoteManifest manifest() {
        return metadata.image().remoteManifest(topicId, partition);
    }

    /** See {@link RemoteLogReader#read}. */
    public CompletableFuture<Optional<MemoryRecords>> read(long offset, int maxBytes, boolean minOneMessage) {
        return reader.read(manifest(), offset, maxBytes, minOneMessage);
    }

    /** See {@link RemoteLogReader#abortedTransactions}. */
    public CompletableFuture<TransactionIndex.SearchResult> abortedTransactions(long fetchOffset, long upperBound) {
        return reader.abortedTransactions(manifest(), fetchOffset, upperBound);
    }

    /** The first tiered record at or after the start with a timestamp at or above {@code timestamp}. */
    public CompletableFuture<Optional<TimestampOffset>> offsetForTimestamp(long timestamp) {
        return reader.offsetForTimestamp(manifest(), timestamp);
    }

    /** The largest tiered timestamp and the offset of its first record, if any tiered segment has one. */
    public CompletableFuture<Optional<TimestampOffset>> maxTimestampOffset() {
        List<RemoteSegment> segments = manifest().segments();
        return segments.stream()
                .filter(segment -> segment.maxTimestamp() >= 0)
                // The earliest of the segments sharing the largest timestamp holds its first record.
                .max(Comparator.comparingLong(RemoteSegment::maxTimestamp)
                        .thenComparing(Comparator.comparingLong(RemoteSegment::baseOffset).reversed()))
                .map(reader::maxTimestampOffset)
                .orElse(CompletableFuture.completedFuture(Optional.empty()));
    }

    /**
     * The producer state uploaded with the last segment of {@code manifest} (this tiered log's, as read once by the
     * caller), as of its end, if there is one.
     */
    public CompletableFuture<Optional<ByteBuffer>> lastProducerSnapshot(RemoteManifest manifest) {
        List<RemoteSegment> segments = manifest.segments();
        if (segments.isEmpty() || !segments.get(segments.size() - 1).hasProducerSnapshot()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return reader.producerSnapshot(segments.get(segments.size() - 1)).thenApply(Optional::of);
    }

    /**
     * Moves the tiered log's start up to {@code offset}, dropping the segments wholly below it (their
     * objects are deleted once the change is committed). Recorded even while nothing is tiered, so that
     * an upload still running cannot bring back offsets below it.
     */
    public CompletableFuture<Void> moveStartTo(long offset) {
        if (offset <= manifest().logStartOffset()) {
            return CompletableFuture.completedFuture(null);
        }
        return metadata.submit(new UpdateRemoteLog(topicId, partition, offset, List.of(), List.of()))
                .thenCompose(result -> result.isError()
                        ? CompletableFuture.failedFuture(result.exception())
                        : CompletableFuture.completedFuture(null));
    }
}
