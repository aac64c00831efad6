package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.log.EpochEndOffset;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * OffsetForLeaderEpoch (KIP-101, KIP-320): the largest epoch up to the one asked for that the leader's
 * log knows and the offset where it ends, from the log's leader epoch cache; consumers use it to detect
 * log truncation after a leader change. Epochs below the first one the log holds answer undefined (-1). A client that
 * may neither do CLUSTER_ACTION on the cluster nor DESCRIBE a topic gets {@code TOPIC_AUTHORIZATION_FAILED} for its
 * partitions.
 */
public record OffsetForLeaderEpochHandler(PartitionManager partitions, Supplier<MetadataImage> image) {

    public CompletionStage<OffsetForLeaderEpochResponseData> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        // As Kafka: followers ask with CLUSTER_ACTION on the cluster, consumers (KIP-320) with DESCRIBE on the topic.
        boolean clusterAction = context.allowedOnClusterSilently(AclOperation.CLUSTER_ACTION);
        for (OffsetForLeaderTopic topic : request.data().topics()) {
            boolean allowed = clusterAction || context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.topic());
            OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            for (OffsetForLeaderPartition requested : topic.partitions()) {
                result.partitions().add(allowed ? endOffset(topic.topic(), requested)
                        : unanswered(requested).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private OffsetForLeaderEpochResponseData.EpochEndOffset endOffset(String topic, OffsetForLeaderPartition requested) {
        OffsetForLeaderEpochResponseData.EpochEndOffset result = unanswered(requested);
        Optional<Partition> partition = partitions.leading(new TopicPartition(topic, requested.partition()));
        if (partition.isEmpty()) {
            return result.setErrorCode(NotHeld.error(image.get().topic(topic), requested.partition(), false).code());
        }
        Errors epochError = partition.get().checkLeaderEpoch(requested.currentLeaderEpoch());
        if (epochError != Errors.NONE) {
            return result.setErrorCode(epochError.code());
        }
        EpochEndOffset end = partition.get().endOffsetForEpoch(requested.leaderEpoch());
        return result.setLeaderEpoch(end.epoch()).setEndOffset(end.endOffset());
    }

    /** A partition's answer before it is looked up: no epoch and no offset, which an error answer keeps. */
    private static OffsetForLeaderEpochResponseData.EpochEndOffset unanswered(OffsetForLeaderPartition requested) {
        return new OffsetForLeaderEpochResponseData.EpochEndOffset()
                .setPartition(requested.partition())
                .setLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH)
                .setEndOffset(-1);
    }
}
