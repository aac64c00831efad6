package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * OffsetForLeaderEpoch: the end offset of a leader epoch, which consumers use to detect log
 * truncation after a leader change. A partition here has had one epoch since its creation, so
 * that epoch ends at the log end and any later epoch is unknown.
 */
public record OffsetForLeaderEpochHandler(PartitionManager partitions, Supplier<MetadataImage> image) {

    public CompletionStage<OffsetForLeaderEpochResponseData> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : request.data().topics()) {
            OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderPartition requested : topic.partitions()) {
                result.partitions().add(endOffset(topic.topic(), requested));
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private EpochEndOffset endOffset(String topic, OffsetForLeaderPartition requested) {
        EpochEndOffset result = new EpochEndOffset()
                .setPartition(requested.partition())
                .setLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH)
                .setEndOffset(-1);
        Optional<Partition> partition = partitions.leading(new TopicPartition(topic, requested.partition()));
        if (partition.isEmpty()) {
            return result.setErrorCode(NotHeld.error(image.get().topic(topic), requested.partition(), false).code());
        }
        Errors epochError = partition.get().checkLeaderEpoch(requested.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return result.setErrorCode(epochError.code());
        }
        if (requested.leaderEpoch() <= partition.get().leaderEpoch()) {
            result.setLeaderEpoch(partition.get().leaderEpoch()).setEndOffset(partition.get().logEndOffset());
        }
        return result;
    }
}
