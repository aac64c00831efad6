package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.strata.broker.testing.TransactionWire.addPartition;
import static io.strata.broker.testing.TransactionWire.batch;
import static io.strata.broker.testing.TransactionWire.initProducerId;
import static io.strata.broker.testing.TransactionWire.produce;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A partition's side of transactions as the Java client sees it, over a real socket: transactional batches of a
 * producer whose coordinator added the partition to its transaction, ended by WriteTxnMarkers sent straight to the
 * partition, the abort by the admin client's {@code abortTransaction} as {@code kafka-transactions abort} does. A
 * read_committed consumer stops at the last stable offset and skips aborted records; a read_uncommitted one sees
 * everything.
 */
class TransactionMarkersTest {

    private static final String TOPIC = "transfers";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();

    @BeforeAll
    static void createTopic() {
        broker.createTopic(TOPIC, 2, Map.of());
    }

    @Test
    void readCommittedConsumersSeeCommittedRecordsOnlyAndNothingPastAnOpenTransaction() throws Exception {
        InitProducerIdResponseData producer = transactional("transfers-writer", 0);
        long pid = producer.producerId();
        short epoch = producer.producerEpoch();

        produceTransactional("transfers-writer", 0, producer, 0, "aborted-1", "aborted-2");    // offsets 0-1
        plain("plain-1");                                                // offset 2
        assertThat(values(readCommitted(), 1, Duration.ofSeconds(2))).as("nothing past the open transaction").isEmpty();
        try (Admin admin = broker.admin()) {
            ProducerState state = admin.describeProducers(List.of(TP)).partitionResult(TP).get().activeProducers()
                    .stream().filter(p -> p.producerId() == pid).findFirst().orElseThrow();
            assertThat(state.currentTransactionStartOffset()).hasValue(0);
            try (KafkaConsumer<byte[], byte[]> committed = readCommitted()) {
                assertThat(committed.endOffsets(List.of(TP))).containsEntry(TP, 0L);
            }

            // As kafka-transactions abort does for a hanging transaction: WriteTxnMarkers to the leader.
            admin.abortTransaction(new AbortTransactionSpec(TP, pid, epoch, 0)).all().get();   // marker at 3
        }

        // The coordinator, bypassed by the abort, still holds the partition in the transaction.
        produceTransactional("transfers-writer", 0, producer, 2, "committed-1", "committed-2");    // offsets 4-5
        assertThat(writeMarker(0, pid, epoch, true)).isEqualTo(Errors.NONE);   // marker at 6
        plain("plain-2");                                                    // offset 7

        assertThat(values(readCommitted(), 4, Duration.ofSeconds(20)))
                .containsExactly("plain-1", "committed-1", "committed-2", "plain-2");
        assertThat(values(broker.consumer(Map.of()), 6, Duration.ofSeconds(20)))
                .containsExactly("aborted-1", "aborted-2", "plain-1", "committed-1", "committed-2", "plain-2");
        try (KafkaConsumer<byte[], byte[]> committed = readCommitted()) {
            assertThat(committed.endOffsets(List.of(TP))).containsEntry(TP, 8L);
        }
    }

    /** On partition 1, apart from the other test's offsets. */
    @Test
    void aMarkerOfAnOlderProducerEpochIsRefused() throws Exception {
        InitProducerIdResponseData producer = transactional("bumped-writer", 1);
        assertThat(producer.producerEpoch()).isEqualTo((short) 1);
        produceTransactional("bumped-writer", 1, producer, 0, "epoch-1");
        assertThat(writeMarker(1, producer.producerId(), (short) 0, false)).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(writeMarker(1, producer.producerId(), (short) 1, false)).isEqualTo(Errors.NONE);
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted() {
        return broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
    }

    /** The values {@code consumer} reads from the partition's start until {@code expected} came or {@code wait} passed. */
    private static List<String> values(KafkaConsumer<byte[], byte[]> consumer, int expected, Duration wait) {
        List<String> values = new ArrayList<>();
        try (consumer) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long deadline = System.nanoTime() + wait.toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /**
     * A producer of {@code transactionalId} after {@code bumps} more InitProducerIds (each bumps its epoch), with both
     * partitions added to its transaction.
     */
    private static InitProducerIdResponseData transactional(String transactionalId, int bumps) throws Exception {
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            InitProducerIdResponseData producer = initProducerId(wire, transactionalId);
            for (int i = 0; i < bumps; i++) {
                producer = initProducerId(wire, transactionalId);
            }
            for (int partition = 0; partition < 2; partition++) {
                assertThat(addPartition(wire, transactionalId, producer, new TopicPartition(TOPIC, partition)))
                        .isEqualTo(Errors.NONE);
            }
            return producer;
        }
    }

    /** Writes a transactional batch with acks=all, as a transactional producer's send does. */
    private static void produceTransactional(String transactionalId, int partition, InitProducerIdResponseData producer,
                                             int sequence, String... values) throws Exception {
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            assertThat(produce(wire, transactionalId, new TopicPartition(TOPIC, partition), batch(producer, sequence, values))
                    .errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    private static void plain(String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, value.getBytes(StandardCharsets.UTF_8))).get();
        }
    }

    /** Sends the commit or abort marker of the producer's transaction in the partition, as a coordinator does. */
    private static Errors writeMarker(int partition, long pid, short epoch, boolean commit) throws Exception {
        WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData().setMarkers(List.of(
                new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(pid).setProducerEpoch(epoch)
                        .setTransactionResult(commit).setCoordinatorEpoch(0).setTopics(List.of(
                                new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(TOPIC)
                                        .setPartitionIndexes(List.of(partition))))));
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            WriteTxnMarkersResponseData response = ((WriteTxnMarkersResponse) wire.send(ApiKeys.WRITE_TXN_MARKERS,
                    ApiKeys.WRITE_TXN_MARKERS.latestVersion(), request)).data();
            return Errors.forCode(response.markers().get(0).topics().get(0).partitions().get(0).errorCode());
        }
    }
}
