package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.security.Authorizer;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.txn.ProducerIdManager;
import io.strata.broker.txn.TransactionCoordinator;
import io.strata.broker.txn.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest.CommittedOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.strata.broker.protocol.handlers.AuthorizedCalls.all;
import static io.strata.broker.protocol.handlers.AuthorizedCalls.denying;
import static org.apache.kafka.common.acl.AclOperation.CLUSTER_ACTION;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The transaction APIs, InitProducerId and TxnOffsetCommit check what Kafka checks, with Kafka's error codes: a
 * refused request changes no transaction, hands out no producer id and commits no offset.
 */
@Timeout(60)
class TransactionApisAuthorizationTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of("strata.transactions.state-log-partitions", "1"));
    @TempDir
    static Path metadataDir;
    private static final String READABLE = "readable";
    private static final String SECRET = "secret";
    private static final TopicPartition READABLE_0 = new TopicPartition(READABLE, 0);
    private static final TopicPartition SECRET_0 = new TopicPartition(SECRET, 0);
    /** Used by AddOffsetsToTxn only until {@code __consumer_offsets} exists, which these tests create first. */
    private static final int OFFSETS_TOPIC_PARTITIONS = 50;

    /** A metadata log of its own, where the idempotent producers of these tests get their ids. */
    private static RaftMetadataLog producerIdLog;
    private static TransactionCoordinator coordinator;
    private static AuthorizedCalls calls;

    @BeforeAll
    static void start() throws Exception {
        broker.createTopic(READABLE, 1, Map.of());
        broker.createTopic(SECRET, 1, Map.of());
        producerIdLog = new RaftMetadataLog(RaftMetadataLog.Settings.alone(metadataDir, 1, "127.0.0.1", 0));
        producerIdLog.start();
        coordinator = broker.broker().transactionCoordinator();
        List<ApiHandler<?>> handlers = new ArrayList<>(new TransactionApis(coordinator,
                new ProducerIdManager(producerIdLog), broker.broker()::metadataImage, OFFSETS_TOPIC_PARTITIONS)
                .handlers());
        handlers.addAll(new GroupApis(broker.broker().groupCoordinator()).handlers());
        calls = new AuthorizedCalls(handlers);
        coordinator.stateTopicCreated().get(30, TimeUnit.SECONDS);
        // AddOffsetsToTxn then maps a group to the partition count of the topic as created.
        broker.broker().groupCoordinator().ready().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        producerIdLog.close();
    }

    @Test
    void initProducerIdNeedsWriteOnTheTransactionalIdOrIdempotentWriteOnTheCluster() throws Exception {
        init("initialized");
        InitProducerIdResponseData refused = calls.call(denying(WRITE, TRANSACTIONAL_ID, "uninitialized"),
                initRequest("uninitialized"));
        assertThat(refused.errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        assertThat(refused.producerId()).isEqualTo(RecordBatch.NO_PRODUCER_ID);
        assertThat(describe("uninitialized").error()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);

        long first = idempotent(Authorizer.ALLOW_ALL).producerId();
        // An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on some topic (here: on every topic).
        Authorizer noIdempotentWrite = denying(IDEMPOTENT_WRITE, CLUSTER, Authorizer.CLUSTER);
        assertThat(idempotent(all(noIdempotentWrite, denying(WRITE, TOPIC, "*"))).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(idempotent(Authorizer.ALLOW_ALL).producerId()).as("no id handed out meanwhile").isEqualTo(first + 1);
        assertThat(idempotent(noIdempotentWrite).producerId()).as("WRITE on a topic is enough").isEqualTo(first + 2);
    }

    @Test
    void addPartitionsNeedsWriteOnTheTransactionalIdAndEachTopic() throws Exception {
        String id = "adder";
        InitProducerIdResponseData producer = init(id);

        assertThat(addPartitions(denying(WRITE, TRANSACTIONAL_ID, id), id, producer, READABLE_0, SECRET_0))
                .containsOnly(Map.entry(READABLE_0, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
                        Map.entry(SECRET_0, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        assertThat(addPartitions(denying(WRITE, TOPIC, SECRET), id, producer, READABLE_0, SECRET_0))
                .containsOnly(Map.entry(READABLE_0, Errors.OPERATION_NOT_ATTEMPTED),
                        Map.entry(SECRET_0, Errors.TOPIC_AUTHORIZATION_FAILED));
        // Only AddOffsetsToTxn adds a partition of an internal topic.
        TopicPartition offsets = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0);
        assertThat(addPartitions(Authorizer.ALLOW_ALL, id, producer, READABLE_0, offsets))
                .containsOnly(Map.entry(READABLE_0, Errors.OPERATION_NOT_ATTEMPTED),
                        Map.entry(offsets, Errors.TOPIC_AUTHORIZATION_FAILED));
        assertThat(describe(id).transaction().partitions()).isEmpty();

        assertThat(addPartitions(Authorizer.ALLOW_ALL, id, producer, READABLE_0, SECRET_0))
                .containsOnly(Map.entry(READABLE_0, Errors.NONE), Map.entry(SECRET_0, Errors.NONE));
        assertThat(describe(id).transaction().partitions()).containsExactlyInAnyOrder(READABLE_0, SECRET_0);

        // The batched version comes from a partition leader, which needs CLUSTER_ACTION.
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic().setName(READABLE).setPartitions(List.of(0)));
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction().setTransactionalId(id).setProducerId(producer.producerId())
                .setProducerEpoch(producer.producerEpoch()).setVerifyOnly(true).setTopics(topics));
        AddPartitionsToTxnRequest verify = AddPartitionsToTxnRequest.Builder.forBroker(transactions).build((short) 4);
        AddPartitionsToTxnResponseData unverified = calls.call(denying(CLUSTER_ACTION, CLUSTER, Authorizer.CLUSTER),
                verify);
        assertThat(unverified.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        AddPartitionsToTxnResponseData verified = calls.call(Authorizer.ALLOW_ALL, verify);
        assertThat(new AddPartitionsToTxnResponse(verified).errors().get(id)).containsOnly(
                Map.entry(READABLE_0, Errors.NONE));
    }

    @Test
    void transactionalOffsetsNeedWriteOnTheTransactionalIdAndReadOnTheGroupAndTopics() throws Exception {
        String id = "offsets-txn";
        String group = "txn-group";
        InitProducerIdResponseData producer = init(id);

        assertThat(addOffsets(denying(WRITE, TRANSACTIONAL_ID, id), id, producer, group))
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(addOffsets(denying(READ, GROUP, group), id, producer, group))
                .isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED);
        assertThat(describe(id).transaction().partitions()).isEmpty();
        assertThat(addOffsets(Authorizer.ALLOW_ALL, id, producer, group)).isEqualTo(Errors.NONE);

        assertThat(commitOffsets(denying(WRITE, TRANSACTIONAL_ID, id), id, producer, group))
                .containsOnly(Map.entry(READABLE_0, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
                        Map.entry(SECRET_0, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        assertThat(commitOffsets(denying(READ, GROUP, group), id, producer, group))
                .containsOnly(Map.entry(READABLE_0, Errors.GROUP_AUTHORIZATION_FAILED),
                        Map.entry(SECRET_0, Errors.GROUP_AUTHORIZATION_FAILED));
        assertThat(commitOffsets(denying(READ, TOPIC, SECRET), id, producer, group))
                .containsOnly(Map.entry(READABLE_0, Errors.NONE),
                        Map.entry(SECRET_0, Errors.TOPIC_AUTHORIZATION_FAILED));

        assertThat(endTransaction(denying(WRITE, TRANSACTIONAL_ID, id), id, producer))
                .isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        assertThat(describe(id).transaction().state()).isEqualTo(TransactionState.ONGOING);
        assertThat(endTransaction(Authorizer.ALLOW_ALL, id, producer)).isEqualTo(Errors.NONE);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                broker.broker().groupCoordinator().fetchOffsets(group, null).get(10, TimeUnit.SECONDS).topics())
                .extracting(topic -> topic.name()).containsExactly(READABLE));
    }

    @Test
    void describeAndListTransactionsShowOnlyWhatTheClientMayDescribe() throws Exception {
        String shown = "shown";
        String hidden = "hidden";
        InitProducerIdResponseData producer = init(shown);
        init(hidden);
        assertThat(addPartitions(Authorizer.ALLOW_ALL, shown, producer, READABLE_0, SECRET_0))
                .containsOnly(Map.entry(READABLE_0, Errors.NONE), Map.entry(SECRET_0, Errors.NONE));
        Authorizer partly = all(denying(DESCRIBE, TRANSACTIONAL_ID, hidden), denying(DESCRIBE, TOPIC, SECRET));

        DescribeTransactionsResponseData described = calls.call(partly, new DescribeTransactionsRequest.Builder(
                new DescribeTransactionsRequestData().setTransactionalIds(List.of(shown, hidden))).build((short) 0));
        Map<String, DescribeTransactionsResponseData.TransactionState> states = described.transactionStates().stream()
                .collect(Collectors.toMap(DescribeTransactionsResponseData.TransactionState::transactionalId, s -> s));
        assertThat(states.get(hidden).errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        assertThat(states.get(shown).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(states.get(shown).topics()).extracting(TopicData::topic).containsExactly(READABLE);

        ListTransactionsResponseData listed = calls.call(partly,
                new ListTransactionsRequest.Builder(new ListTransactionsRequestData()).build((short) 0));
        assertThat(listed.transactionStates())
                .extracting(ListTransactionsResponseData.TransactionState::transactionalId).contains(shown).doesNotContain(hidden);
    }

    private static InitProducerIdRequest initRequest(String transactionalId) {
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData().setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(60_000).setProducerId(RecordBatch.NO_PRODUCER_ID)
                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH)).build((short) 4);
    }

    /** The producer id and epoch of {@code transactionalId}, once its coordinator has loaded. */
    private static InitProducerIdResponseData init(String transactionalId) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> calls.<InitProducerIdResponseData>call(Authorizer.ALLOW_ALL, initRequest(transactionalId)),
                answer -> answer.errorCode() == Errors.NONE.code());
    }

    private static InitProducerIdResponseData idempotent(Authorizer authorizer) throws Exception {
        return calls.call(authorizer, new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null).setTransactionTimeoutMs(60_000).setProducerId(RecordBatch.NO_PRODUCER_ID)
                .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH)).build((short) 4));
    }

    private static TransactionCoordinator.Described describe(String transactionalId) throws Exception {
        return coordinator.describe(List.of(transactionalId)).get(10, TimeUnit.SECONDS).get(0);
    }

    /** AddPartitionsToTxn as a producer sends it (v3): the answer for each partition. */
    private static Map<TopicPartition, Errors> addPartitions(Authorizer authorizer, String transactionalId,
                                                             InitProducerIdResponseData producer,
                                                             TopicPartition... partitions) throws Exception {
        AddPartitionsToTxnRequest request = AddPartitionsToTxnRequest.Builder.forClient(transactionalId,
                producer.producerId(), producer.producerEpoch(), List.of(partitions)).build((short) 3);
        AddPartitionsToTxnResponseData response = calls.call(authorizer, request);
        return new AddPartitionsToTxnResponse(response).errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID);
    }

    private static Errors addOffsets(Authorizer authorizer, String transactionalId, InitProducerIdResponseData producer,
                                     String group) throws Exception {
        return Errors.forCode(calls.<AddOffsetsToTxnResponseData>call(authorizer, new AddOffsetsToTxnRequest.Builder(
                new AddOffsetsToTxnRequestData().setTransactionalId(transactionalId)
                        .setProducerId(producer.producerId()).setProducerEpoch(producer.producerEpoch())
                        .setGroupId(group)).build((short) 3)).errorCode());
    }

    /** TxnOffsetCommit of offset 4 for partition 0 of both topics, as a producer outside the group's generations. */
    private static Map<TopicPartition, Errors> commitOffsets(Authorizer authorizer, String transactionalId,
                                                             InitProducerIdResponseData producer, String group)
            throws Exception {
        Map<TopicPartition, CommittedOffset> offsets = Map.of(
                READABLE_0, new CommittedOffset(4, "", Optional.empty()),
                SECRET_0, new CommittedOffset(4, "", Optional.empty()));
        TxnOffsetCommitResponseData response = calls.call(authorizer, new TxnOffsetCommitRequest.Builder(
                transactionalId, group, producer.producerId(), producer.producerEpoch(), offsets, false)
                .build((short) 3));
        Map<TopicPartition, Errors> errors = new HashMap<>();
        response.topics().forEach(topic -> topic.partitions().forEach(partition -> errors.put(
                new TopicPartition(topic.name(), partition.partitionIndex()), Errors.forCode(partition.errorCode()))));
        return errors;
    }

    private static Errors endTransaction(Authorizer authorizer, String transactionalId,
                                         InitProducerIdResponseData producer) throws Exception {
        return Errors.forCode(calls.<EndTxnResponseData>call(authorizer, new EndTxnRequest.Builder(
                new EndTxnRequestData().setTransactionalId(transactionalId).setProducerId(producer.producerId())
                        .setProducerEpoch(producer.producerEpoch()).setCommitted(true), false).build((short) 3))
                .errorCode());
    }
}
