package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.strata.broker.testing.TransactionWire.addPartition;
import static io.strata.broker.testing.TransactionWire.batch;
import static io.strata.broker.testing.TransactionWire.initProducerId;
import static io.strata.broker.testing.TransactionWire.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Transactional requests no correct client sends, over the wire: each is refused with Kafka's error code and
 * appends nothing. A transactional batch is appended only once its partition was added to the producer's open
 * transaction (KIP-890's verification by the partition leader), and offsets are committed within one only once its
 * group was added to it; a stale epoch is fenced; ending a transaction of an unknown id is refused. (A marker
 * produced by a client is refused in {@code ProduceValidationTest}.)
 */
class TransactionRefusalsTest {

    private static final String TOPIC = "guarded";

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of("strata.transactions.state-log-partitions", "3"));

    @BeforeAll
    static void createTopic() {
        broker.createTopic(TOPIC, 2, Map.of());
    }

    @Test
    void aTransactionalBatchIsAppendedOnlyOnceItsPartitionIsInTheTransaction() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            InitProducerIdResponseData producer = initProducerId(wire, "unannounced");

            // Produce v12 (as from v11) takes TRANSACTION_ABORTABLE, Kafka's answer to it.
            assertRefused(wire, "unannounced", tp, batch(producer, 0, "skipped-add"), Errors.TRANSACTION_ABORTABLE);
            // Transactional records need the transactional id they are written for.
            assertRefused(wire, null, tp, batch(producer, 0, "no-id"), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

            assertThat(addPartition(wire, "unannounced", producer, tp)).isEqualTo(Errors.NONE);
            long before = endOffset(tp);
            assertThat(produce(wire, "unannounced", tp, batch(producer, 0, "added")).errorCode())
                    .isEqualTo(Errors.NONE.code());
            assertThat(produce(wire, "unannounced", tp, batch(producer, 1, "open")).errorCode())
                    .isEqualTo(Errors.NONE.code());
            assertThat(endOffset(tp)).isEqualTo(before + 2);

            assertThat(endTxn(wire, "unannounced", producer, false)).isEqualTo(Errors.NONE);
            // The abort ended the transaction: a late batch of it may not open another. Until the coordinator
            // completed the abort, it answers NOT_ENOUGH_REPLICAS, which producers retry.
            await().atMost(Duration.ofSeconds(10)).until(() -> produce(wire, "unannounced", tp,
                    batch(producer, 2, "late")).errorCode() == Errors.TRANSACTION_ABORTABLE.code());
            assertThat(endOffset(tp)).as("the batches and the abort marker only").isEqualTo(before + 3);
        }
    }

    @Test
    void aFencedEpochCanNeitherAddPartitionsNorProduce() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 1);
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            InitProducerIdResponseData zombie = initProducerId(wire, "replaced");
            InitProducerIdResponseData successor = initProducerId(wire, "replaced");
            assertThat(successor.producerEpoch()).isGreaterThan(zombie.producerEpoch());

            assertThat(addPartition(wire, "replaced", zombie, tp)).isEqualTo(Errors.PRODUCER_FENCED);
            assertThat(addPartition(wire, "replaced", successor, tp)).isEqualTo(Errors.NONE);
            assertRefused(wire, "replaced", tp, batch(zombie, 0, "zombie"), Errors.INVALID_PRODUCER_EPOCH);
            assertThat(endTxn(wire, "replaced", zombie, true)).isEqualTo(Errors.PRODUCER_FENCED);
            assertThat(endTxn(wire, "replaced", successor, true)).isEqualTo(Errors.NONE);
        }
    }

    /** TxnOffsetCommit is verified as a produce is: its group's partition must be in the transaction. */
    @Test
    void offsetsAreCommittedInATransactionOnlyOnceItsGroupIsInIt() throws Exception {
        String group = "unannounced-group";
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> ((FindCoordinatorResponse) wire.send(
                    ApiKeys.FIND_COORDINATOR, (short) 4, new FindCoordinatorRequestData()
                            .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of(group))))
                    .data().coordinators().get(0).errorCode() == Errors.NONE.code());
            InitProducerIdResponseData producer = initProducerId(wire, "offsets-writer");

            TopicPartition offsets = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                    broker.broker().groupCoordinator().partitionFor(group));
            long before = endOffset(offsets);
            // TxnOffsetCommit v3 (as before v4) takes INVALID_TXN_STATE.
            assertThat(commitOffset(wire, group, producer)).as("before AddOffsetsToTxn")
                    .isEqualTo(Errors.INVALID_TXN_STATE);
            assertThat(endOffset(offsets)).isEqualTo(before);

            AddOffsetsToTxnResponse added = (AddOffsetsToTxnResponse) wire.send(ApiKeys.ADD_OFFSETS_TO_TXN, (short) 3,
                    new AddOffsetsToTxnRequestData().setTransactionalId("offsets-writer")
                            .setProducerId(producer.producerId()).setProducerEpoch(producer.producerEpoch())
                            .setGroupId(group));
            assertThat(added.data().errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(commitOffset(wire, group, producer)).isEqualTo(Errors.NONE);
            assertThat(endTxn(wire, "offsets-writer", producer, true)).isEqualTo(Errors.NONE);
        }
    }

    private static Errors commitOffset(KafkaWire wire, String group, InitProducerIdResponseData producer)
            throws Exception {
        TxnOffsetCommitResponse response = (TxnOffsetCommitResponse) wire.send(ApiKeys.TXN_OFFSET_COMMIT, (short) 3,
                new TxnOffsetCommitRequestData().setTransactionalId("offsets-writer").setGroupId(group)
                        .setProducerId(producer.producerId()).setProducerEpoch(producer.producerEpoch())
                        .setGenerationId(-1).setMemberId("").setTopics(List.of(new TxnOffsetCommitRequestTopic()
                                .setName(TOPIC).setPartitions(List.of(new TxnOffsetCommitRequestPartition()
                                        .setPartitionIndex(0).setCommittedOffset(1))))));
        return Errors.forCode(response.data().topics().get(0).partitions().get(0).errorCode());
    }

    @Test
    void endingATransactionOfAnUnknownIdIsRefused() throws Exception {
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            InitProducerIdResponseData known = initProducerId(wire, "known");
            assertThat(endTxn(wire, "never-initialised", known, true)).isEqualTo(Errors.INVALID_PRODUCER_ID_MAPPING);
        }
    }

    private static void assertRefused(KafkaWire wire, String transactionalId, TopicPartition tp, MemoryRecords records,
                                      Errors error) throws Exception {
        long before = endOffset(tp);
        assertThat(Errors.forCode(produce(wire, transactionalId, tp, records).errorCode())).isEqualTo(error);
        assertThat(endOffset(tp)).isEqualTo(before);
    }

    private static Errors endTxn(KafkaWire wire, String transactionalId, InitProducerIdResponseData producer,
                                 boolean commit) throws Exception {
        EndTxnResponse response = (EndTxnResponse) wire.send(ApiKeys.END_TXN, (short) 3, new EndTxnRequestData()
                .setTransactionalId(transactionalId).setProducerId(producer.producerId())
                .setProducerEpoch(producer.producerEpoch()).setCommitted(commit));
        return Errors.forCode(response.data().errorCode());
    }

    private static long endOffset(TopicPartition tp) {
        return broker.broker().partitions().partition(tp).orElseThrow().log().logEndOffset();
    }
}
