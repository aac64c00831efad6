package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.log.ProducerStateEntry;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * DescribeProducers (KIP-664, {@code kafka-transactions describe-producers}): the producers a replica of the
 * partition keeps state for, each with its epoch, last sequence and the timestamp of its last batch, as they stand
 * in its log's producer state. The admin client asks the leader unless told a broker ({@code --broker-id}); as in
 * Kafka, any broker holding a replica answers, and one that holds none answers {@code NOT_LEADER_OR_FOLLOWER}.
 * A transactional producer also shows the epoch of the coordinator that wrote its last marker and where its open
 * transaction starts, which is how {@code kafka-transactions find-hanging} spots a transaction left open. As Kafka,
 * each topic needs READ, else its partitions are answered {@code TOPIC_AUTHORIZATION_FAILED}.
 */
public record DescribeProducersHandler(PartitionManager partitions, Supplier<MetadataImage> image) {

    public CompletionStage<DescribeProducersResponseData> handle(RequestContext context,
                                                                 DescribeProducersRequest request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (TopicRequest topic : request.data().topics()) {
            TopicResponse result = new TopicResponse().setName(topic.name());
            boolean allowed = context.allowed(AclOperation.READ, ResourceType.TOPIC, topic.name());
            for (int partition : topic.partitionIndexes()) {
                result.partitions().add(allowed ? describe(topic.name(), partition) : new PartitionResponse()
                        .setPartitionIndex(partition)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
            }
            response.topics().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private PartitionResponse describe(String topic, int index) {
        PartitionResponse result = new PartitionResponse().setPartitionIndex(index);
        Optional<Partition> partition = partitions.partition(new TopicPartition(topic, index));
        if (partition.isEmpty()) {
            return result.setErrorCode(NotHeld.error(image.get().topic(topic), index, false).code());
        }
        List<ProducerState> producers = partition.get().log().producers().active().values().stream()
                .sorted(Comparator.comparingLong(ProducerStateEntry::producerId))
                .map(entry -> new ProducerState()
                        .setProducerId(entry.producerId())
                        .setProducerEpoch(entry.producerEpoch())
                        .setLastSequence(entry.lastSeq())
                        .setLastTimestamp(entry.lastTimestamp())
                        .setCoordinatorEpoch(entry.coordinatorEpoch())
                        .setCurrentTxnStartOffset(entry.currentTxnFirstOffset()))
                .toList();
        return result.setActiveProducers(producers);
    }
}
