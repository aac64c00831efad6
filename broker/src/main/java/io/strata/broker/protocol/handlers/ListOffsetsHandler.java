package io.strata.broker.protocol.handlers;

import io.strata.broker.log.TimestampOffset;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * ListOffsets: earliest (of the whole log, tiered or local), latest (the last stable offset for read_committed
 * consumers), max timestamp, the KIP-1005 earliest-local and latest-tiered specs, and the first offset at or
 * after a timestamp. Lookups by time search the tiered log first, asynchronously, then the local one. As Kafka, each
 * topic needs DESCRIBE, else its partitions are answered {@code TOPIC_AUTHORIZATION_FAILED}.
 */
public record ListOffsetsHandler(PartitionManager partitions, Supplier<MetadataImage> image) {

    /** Responses carry the leader epoch from v4; earlier versions cannot encode one. */
    private static final short FIRST_LEADER_EPOCH_VERSION = 4;

    public CompletionStage<ListOffsetsResponseData> handle(RequestContext context, ListOffsetsRequest request) {
        List<CompletableFuture<ListOffsetsTopicResponse>> topics = new ArrayList<>();
        boolean readCommitted = request.data().isolationLevel() == IsolationLevel.READ_COMMITTED.id();
        for (ListOffsetsTopic topic : request.data().topics()) {
            boolean allowed = context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name());
            List<CompletableFuture<ListOffsetsPartitionResponse>> partitions = new ArrayList<>();
            for (ListOffsetsPartition requested : topic.partitions()) {
                partitions.add(allowed ? listOffset(topic.name(), requested, context.apiVersion(), readCommitted)
                        : CompletableFuture.completedFuture(unanswered(requested)
                                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
            }
            topics.add(Futures.all(partitions).thenApply(done ->
                    new ListOffsetsTopicResponse().setName(topic.name()).setPartitions(new ArrayList<>(done))));
        }
        return Futures.all(topics).thenApply(done -> new ListOffsetsResponseData().setTopics(new ArrayList<>(done)));
    }

    private CompletableFuture<ListOffsetsPartitionResponse> listOffset(String topic, ListOffsetsPartition requested,
                                                                      short version, boolean readCommitted) {
        ListOffsetsPartitionResponse response = unanswered(requested);
        Optional<Partition> partition = partitions.leading(new TopicPartition(topic, requested.partitionIndex()));
        if (partition.isEmpty()) {
            Errors notHeld = NotHeld.error(image.get().topic(topic), requested.partitionIndex(), false);
            return CompletableFuture.completedFuture(response.setErrorCode(notHeld.code()));
        }
        Errors epochError = partition.get().checkLeaderEpoch(requested.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return CompletableFuture.completedFuture(response.setErrorCode(epochError.code()));
        }
        CompletableFuture<Optional<TimestampOffset>> found;
        try {
            found = lookUp(partition.get(), requested.timestamp(), readCommitted);
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        if (found == null) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REQUEST.code()));
        }
        return found.handle((hit, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
                Errors error = Errors.forException(cause);
                return response.setErrorCode((error == Errors.UNKNOWN_SERVER_ERROR ? Errors.KAFKA_STORAGE_ERROR : error)
                        .code());
            }
            hit.ifPresent(h -> {
                response.setTimestamp(h.timestamp()).setOffset(h.offset());
                if (version >= FIRST_LEADER_EPOCH_VERSION) {
                    response.setLeaderEpoch(partition.get().leaderEpoch());
                }
            });
            return response;
        });
    }

    /** A partition's answer before it is looked up: no offset, which an error answer keeps. */
    private static ListOffsetsPartitionResponse unanswered(ListOffsetsPartition requested) {
        return new ListOffsetsPartitionResponse()
                .setPartitionIndex(requested.partitionIndex())
                .setTimestamp(RecordBatch.NO_TIMESTAMP)
                .setOffset(-1)
                .setLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }

    /**
     * The answer for one partition, or {@code null} for a negative timestamp that names no spec. The latest offset of a
     * read_committed consumer is the last stable offset, as far as it may read.
     */
    private static CompletableFuture<Optional<TimestampOffset>> lookUp(Partition partition, long timestamp,
                                                                     boolean readCommitted) {
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP) {
            return offset(partition.logStartOffset());
        } else if (timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return offset(partition.localLogStartOffset());
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return offset(readCommitted ? partition.lastStableOffset() : partition.highWatermark());
        } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
            return offset(partition.lastTieredOffset());
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            return partition.maxTimestampOffset();
        } else if (timestamp >= 0) {
            return partition.offsetForTimestamp(timestamp);
        }
        return null;
    }

    private static CompletableFuture<Optional<TimestampOffset>> offset(long offset) {
        return CompletableFuture.completedFuture(Optional.of(new TimestampOffset(RecordBatch.NO_TIMESTAMP, offset)));
    }
}
