package io.strata.broker.protocol.handlers;

import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** DeleteRecords: moves a partition's log start offset forward; -1 means up to the high watermark. */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    private final PartitionManager partitions;

    public DeleteRecordsHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletionStage<DeleteRecordsResponseData> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsTopic topic : request.data().topics()) {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
            for (DeleteRecordsPartition requested : topic.partitions()) {
                topicResult.partitions().add(delete(topic.name(), requested));
            }
            response.topics().add(topicResult);
        }
        return CompletableFuture.completedFuture(response);
    }

    private DeleteRecordsPartitionResult delete(String topic, DeleteRecordsPartition requested) {
        DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                .setPartitionIndex(requested.partitionIndex())
                .setLowWatermark(-1);
        Optional<Partition> partition = partitions.partition(new TopicPartition(topic, requested.partitionIndex()));
        if (partition.isEmpty()) {
            return result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (Topic.isInternal(topic)) {
            // Group state is replayed from this topic: deleting its records would delete groups and offsets.
            return result.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        if (requested.offset() < 0 && requested.offset() != DeleteRecordsRequest.HIGH_WATERMARK) {
            return result.setErrorCode(Errors.OFFSET_OUT_OF_RANGE.code());
        }
        long offset = requested.offset() == DeleteRecordsRequest.HIGH_WATERMARK
                ? partition.get().log().highWatermark() : requested.offset();
        try {
            partition.get().log().deleteRecordsBefore(offset);
            return result.setLowWatermark(partition.get().log().logStartOffset());
        } catch (RuntimeException e) {
            return result.setErrorCode(Errors.forException(e).code());
        }
    }
}
