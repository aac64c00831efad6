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
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Metadata: brokers, the controller, and topics with their ids and partition leaders. The brokers are their endpoints
 * on the listener the request came in on, as Kafka answers: a broker without that listener is left out and counted
 * among the offline replicas, and a partition it leads is answered {@code LISTENER_NOT_FOUND} without a leader. A
 * missing
 * topic is created first when {@code auto.create.topics.enable} is on and the client allows it,
 * so the client gets the topic in the same response instead of retrying.
 *
 * <p>While the broker loads its logs at start-up, a partition it is to lead but has not opened yet is answered
 * {@code LEADER_NOT_AVAILABLE} without a leader, so clients wait for it instead of sending produces that would be
 * refused until the log opens: an idempotent producer whose first batches were refused while a later one landed
 * would see its retries out of sequence. The answer waits first for those of the topics asked for, up to
 * {@link #LOADING_WAIT}: clients back off longer after each such answer (librdkafka doubles its wait), so a
 * client answered at once would come back well after its partitions opened. After start-up the leader is named at
 * once, as Kafka names it, also for a partition just created.
 *
 * <p>Topics are authorized as Kafka authorizes them: each needs DESCRIBE (a listing of all leaves out the others, a
 * topic asked for by name or id is answered {@code TOPIC_AUTHORIZATION_FAILED}), and an auto-created one CREATE on the
 * cluster or on itself.
 */
public record MetadataHandler(TopicAdmin admin, PartitionManager partitions, BrokerIdentity identity,
                              boolean autoCreate, Duration loadingWait) {

    private static final Logger LOG = Logger.getLogger(MetadataHandler.class);

    private static final short FIRST_ALL_TOPICS_NULL_VERSION = 1;
    private static final short FIRST_AUTO_CREATE_FLAG_VERSION = 4;
    private static final short FIRST_NULLABLE_NAME_VERSION = 12;
    /** Metadata v8 added the authorized operations (KIP-430); v11 moved the cluster's to DescribeCluster. */
    private static final short FIRST_AUTHORIZED_OPERATIONS_VERSION = 8;
    private static final short LAST_CLUSTER_OPERATIONS_VERSION = 10;
    /** Metadata v6 is the first a broker answers LISTENER_NOT_FOUND. */
    private static final short FIRST_LISTENER_NOT_FOUND_VERSION = 6;
    /**
     * Short, so a client asking for many partitions learns soon of those open so far (a thousand take about a second
     * on two cores), and long against the first steps of a client's back-off, so it does not come back late.
     */
    static final Duration LOADING_WAIT = Duration.ofMillis(250);

    public MetadataHandler(TopicAdmin admin, PartitionManager partitions, BrokerIdentity identity, boolean autoCreate) {
        this(admin, partitions, identity, autoCreate, LOADING_WAIT);
    }

    public CompletionStage<MetadataResponseData> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        short version = context.apiVersion();
        boolean allTopics = data.topics() == null
                || (version < FIRST_ALL_TOPICS_NULL_VERSION && data.topics().isEmpty());
        if (!allTopics && data.topics().stream().anyMatch(topic -> topic.name() == null
                && Uuid.ZERO_UUID.equals(topic.topicId()))) {
            throw new InvalidRequestException("A topic of a Metadata request needs a name"
                    + (version >= FIRST_NULLABLE_NAME_VERSION ? " or an id." : "."));
        }
        boolean mayCreate = !allTopics && autoCreate
                && (version < FIRST_AUTO_CREATE_FLAG_VERSION || data.allowAutoTopicCreation());
        Access access = new Access(context, version >= FIRST_AUTHORIZED_OPERATIONS_VERSION
                && data.includeTopicAuthorizedOperations(), mayCreate && context.allowedOnClusterSilently(AclOperation.CREATE));
        if (allTopics) {
            // As Kafka: a topic the client may not describe is left out, so its existence is not told.
            Supplier<List<TopicImage>> listed = () -> admin.image().topics().stream()
                    .filter(topic -> access.mayList(topic.name()))
                    .toList();
            return afterOpening(context, listed, () -> respond(context, data, listed.get().stream()
                    .map(topic -> access.described(describe(context.listener(), version, topic.name(), Optional.of(topic))))
                    .toList()));
        }
        List<CompletableFuture<Void>> creations = new ArrayList<>();
        for (MetadataRequestTopic requested : data.topics()) {
            String name = requested.name();
            if (Uuid.ZERO_UUID.equals(requested.topicId()) && mayCreate && admin.image().topic(name).isEmpty()
                    && isValidName(name) && !Topic.isInternal(name) && access.mayDescribe(name)
                    && access.mayCreate(name)) {
                creations.add(admin.createTopic(name, -1, (short) -1, java.util.Map.of(), false)
                        .<Void>thenApply(topic -> null)
                        .exceptionally(error -> notCreated(name, error)));
            }
        }
        Supplier<List<TopicImage>> named = () -> data.topics().stream()
                .map(requested -> Uuid.ZERO_UUID.equals(requested.topicId())
                        ? admin.image().topic(requested.name()) : admin.image().topic(requested.topicId()))
                .flatMap(Optional::stream)
                .filter(topic -> access.mayList(topic.name()))
                .toList();
        return CompletableFuture.allOf(creations.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> afterOpening(context, named, () -> respond(context, data, data.topics().stream()
                        .map(requested -> describeRequested(requested, context.listener(), version, mayCreate, access))
                        .toList())));
    }

    /**
     * The {@code answer}, made once the partitions of {@code topics} this broker is to lead are open or the loading
     * wait has passed; at once when the broker is not loading its logs.
     */
    private CompletionStage<MetadataResponseData> afterOpening(RequestContext context,
                                                              Supplier<List<TopicImage>> topics,
                                                              Supplier<MetadataResponseData> answer) {
        if (partitions.loaded().isDone()) {
            return CompletableFuture.completedFuture(answer.get());
        }
        List<TopicPartition> led = new ArrayList<>();
        for (TopicImage topic : topics.get()) {
            for (int p = 0; p < topic.partitions(); p++) {
                if (topic.partition(p).leader() == identity.nodeId()) {
                    led.add(new TopicPartition(topic.name(), p));
                }
            }
        }
        CompletableFuture<Void> opened = partitions.opened(led);
        if (opened.isDone()) {
            return CompletableFuture.completedFuture(answer.get());
        }
        // Made on the connection's event loop, not on the thread that opened the last partition, which has more to
        // open, nor on the JDK's one timer thread.
        return opened.completeOnTimeout(null, loadingWait.toMillis(), TimeUnit.MILLISECONDS)
                .thenApplyAsync(ignored -> answer.get(), context.eventLoop());
    }

    /**
     * The answer for a topic the request names. As Kafka, one the client may not describe is answered
     * {@code TOPIC_AUTHORIZATION_FAILED} whether it exists or not, under the id it was asked by but never its name; a
     * missing one the client may describe but not create, when the request would create it, is answered so as well.
     */
    private MetadataResponseTopic describeRequested(MetadataRequestTopic requested, String listener, short version,
                                                    boolean mayCreate, Access access) {
        MetadataImage image = admin.image();
        // A null name is encodable from v12 only.
        String noName = version >= FIRST_NULLABLE_NAME_VERSION ? null : "";
        if (!Uuid.ZERO_UUID.equals(requested.topicId())) {
            Uuid id = requested.topicId();
            Optional<TopicImage> topic = image.topic(id);
            if (topic.isEmpty()) {
                return new MetadataResponseTopic().setTopicId(id).setName(noName)
                        .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            }
            if (!access.mayDescribe(topic.get().name())) {
                return new MetadataResponseTopic().setTopicId(id).setName(noName)
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            }
            return access.described(describe(listener, version, topic.get().name(), topic));
        }
        String name = requested.name();
        if (!access.mayDescribe(name)) {
            return new MetadataResponseTopic().setName(name).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        if (mayCreate && image.topic(name).isEmpty() && !access.mayCreate(name)) {
            return new MetadataResponseTopic().setName(name).setIsInternal(Topic.isInternal(name))
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        if (!isValidName(name)) {
            return access.described(new MetadataResponseTopic().setName(name)
                    .setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code()));
        }
        return access.described(describe(listener, version, name, image.topic(name)));
    }

    /**
     * What the client may do on the topics of one request, and the operations to report on each it may describe
     * (KIP-430) when the request asks for them.
     */
    private record Access(RequestContext context, boolean reportOperations, boolean createOnCluster) {

        boolean mayDescribe(String topic) {
            return context.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
        }

        /** {@link #mayDescribe} for a listing of every topic, which leaves the others out without a refusal. */
        boolean mayList(String topic) {
            return context.allowedSilently(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
        }

        /** Whether the client may have the topic created: CREATE on the cluster, or on the topic. */
        boolean mayCreate(String topic) {
            return createOnCluster || context.allowed(AclOperation.CREATE, ResourceType.TOPIC, topic);
        }

        MetadataResponseTopic described(MetadataResponseTopic topic) {
            return reportOperations ? topic.setTopicAuthorizedOperations(
                    Authorizations.authorizedOperations(context, ResourceType.TOPIC, topic.name())) : topic;
        }
    }

    private MetadataResponseTopic describe(String listener, short version, String name, Optional<TopicImage> topic) {
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
            Errors error = Errors.NONE;
            if (leader == PartitionImage.NO_LEADER) {
                error = Errors.LEADER_NOT_AVAILABLE;
            } else if (image.liveBroker(leader).filter(broker -> broker.endpoint(listener).isEmpty()).isPresent()) {
                // As Kafka: the client could not reach the leader on this listener, so it is not named; clients
                // before v6 do not know the error and are told the leader is not available.
                error = version >= FIRST_LISTENER_NOT_FOUND_VERSION ? Errors.LISTENER_NOT_FOUND
                        : Errors.LEADER_NOT_AVAILABLE;
                leader = PartitionImage.NO_LEADER;
            }
            response.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode(error.code())
                    .setLeaderId(leader)
                    .setLeaderEpoch(partition.leaderEpoch())
                    .setReplicaNodes(partition.replicas())
                    .setIsrNodes(partition.isr())
                    .setOfflineReplicas(offlineReplicas(image, partition, listener)));
        }
        return response;
    }

    /** The replicas of {@code partition} a client of {@code listener} cannot reach: not live, or not on it. */
    static List<Integer> offlineReplicas(MetadataImage image, PartitionImage partition, String listener) {
        return partition.replicas().stream()
                .filter(replica -> image.liveBroker(replica).flatMap(broker -> broker.endpoint(listener)).isEmpty())
                .toList();
    }

    private MetadataResponseData respond(RequestContext context, MetadataRequestData request,
                                         List<MetadataResponseTopic> topics) {
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(identity.clusterId())
                .setControllerId(identity.nodeId());
        short version = context.apiVersion();
        if (version >= FIRST_AUTHORIZED_OPERATIONS_VERSION && version <= LAST_CLUSTER_OPERATIONS_VERSION
                && request.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(Authorizations.clusterAuthorizedOperations(context));
        }
        for (BrokerImage broker : admin.image().liveBrokers()) {
            broker.endpoint(context.listener()).ifPresent(endpoint -> response.brokers().add(new MetadataResponseBroker()
                    .setNodeId(broker.nodeId())
                    .setHost(endpoint.host())
                    .setPort(endpoint.port())
                    .setRack(broker.rack())));
        }
        topics.forEach(topic -> response.topics().add(topic));
        return response;
    }

    static boolean isValidName(String name) {
        try {
            Topic.validate(name);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    /**
     * A topic that could not be auto-created is answered as missing, and the request's other topics as they are, as
     * Kafka answers them: another client may have created it first, its name may collide with a topic's (col.y and
     * col_y), too few brokers may be up for its replicas.
     */
    private static Void notCreated(String name, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ApiException) {
            LOG.debugf("Auto-creating topic %s failed: %s", name, cause.toString());
        } else {
            LOG.warnf(cause, "Auto-creating topic %s failed", name);
        }
        return null;
    }
}
