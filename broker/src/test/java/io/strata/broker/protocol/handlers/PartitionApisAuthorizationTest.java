package io.strata.broker.protocol.handlers;

import io.strata.broker.config.ReplicaSelector;
import io.strata.broker.protocol.fetch.FetchSessionCache;
import io.strata.broker.replication.ReplicationThrottle;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The partition APIs answer as Kafka's authorization has them: a topic the client may not do the API's operation on
 * is answered TOPIC_AUTHORIZATION_FAILED for each of its partitions and left as it was, while the other topics of the
 * same request are served.
 */
class PartitionApisAuthorizationTest {

    private static final String OPEN = "orders";
    private static final String SECRET = "payroll";

    @RegisterExtension
    final SingleBroker broker = new SingleBroker();
    private final DenyingAuthorizer authorizer = new DenyingAuthorizer();
    private final ScheduledExecutorService eventLoop = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void setUp() throws Exception {
        broker.createTopic(OPEN);
        broker.createTopic(SECRET);
    }

    @AfterEach
    void stopEventLoop() {
        eventLoop.shutdownNow();
    }

    @Test
    void produceAppendsOnlyToTheTopicsTheClientMayWrite() throws Exception {
        authorizer.deny(AclOperation.WRITE, ResourceType.TOPIC, SECRET);

        Map<String, Errors> errors = produce(null, PartitionApisAuthorizationTest::plain, OPEN, SECRET, "unknown");

        assertThat(errors).containsEntry(OPEN, Errors.NONE)
                .containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED)
                .containsEntry("unknown", Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(broker.partition(OPEN).logEndOffset()).isEqualTo(1);
        assertThat(broker.partition(SECRET).logEndOffset()).isZero();
    }

    @Test
    void aNamedTopicThatDoesNotExistIsRefusedBeforeItIsLookedUp() throws Exception {
        authorizer.deny(AclOperation.WRITE, ResourceType.TOPIC, "unknown");

        assertThat(produce(null, PartitionApisAuthorizationTest::plain, "unknown"))
                .containsEntry("unknown", Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    @Test
    void transactionalRecordsNeedWriteOnTheirTransactionalId() throws Exception {
        authorizer.deny(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, "payments");

        Map<String, Errors> errors = produce("payments", () -> MemoryRecords.withTransactionalRecords(Compression.NONE,
                7L, (short) 0, 0, new SimpleRecord("v".getBytes())), OPEN);

        assertThat(errors).containsEntry(OPEN, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(broker.partition(OPEN).logEndOffset()).isZero();
    }

    @Test
    void aConsumerFetchesOnlyTheTopicsItMayRead() throws Exception {
        authorizer.deny(AclOperation.READ, ResourceType.TOPIC, SECRET);

        assertThat(fetch(-1, OPEN, SECRET)).containsEntry(OPEN, Errors.NONE)
                .containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    @Test
    void aFollowerFetchesNothingWithoutClusterAction() throws Exception {
        authorizer.denyOnCluster(AclOperation.CLUSTER_ACTION);

        assertThat(fetch(2, OPEN, "unknown")).containsEntry(OPEN, Errors.TOPIC_AUTHORIZATION_FAILED)
                .containsEntry("unknown", Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    @Test
    void listOffsetsNeedsDescribe() throws Exception {
        authorizer.deny(AclOperation.DESCRIBE, ResourceType.TOPIC, SECRET);
        List<ListOffsetsRequestData.ListOffsetsTopic> topics = List.of(OPEN, SECRET).stream()
                .map(topic -> new ListOffsetsRequestData.ListOffsetsTopic().setName(topic).setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP))))
                .toList();
        short version = 7;
        ListOffsetsResponseData response = done(new ListOffsetsHandler(broker.partitions, broker.metadata::image)
                .handle(authorizer.context(ApiKeys.LIST_OFFSETS, version), ListOffsetsRequest.Builder
                        .forConsumer(false, IsolationLevel.READ_UNCOMMITTED).setTargetTimes(topics).build(version)));

        Map<String, Errors> errors = new HashMap<>();
        response.topics().forEach(topic -> errors.put(topic.name(),
                Errors.forCode(topic.partitions().get(0).errorCode())));
        assertThat(errors).containsEntry(OPEN, Errors.NONE).containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    @Test
    void offsetForLeaderEpochNeedsDescribeOrClusterAction() throws Exception {
        authorizer.deny(AclOperation.DESCRIBE, ResourceType.TOPIC, SECRET);
        assertThat(offsetForLeaderEpoch()).containsEntry(OPEN, Errors.NONE).containsEntry(SECRET, Errors.NONE);

        authorizer.denyOnCluster(AclOperation.CLUSTER_ACTION);
        assertThat(offsetForLeaderEpoch()).containsEntry(OPEN, Errors.NONE)
                .containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    @Test
    void deleteRecordsNeedsDeleteAndLeavesARefusedTopicsRecords() throws Exception {
        produce(null, PartitionApisAuthorizationTest::plain, OPEN, SECRET);
        authorizer.deny(AclOperation.DELETE, ResourceType.TOPIC, SECRET);
        DeleteRecordsRequestData data = new DeleteRecordsRequestData().setTimeoutMs(5000);
        for (String topic : List.of(OPEN, SECRET)) {
            data.topics().add(new DeleteRecordsRequestData.DeleteRecordsTopic().setName(topic).setPartitions(List.of(
                    new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0)
                            .setOffset(DeleteRecordsRequest.HIGH_WATERMARK))));
        }
        short version = 2;
        DeleteRecordsResponseData response = done(new DeleteRecordsHandler(broker.partitions, broker.metadata::image)
                .handle(authorizer.context(ApiKeys.DELETE_RECORDS, version),
                        new DeleteRecordsRequest.Builder(data).build(version)));

        Map<String, Errors> errors = new HashMap<>();
        response.topics().forEach(topic -> errors.put(topic.name(),
                Errors.forCode(topic.partitions().iterator().next().errorCode())));
        assertThat(errors).containsEntry(OPEN, Errors.NONE).containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED);
        assertThat(broker.partition(OPEN).logStartOffset()).isEqualTo(1);
        assertThat(broker.partition(SECRET).logStartOffset()).isZero();
    }

    @Test
    void describeProducersNeedsRead() throws Exception {
        authorizer.deny(AclOperation.READ, ResourceType.TOPIC, SECRET);
        DescribeProducersRequestData data = new DescribeProducersRequestData();
        for (String topic : List.of(OPEN, SECRET)) {
            data.topics().add(new DescribeProducersRequestData.TopicRequest().setName(topic)
                    .setPartitionIndexes(List.of(0)));
        }
        short version = 0;
        DescribeProducersResponseData response = done(new DescribeProducersHandler(broker.partitions,
                broker.metadata::image).handle(authorizer.context(ApiKeys.DESCRIBE_PRODUCERS, version),
                new DescribeProducersRequest.Builder(data).build(version)));

        Map<String, Errors> errors = new HashMap<>();
        response.topics().forEach(topic -> errors.put(topic.name(),
                Errors.forCode(topic.partitions().get(0).errorCode())));
        assertThat(errors).containsEntry(OPEN, Errors.NONE).containsEntry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    private static MemoryRecords plain() {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()));
    }

    /** Produces new {@code records} to partition 0 of each topic; each topic's error. */
    private Map<String, Errors> produce(String transactionalId, Supplier<MemoryRecords> records, String... topics)
            throws Exception {
        short version = 9;
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000)
                .setTransactionalId(transactionalId);
        for (String topic : topics) {
            data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                    new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records.get()))));
        }
        ProduceResponseData response = done(new ProduceHandler(broker.partitions, broker.metadata::image, null, false)
                .handle(authorizer.context(ApiKeys.PRODUCE, version), new ProduceRequest(data, version)));
        Map<String, Errors> errors = new HashMap<>();
        response.responses().forEach(topic -> errors.put(topic.name(),
                Errors.forCode(topic.partitionResponses().get(0).errorCode())));
        return errors;
    }

    /** Fetches partition 0 of each topic as {@code replicaId}; each topic's error. */
    private Map<String, Errors> fetch(int replicaId, String... topics) throws Exception {
        short version = 12;
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setReplicaId(replicaId);
        for (String topic : topics) {
            data.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                            .setPartitionMaxBytes(1 << 20))));
        }
        FetchHandler handler = new FetchHandler(broker.partitions, broker.metadata::image,
                new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_SESSIONS, Time.SYSTEM), ReplicaSelector.LEADER,
                new ReplicationThrottle(ReplicationThrottle.Side.LEADER, 1, Time.SYSTEM));
        FetchResponseData response = done(handler.handle(authorizer.context(ApiKeys.FETCH, version, eventLoop),
                new FetchRequest(data, version)));
        Map<String, Errors> errors = new HashMap<>();
        response.responses().forEach(topic -> errors.put(topic.topic(),
                Errors.forCode(topic.partitions().get(0).errorCode())));
        return errors;
    }

    private Map<String, Errors> offsetForLeaderEpoch() throws Exception {
        OffsetForLeaderEpochRequestData data = new OffsetForLeaderEpochRequestData();
        for (String topic : List.of(OPEN, SECRET)) {
            data.topics().add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic)
                    .setPartitions(List.of(new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                            .setPartition(0).setLeaderEpoch(0).setCurrentLeaderEpoch(-1))));
        }
        short version = 4;
        OffsetForLeaderEpochResponseData response = done(new OffsetForLeaderEpochHandler(broker.partitions,
                broker.metadata::image).handle(authorizer.context(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version),
                new OffsetsForLeaderEpochRequest(data, version)));
        Map<String, Errors> errors = new HashMap<>();
        response.topics().forEach(topic -> errors.put(topic.topic(),
                Errors.forCode(topic.partitions().get(0).errorCode())));
        return errors;
    }

    private static <T> T done(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
