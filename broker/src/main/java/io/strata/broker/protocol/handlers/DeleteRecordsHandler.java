package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * DeleteRecords: moves a partition's log start offset forward, in the local and the tiered log;
 * -1 means up to the high watermark. Answers once the tiered log's new start is committed. As Kafka, each topic needs
 * DELETE, else its partitions are answered {@code TOPIC_AUTHORIZATION_FAILED} and keep their records, and a topic
 * whose {@code cleanup.policy} is compaction alone is answered {@code POLICY_VIOLATION}.
 */
public record DeleteRecordsHandler(PartitionManager partitions, Supplier<MetadataImage> image) {

    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        List<CompletableFuture<DeleteRecordsTopicResult>> topics = new ArrayList<>();
        for (DeleteRecordsTopic topic : request.data().topics()) {
            boolean allowed = context.allowed(AclOperation.DELETE, ResourceType.TOPIC, topic.name());
            List<CompletableFuture<DeleteRecordsPartitionResult>> partitions = new ArrayList<>();
            for (DeleteRecordsPartition requested : topic.partitions()) {
                partitions.add(allowed ? delete(topic.name(), requested)
                        : completed(unanswered(requested).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
            }
            topics.add(Futures.all(partitions).thenApply(done -> {
                DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
                done.forEach(topicResult.partitions()::add);
                return topicResult;
            }));
        }
        return Futures.all(topics).thenApply(done -> {
            done.forEach(response.topics()::add);
            return response;
        });
    }

    private CompletableFuture<DeleteRecordsPartitionResult> delete(String topic, DeleteRecordsPartition requested) {
        DeleteRecordsPartitionResult result = unanswered(requested);
        Optional<Partition> partition = partitions.leading(new TopicPartition(topic, requested.partitionIndex()));
        if (partition.isEmpty()) {
            Errors notHeld = NotHeld.error(image.get().topic(topic), requested.partitionIndex(), false);
            return completed(result.setErrorCode(notHeld.code()));
        }
        if (Topic.isInternal(topic)) {
            // Group state is replayed from this topic: deleting its records would delete groups and offsets.
            return completed(result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()));
        }
        if (!partition.get().log().config().deleteRetention()) {
            // As Kafka: only a topic whose cleanup.policy includes delete gives up records by their offset.
            return completed(result.setErrorCode(Errors.POLICY_VIOLATION.code()));
        }
        if (requested.offset() < 0 && requested.offset() != DeleteRecordsRequest.HIGH_WATERMARK) {
            return completed(result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code()));
        }
        long offset = requested.offset() == DeleteRecordsRequest.HIGH_WATERMARK
                ? partition.get().highWatermark() : requested.offset();
        CompletableFuture<Void> moved;
        try {
            moved = partition.get().moveLogStartTo(offset);
        } catch (RuntimeException e) {
            return completed(result.setErrorCode(Errors.forException(e).code()));
        }
        return moved.handle((ok, failure) -> failure == null
                ? result.setLowWatermark(partition.get().logStartOffset())
                : result.setErrorCode(Errors.forException(failure instanceof CompletionException
                        ? failure.getCause() : failure).code()));
    }

    /** A partition's answer before its records are deleted: no low watermark, which an error answer keeps. */
    private static DeleteRecordsPartitionResult unanswered(DeleteRecordsPartition requested) {
        return new DeleteRecordsPartitionResult().setPartitionIndex(requested.partitionIndex()).setLowWatermark(-1);
    }

    private static CompletableFuture<DeleteRecordsPartitionResult> completed(DeleteRecordsPartitionResult result) {
        return CompletableFuture.completedFuture(result);
    }
}
