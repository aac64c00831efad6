package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Metadata: brokers, the controller, and topics with their ids and partition leaders. A missing
 * topic is created first when {@code auto.create.topics.enable} is on and the client allows it,
 * so the client gets the topic in the same response instead of retrying.
 *
 * <p>While the broker loads its logs at start-up, a partition it is to lead but has not opened yet is answered
 * {@code LEADER_NOT_AVAILABLE} without a leader, so clients wait for it instead of sending produces that would be
 * refused until the log opens: an idempotent producer whose first batches were refused while a later one landed
 * would see its retries out of sequence. After start-up the leader is named at once, as Kafka names it, also for a
 * partition just created.
 */
public record MetadataHandler(TopicAdmin admin, PartitionManager partitions, BrokerIdentity identity,
                              boolean autoCreate) {

    private static final short FIRST_ALL_TOPICS_NULL_VERSION = 1;
    private static final short FIRST_AUTO_CREATE_FLAG_VERSION = 4;
    private static final short FIRST_NULLABLE_NAME_VERSION = 12;

    public CompletionStage<MetadataResponseData> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        short version = context.apiVersion();
        boolean allTopics = data.topics() == null
                || (version < FIRST_ALL_TOPICS_NULL_VERSION && data.topics().isEmpty());
        if (allTopics) {
            return CompletableFuture.completedFuture(respond(admin.image().topics().stream()
                    .map(topic -> describe(topic.name(), Optional.of(topic))).toList()));
        }
        boolean mayCreate = autoCreate && (version < FIRST_AUTO_CREATE_FLAG_VERSION || data.allowAutoTopicCreation());
        List<CompletableFuture<Void>> creations = new ArrayList<>();
        for (MetadataRequestTopic requested : data.topics()) {
            String name = requested.name();
            if (Uuid.ZERO_UUID.equals(requested.topicId()) && mayCreate && admin.image().topic(name).isEmpty()
                    && isValidName(name) && !Topic.isInternal(name)) {
                creations.add(admin.createTopic(name, -1, (short) -1, java.util.Map.of(), false)
                        .<Void>thenApply(topic -> null)
                        .exceptionally(MetadataHandler::ignoreRace));
            }
        }
        return CompletableFuture.allOf(creations.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> respond(data.topics().stream()
                        .map(requested -> describeRequested(requested, version)).toList()));
    }

    private MetadataResponseTopic describeRequested(MetadataRequestTopic requested, short version) {
        MetadataImage image = admin.image();
        if (!Uuid.ZERO_UUID.equals(requested.topicId())) {
            Uuid id = requested.topicId();
            Optional<TopicImage> topic = image.topic(id);
            if (topic.isEmpty()) {
                // A null name is encodable from v12 only.
                return new MetadataResponseTopic().setTopicId(id).setName(version >= FIRST_NULLABLE_NAME_VERSION ? null : "")
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            }
            return describe(topic.get().name(), topic);
        }
        if (!isValidName(requested.name())) {
            return new MetadataResponseTopic().setName(requested.name())
                    .setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        return describe(requested.name(), image.topic(requested.name()));
    }

    private MetadataResponseTopic describe(String name, Optional<TopicImage> topic) {
        MetadataImage image = admin.image();
        MetadataResponseTopic response = new MetadataResponseTopic().setName(name);
        if (topic.isEmpty()) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        response.setTopicId(topic.get().topicId()).setIsInternal(Topic.isInternal(name));
        for (int p = 0; p < topic.get().partitions(); p++) {
            PartitionImage partition = topic.get().partition(p);
            int leader = partition.leader() == identity.nodeId() && !partitions.loaded().isDone()
                    && partitions.leading(new TopicPartition(name, p)).isEmpty()
                    ? PartitionImage.NO_LEADER : partition.leader();
            response.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode(leader == PartitionImage.NO_LEADER
                            ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                    .setLeaderId(leader)
                    .setLeaderEpoch(partition.leaderEpoch())
                    .setReplicaNodes(partition.replicas())
                    .setIsrNodes(partition.isr())
                    .setOfflineReplicas(partition.replicas().stream()
                            .filter(replica -> image.liveBroker(replica).isEmpty()).toList()));
        }
        return response;
    }

    private MetadataResponseData respond(List<MetadataResponseTopic> topics) {
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(identity.clusterId())
                .setControllerId(identity.nodeId());
        for (BrokerImage broker : admin.image().liveBrokers()) {
            response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(broker.nodeId())
                    .setHost(broker.host())
                    .setPort(broker.port())
                    .setRack(broker.rack()));
        }
        topics.forEach(topic -> response.topics().add(topic));
        return response;
    }

    private static boolean isValidName(String name) {
        try {
            Topic.validate(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    /** Two clients may auto-create the same topic at once; the loser still gets the topic. */
    private static Void ignoreRace(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof TopicExistsException) {
            return null;
        }
        throw new CompletionException(cause);
    }
}
