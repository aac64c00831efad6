package io.strata.broker.protocol.handlers;

import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TimestampOffset;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * ListOffsets: earliest, latest, max timestamp, the KIP-1005 earliest-local and latest-tiered
 * specs (the whole log is local until tiering exists), and the first offset at or after a
 * timestamp.
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    /** Responses carry the leader epoch from v4; earlier versions cannot encode one. */
    private static final short FIRST_LEADER_EPOCH_VERSION = 4;

    private final PartitionManager partitions;

    public ListOffsetsHandler(PartitionManager partitions) {
        this.partitions = partitions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public CompletionStage<ListOffsetsResponseData> handle(RequestContext context, ListOffsetsRequest request) {
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsTopic topic : request.data().topics()) {
            ListOffsetsTopicResponse topicResponse = new ListOffsetsTopicResponse().setName(topic.name());
            for (ListOffsetsPartition requested : topic.partitions()) {
                topicResponse.partitions().add(listOffset(topic.name(), requested, context.apiVersion()));
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(response);
    }

    private ListOffsetsPartitionResponse listOffset(String topic, ListOffsetsPartition requested, short version) {
        ListOffsetsPartitionResponse response = new ListOffsetsPartitionResponse()
                .setPartitionIndex(requested.partitionIndex())
                .setTimestamp(RecordBatch.NO_TIMESTAMP)
                .setOffset(-1)
                .setLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH);
        Optional<Partition> partition = partitions.partition(new TopicPartition(topic, requested.partitionIndex()));
        if (partition.isEmpty()) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        Errors epochError = partition.get().checkLeaderEpoch(requested.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return response.setErrorCode(epochError.code());
        }
        PartitionLog log = partition.get().log();
        long timestamp = requested.timestamp();
        Optional<TimestampOffset> found;
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            found = Optional.of(new TimestampOffset(RecordBatch.NO_TIMESTAMP, log.logStartOffset()));
        } else if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            found = Optional.of(new TimestampOffset(RecordBatch.NO_TIMESTAMP, log.highWatermark()));
        } else if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
            // Nothing is tiered yet: Kafka answers -1 when no segment has been uploaded.
            found = Optional.of(new TimestampOffset(RecordBatch.NO_TIMESTAMP, -1));
        } else if (timestamp == ListOffsetsRequest.MAX_TIMESTAMP) {
            found = Optional.of(log.maxTimestampOffset()).filter(hit -> hit.offset() >= 0);
        } else if (timestamp >= 0) {
            found = log.offsetForTimestamp(timestamp);
        } else {
            return response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        found.ifPresent(hit -> {
            response.setTimestamp(hit.timestamp()).setOffset(hit.offset());
            if (version >= FIRST_LEADER_EPOCH_VERSION) {
                response.setLeaderEpoch(partition.get().leaderEpoch());
            }
        });
        return response;
    }
}
