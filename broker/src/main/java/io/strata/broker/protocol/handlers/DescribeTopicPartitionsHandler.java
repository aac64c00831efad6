package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * DescribeTopicPartitions (KIP-966), which Kafka 4's admin client, and so {@code kafka-topics --describe}, uses to
 * describe topics by name: the partitions of the topics asked for, or of every topic when none is named, in name
 * order and paged. A page holds at most {@link #MAX_PARTITIONS} partitions, Kafka's default
 * {@code max.request.partition.size.limit}, or fewer when the client asks for fewer; when partitions are left, the
 * answer's cursor names the first of them, and the client asks again from there. A partition's leader is named when it
 * is live on the request's listener; replicas without an endpoint there are offline. Strata keeps no eligible leader
 * replicas, so both of KIP-966's lists are empty, as a Kafka broker answers them with ELR off.
 *
 * <p>Authorized as Kafka authorizes it: each topic needs DESCRIBE; a listing of every topic leaves out the others,
 * and a topic asked for by name is answered {@code TOPIC_AUTHORIZATION_FAILED}, whether it exists or not, after the
 * page's other topics (those the page reached).
 */
public record DescribeTopicPartitionsHandler(Supplier<MetadataImage> image) {

    /** Kafka's default {@code max.request.partition.size.limit}: the most partitions one answer holds. */
    static final int MAX_PARTITIONS = 2000;

    public CompletionStage<DescribeTopicPartitionsResponseData> handle(RequestContext context,
                                                                      DescribeTopicPartitionsRequest request) {
        DescribeTopicPartitionsRequestData data = request.data();
        MetadataImage snapshot = image.get();
        boolean everyTopic = data.topics().isEmpty();
        DescribeTopicPartitionsRequestData.Cursor cursor = data.cursor();
        String cursorTopic = cursor == null ? "" : cursor.topicName();
        SortedSet<String> names = new TreeSet<>();
        (everyTopic ? snapshot.topics().stream().map(TopicImage::name) : data.topics().stream().map(TopicRequest::name))
                .filter(name -> name.compareTo(cursorTopic) >= 0)
                .forEach(names::add);
        if (!everyTopic && cursor != null && !names.contains(cursorTopic)) {
            throw new InvalidRequestException("The cursor's topic " + cursorTopic
                    + " is not among the topics asked for");
        }
        if (cursor != null && cursor.partitionIndex() < 0) {
            throw new InvalidRequestException("The cursor's partition index " + cursor.partitionIndex()
                    + " is negative");
        }
        // As Kafka, a page holds one partition at least, so that paging always moves on.
        int remaining = Math.max(1, Math.min(MAX_PARTITIONS, data.responsePartitionLimit()));
        DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
        List<DescribeTopicPartitionsResponseTopic> refused = new ArrayList<>();
        for (String name : names) {
            // Each topic is authorized when the page reaches it, as Kafka's are: a page checks no more than it answers.
            if (!(everyTopic ? context.allowedSilently(AclOperation.DESCRIBE, ResourceType.TOPIC, name)
                    : context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name))) {
                if (!everyTopic) {
                    // As Kafka: neither the topic's id nor whether it exists is told.
                    refused.add(new DescribeTopicPartitionsResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
                }
                continue;
            }
            if (remaining == 0) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
                break;
            }
            Optional<TopicImage> topic = snapshot.topic(name);
            if (topic.isEmpty()) {
                if (!everyTopic) {
                    response.topics().add(new DescribeTopicPartitionsResponseTopic().setName(name)
                            .setTopicId(Uuid.ZERO_UUID).setIsInternal(Topic.isInternal(name))
                            .setErrorCode((MetadataHandler.isValidName(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
                                    : Errors.INVALID_TOPIC_EXCEPTION).code()));
                }
                continue;
            }
            int first = name.equals(cursorTopic) && cursor != null ? cursor.partitionIndex() : 0;
            int end = Math.min(topic.get().partitions(), first + remaining);
            DescribeTopicPartitionsResponseTopic described = new DescribeTopicPartitionsResponseTopic()
                    .setName(name)
                    .setTopicId(topic.get().topicId())
                    .setIsInternal(Topic.isInternal(name))
                    .setTopicAuthorizedOperations(
                            Authorizations.authorizedOperations(context, ResourceType.TOPIC, name));
            for (int p = first; p < end; p++) {
                described.partitions().add(partition(snapshot, topic.get().partition(p), p, context.listener()));
            }
            response.topics().add(described);
            if (end < topic.get().partitions()) {
                response.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(end));
                break;
            }
            remaining -= Math.max(0, end - first);
        }
        response.topics().addAll(refused);
        return CompletableFuture.completedFuture(response);
    }

    private static DescribeTopicPartitionsResponsePartition partition(MetadataImage image, PartitionImage partition,
                                                                      int index, String listener) {
        boolean leaderReachable = image.liveBroker(partition.leader())
                .flatMap(broker -> broker.endpoint(listener)).isPresent();
        return new DescribeTopicPartitionsResponsePartition()
                .setPartitionIndex(index)
                .setLeaderId(leaderReachable ? partition.leader() : PartitionImage.NO_LEADER)
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(partition.replicas())
                .setIsrNodes(partition.isr())
                .setEligibleLeaderReplicas(List.of())
                .setLastKnownElr(List.of())
                .setOfflineReplicas(MetadataHandler.offlineReplicas(image, partition, listener));
    }
}
