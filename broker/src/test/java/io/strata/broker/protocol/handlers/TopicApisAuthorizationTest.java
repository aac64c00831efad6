package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.TopicImage;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metadata and the topic administration APIs answer as Kafka's authorization has them: a topic the client may not
 * describe is not listed and, asked for, answered TOPIC_AUTHORIZATION_FAILED; a refused creation, deletion or change
 * leaves the topic as it was, while the request's other topics are served.
 */
class TopicApisAuthorizationTest {

    private static final String OPEN = "orders";
    private static final String SECRET = "payroll";

    @RegisterExtension
    final SingleBroker broker = new SingleBroker();
    private TopicImage secret;
    private final DenyingAuthorizer authorizer = new DenyingAuthorizer();

    @BeforeEach
    void setUp() throws Exception {
        broker.createTopic(OPEN);
        secret = broker.createTopic(SECRET);
    }

    @Test
    void aListingOfAllTopicsLeavesOutTheOnesTheClientMayNotDescribe() throws Exception {
        authorizer.deny(AclOperation.DESCRIBE, ResourceType.TOPIC, SECRET);

        MetadataResponseData response = metadata(new MetadataRequestData().setTopics(null), false);

        assertThat(response.topics()).extracting(MetadataResponseTopic::name).containsExactly(OPEN);
    }

    @Test
    void aTopicAskedForThatTheClientMayNotDescribeIsRefusedWithoutItsDetails() throws Exception {
        authorizer.deny(AclOperation.DESCRIBE, ResourceType.TOPIC, SECRET);
        MetadataRequestData data = new MetadataRequestData();
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(OPEN));
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(SECRET));
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setTopicId(secret.topicId()));

        List<MetadataResponseTopic> topics = List.copyOf(metadata(data, false).topics());

        assertThat(topics.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(topics.get(1).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(topics.get(1).topicId()).isEqualTo(Uuid.ZERO_UUID);
        assertThat(topics.get(1).partitions()).isEmpty();
        assertThat(topics.get(2).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(topics.get(2).name()).isNull();
    }

    @Test
    void autoCreationNeedsCreateOnTheClusterOrTheTopic() throws Exception {
        authorizer.denyOnCluster(AclOperation.CREATE).deny(AclOperation.CREATE, ResourceType.TOPIC, "refused");
        MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(true);
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("refused"));
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName("allowed"));

        List<MetadataResponseTopic> topics = List.copyOf(metadata(data, true).topics());

        assertThat(topics.get(0).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(topics.get(1).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(broker.metadata.image().topic("refused")).isEmpty();
        assertThat(broker.metadata.image().topic("allowed")).isPresent();
    }

    @Test
    void theAuthorizedOperationsAreReportedWhenAskedFor() throws Exception {
        authorizer.deny(AclOperation.WRITE, ResourceType.TOPIC, OPEN).denyOnCluster(AclOperation.ALTER);
        MetadataRequestData data = new MetadataRequestData().setIncludeTopicAuthorizedOperations(true)
                .setIncludeClusterAuthorizedOperations(true);
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(OPEN));

        MetadataResponseData response = metadata(data, false, (short) 10);

        int topicOperations = response.topics().iterator().next().topicAuthorizedOperations();
        assertThat(bit(topicOperations, AclOperation.READ)).isTrue();
        assertThat(bit(topicOperations, AclOperation.WRITE)).isFalse();
        assertThat(bit(response.clusterAuthorizedOperations(), AclOperation.DESCRIBE)).isTrue();
        assertThat(bit(response.clusterAuthorizedOperations(), AclOperation.ALTER)).isFalse();

        authorizer.denyOnCluster(AclOperation.DESCRIBE);
        assertThat(metadata(data, false, (short) 10).clusterAuthorizedOperations()).isZero();
    }

    @Test
    void createTopicsNeedsCreateOnTheClusterOrTheTopic() throws Exception {
        authorizer.denyOnCluster(AclOperation.CREATE).deny(AclOperation.CREATE, ResourceType.TOPIC, "refused")
                .deny(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, "unseen");
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(5000);
        for (String name : List.of("refused", "allowed", "unseen")) {
            data.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(1)
                    .setReplicationFactor((short) 1));
        }
        short version = 7;
        CreateTopicsResponseData response = done(new CreateTopicsHandler(broker.admin).handle(
                authorizer.context(ApiKeys.CREATE_TOPICS, version), new CreateTopicsRequest.Builder(data).build(version)));

        Map<String, CreatableTopicResult> results = response.topics().stream()
                .collect(Collectors.toMap(CreatableTopicResult::name, result -> result));
        assertThat(results.get("refused").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(broker.metadata.image().topic("refused")).isEmpty();
        assertThat(results.get("allowed").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(results.get("allowed").configs()).isNotEmpty();
        // Created, but its configs are not told to a client that may not describe them.
        assertThat(results.get("unseen").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(results.get("unseen").topicConfigErrorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(results.get("unseen").configs()).isEmpty();
        assertThat(broker.metadata.image().topic("unseen")).isPresent();
    }

    @Test
    void deleteTopicsNeedsDeleteAndHidesWhatTheClientMayNotDescribe() throws Exception {
        authorizer.denyOnCluster(AclOperation.DELETE).deny(AclOperation.DELETE, ResourceType.TOPIC, SECRET)
                .deny(AclOperation.DESCRIBE, ResourceType.TOPIC, SECRET)
                .deny(AclOperation.DELETE, ResourceType.TOPIC, "missing");
        DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(5000);
        data.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(OPEN));
        data.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName("missing"));
        data.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setTopicId(secret.topicId()));
        short version = 6;
        DeleteTopicsResponseData response = done(new DeleteTopicsHandler(broker.admin).handle(
                authorizer.context(ApiKeys.DELETE_TOPICS, version), new DeleteTopicsRequest.Builder(data).build(version)));

        List<DeletableTopicResult> results = List.copyOf(response.responses());
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(broker.metadata.image().topic(OPEN)).isEmpty();
        // The client may describe "missing", so it is told that the topic does not exist.
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(2).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(results.get(2).name()).isNull();
        assertThat(broker.metadata.image().topic(SECRET)).isPresent();
    }

    @Test
    void createPartitionsNeedsAlter() throws Exception {
        authorizer.deny(AclOperation.ALTER, ResourceType.TOPIC, SECRET);
        CreatePartitionsRequestData data = new CreatePartitionsRequestData().setTimeoutMs(5000);
        for (String name : List.of(OPEN, SECRET)) {
            data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(name).setCount(2)
                    .setAssignments(null));
        }
        short version = 3;
        CreatePartitionsResponseData response = done(new CreatePartitionsHandler(broker.admin).handle(
                authorizer.context(ApiKeys.CREATE_PARTITIONS, version),
                new CreatePartitionsRequest.Builder(data).build(version)));

        assertThat(response.results()).extracting(result -> Errors.forCode(result.errorCode()))
                .containsExactly(Errors.NONE, Errors.TOPIC_AUTHORIZATION_FAILED);
        assertThat(broker.metadata.image().topic(OPEN).orElseThrow().partitions()).isEqualTo(2);
        assertThat(broker.metadata.image().topic(SECRET).orElseThrow().partitions()).isEqualTo(1);
    }

    @Test
    void describeConfigsNeedsDescribeConfigsOnTheTopicOrTheCluster() throws Exception {
        authorizer.deny(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, SECRET)
                .denyOnCluster(AclOperation.DESCRIBE_CONFIGS);
        DescribeConfigsRequestData data = new DescribeConfigsRequestData();
        data.resources().add(resource(ConfigResource.Type.TOPIC, OPEN));
        data.resources().add(resource(ConfigResource.Type.TOPIC, SECRET));
        data.resources().add(resource(ConfigResource.Type.BROKER, Integer.toString(SingleBroker.NODE_ID)));
        short version = 4;
        DescribeConfigsResponseData response = done(new DescribeConfigsHandler(broker.admin, SingleBroker.NODE_ID,
                List::of).handle(authorizer.context(ApiKeys.DESCRIBE_CONFIGS, version),
                new DescribeConfigsRequest.Builder(data).build(version)));

        assertThat(response.results()).extracting(result -> Errors.forCode(result.errorCode()))
                .containsExactly(Errors.NONE, Errors.TOPIC_AUTHORIZATION_FAILED, Errors.CLUSTER_AUTHORIZATION_FAILED);
        assertThat(response.results().get(0).configs()).isNotEmpty();
        assertThat(response.results().get(1).configs()).isEmpty();
    }

    @Test
    void alterConfigsNeedsAlterConfigsAndLeavesARefusedTopicAsItWas() throws Exception {
        authorizer.deny(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, SECRET)
                .denyOnCluster(AclOperation.ALTER_CONFIGS);
        Map<ConfigResource, AlterConfigsRequest.Config> changes = new HashMap<>();
        for (ConfigResource resource : resources()) {
            changes.put(resource, new AlterConfigsRequest.Config(List.of(
                    new AlterConfigsRequest.ConfigEntry("retention.ms", "1000"))));
        }
        short version = 2;
        var response = done(new AlterConfigsHandler(new ConfigAlterations(broker.admin, SingleBroker.NODE_ID)).handle(
                authorizer.context(ApiKeys.ALTER_CONFIGS, version),
                new AlterConfigsRequest.Builder(changes, false).build(version)));

        Map<String, Errors> errors = new HashMap<>();
        response.responses().forEach(result -> errors.put(result.resourceName(), Errors.forCode(result.errorCode())));
        assertAltered(errors);
    }

    @Test
    void incrementalAlterConfigsNeedsAlterConfigsAndLeavesARefusedTopicAsItWas() throws Exception {
        authorizer.deny(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, SECRET)
                .denyOnCluster(AclOperation.ALTER_CONFIGS);
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (ConfigResource resource : resources()) {
            changes.put(resource, List.of(new AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET)));
        }
        short version = 1;
        var response = done(new IncrementalAlterConfigsHandler(new ConfigAlterations(broker.admin,
                SingleBroker.NODE_ID)).handle(authorizer.context(ApiKeys.INCREMENTAL_ALTER_CONFIGS, version),
                new IncrementalAlterConfigsRequest.Builder(changes, false).build(version)));

        Map<String, Errors> errors = new HashMap<>();
        response.responses().forEach(result -> errors.put(result.resourceName(), Errors.forCode(result.errorCode())));
        assertAltered(errors);
    }

    /** The topic the client may alter was, the other topic and the broker were refused and kept their configs. */
    private void assertAltered(Map<String, Errors> errors) {
        assertThat(errors).containsEntry(OPEN, Errors.NONE).containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED)
                .containsEntry(Integer.toString(SingleBroker.NODE_ID), Errors.CLUSTER_AUTHORIZATION_FAILED);
        assertThat(broker.metadata.image().topic(OPEN).orElseThrow().configs()).containsEntry("retention.ms", "1000");
        assertThat(broker.metadata.image().topic(SECRET).orElseThrow().configs()).doesNotContainKey("retention.ms");
    }

    private static List<ConfigResource> resources() {
        return List.of(new ConfigResource(ConfigResource.Type.TOPIC, OPEN),
                new ConfigResource(ConfigResource.Type.TOPIC, SECRET),
                new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(SingleBroker.NODE_ID)));
    }

    private static DescribeConfigsRequestData.DescribeConfigsResource resource(ConfigResource.Type type, String name) {
        return new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType(type.id()).setResourceName(name)
                .setConfigurationKeys(null);
    }

    private MetadataResponseData metadata(MetadataRequestData data, boolean autoCreate) throws Exception {
        return metadata(data, autoCreate, (short) 12);
    }

    private MetadataResponseData metadata(MetadataRequestData data, boolean autoCreate, short version)
            throws Exception {
        MetadataHandler handler = new MetadataHandler(broker.admin, broker.partitions,
                new BrokerIdentity("cluster", SingleBroker.NODE_ID), autoCreate);
        return done(handler.handle(authorizer.context(ApiKeys.METADATA, version), new MetadataRequest(data, version)));
    }

    private static boolean bit(int field, AclOperation operation) {
        return (field & (1 << operation.code())) != 0;
    }

    private static <T> T done(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
