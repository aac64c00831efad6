package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Transactions end to end with the Java client over a real socket: the producer finds its coordinator, initialises
 * its transactional id, adds partitions and commits or aborts; read_committed consumers see committed records only.
 * A second producer of the same id fences the first, a transaction left open is aborted after its timeout, and the
 * admin client lists and describes transactions as {@code kafka-transactions} does.
 */
class TransactionsTest {

    private static final String TOPIC = "payments";
    private static final String INPUT = "payment-requests";
    private static final List<TopicPartition> PARTITIONS = List.of(new TopicPartition(TOPIC, 0),
            new TopicPartition(TOPIC, 1), new TopicPartition(TOPIC, 2));

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of(
            "strata.transactions.abort-timed-out-interval", "200ms",
            "strata.transactions.state-log-partitions", "5",
            "strata.groups.initial-rebalance-delay-ms", "0"));

    @BeforeAll
    static void createTopic() {
        broker.createTopic(TOPIC, PARTITIONS.size(), Map.of());
        broker.createTopic(INPUT, 1, Map.of());
    }

    @Test
    void readCommittedConsumersSeeOnlyCommittedTransactions() {
        try (KafkaProducer<byte[], byte[]> producer = transactional("orders-writer", 60_000)) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, "commit", 0, 6);
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, "abort", 0, 4);
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            send(producer, "commit", 6, 3);
            producer.commitTransaction();
        }
        // Other tests write to the topic too: only this test's records are looked at.
        List<String> committed = values(readAll("read_committed")).stream()
                .filter(value -> value.startsWith("commit-") || value.startsWith("abort-")).toList();
        assertThat(committed).containsExactlyInAnyOrderElementsOf(range("commit", 0, 9));
        List<String> everything = values(readAll("read_uncommitted")).stream()
                .filter(value -> value.startsWith("commit-") || value.startsWith("abort-")).toList();
        assertThat(everything).hasSize(13).containsAll(range("abort", 0, 4));
    }

    /**
     * A producer pipelining many small batches: while the first batches of a transaction wait for their partition
     * leader's verification with the coordinator, the later ones of the same connection wait behind them, so every
     * partition receives them in the order sent (an overtaking batch would fail the producer with
     * OutOfOrderSequenceException).
     */
    @Test
    void aPipeliningProducerCommitsTransactionAfterTransactionInOrder() {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "pipelining-writer",
                ProducerConfig.BATCH_SIZE_CONFIG, 256,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000))) {
            producer.initTransactions();
            for (int txn = 0; txn < 10; txn++) {
                producer.beginTransaction();
                send(producer, "pipelined", txn * 300, 300);
                producer.commitTransaction();
            }
        }
        List<String> committed = values(readAll("read_committed")).stream()
                .filter(value -> value.startsWith("pipelined-")).toList();
        assertThat(committed).containsExactlyInAnyOrderElementsOf(range("pipelined", 0, 3000));
        for (int partition = 0; partition < PARTITIONS.size(); partition++) {
            int p = partition;
            List<Integer> order = committed.stream().map(value -> Integer.parseInt(value.substring(10)))
                    .filter(i -> i % PARTITIONS.size() == p).toList();
            assertThat(order).as("partition " + p).isSorted();
        }
    }

    @Test
    void aSecondProducerOfTheSameIdFencesTheFirstAndAbortsItsTransaction() {
        try (KafkaProducer<byte[], byte[]> zombie = transactional("fenced-writer", 60_000);
             KafkaProducer<byte[], byte[]> successor = transactional("fenced-writer", 60_000)) {
            zombie.initTransactions();
            zombie.beginTransaction();
            send(zombie, "zombie", 0, 3);
            zombie.flush();

            successor.initTransactions();
            successor.beginTransaction();
            send(successor, "successor", 0, 2);
            successor.commitTransaction();

            assertThatThrownBy(zombie::commitTransaction)
                    .isInstanceOfAny(ProducerFencedException.class, InvalidProducerEpochException.class);
        }
        List<String> committed = values(readAll("read_committed"));
        assertThat(committed).doesNotContainAnyElementsOf(range("zombie", 0, 3)).containsAll(range("successor", 0, 2));
    }

    @Test
    void aTransactionLeftOpenIsAbortedAfterItsTimeout() throws Exception {
        KafkaProducer<byte[], byte[]> abandoned = transactional("abandoned-writer", 1_000);
        abandoned.initTransactions();
        abandoned.beginTransaction();
        send(abandoned, "abandoned", 0, 3);
        abandoned.flush();
        try (Admin admin = broker.admin()) {
            TransactionDescription open = admin.describeTransactions(List.of("abandoned-writer"))
                    .description("abandoned-writer").get(10, TimeUnit.SECONDS);
            assertThat(open.state()).isEqualTo(TransactionState.ONGOING);
            assertThat(open.topicPartitions()).isNotEmpty().allMatch(tp -> tp.topic().equals(TOPIC));
            assertThat(open.transactionTimeoutMs()).isEqualTo(1_000);

            // The producer goes away without ending its transaction, as a killed one does.
            abandoned.close(Duration.ZERO);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(admin
                    .describeTransactions(List.of("abandoned-writer")).description("abandoned-writer")
                    .get(10, TimeUnit.SECONDS).state()).isEqualTo(TransactionState.COMPLETE_ABORT));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(consumer.endOffsets(PARTITIONS))
                    .as("the last stable offsets moved past the aborted records")
                    .isEqualTo(endOffsets("read_uncommitted")));
        }
        assertThat(values(readAll("read_committed"))).doesNotContainAnyElementsOf(range("abandoned", 0, 3));
    }

    @Test
    void theAdminClientListsAndDescribesTransactions() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = transactional("listed-writer", 60_000);
             Admin admin = broker.admin()) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, "listed", 0, 1);
            producer.flush();

            List<TransactionListing> ongoing = new ArrayList<>(admin.listTransactions(new ListTransactionsOptions()
                    .filterStates(List.of(TransactionState.ONGOING))).all().get(10, TimeUnit.SECONDS));
            assertThat(ongoing).extracting(TransactionListing::transactionalId).contains("listed-writer");
            assertThat(ongoing).allMatch(listing -> listing.state() == TransactionState.ONGOING);

            TransactionDescription described = admin.describeTransactions(List.of("listed-writer"))
                    .description("listed-writer").get(10, TimeUnit.SECONDS);
            assertThat(described.state()).isEqualTo(TransactionState.ONGOING);
            assertThat(described.producerEpoch()).isGreaterThanOrEqualTo(0);
            assertThat(described.transactionStartTimeMs()).isPresent();

            producer.commitTransaction();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin
                    .describeTransactions(List.of("listed-writer")).description("listed-writer")
                    .get(10, TimeUnit.SECONDS).state()).isEqualTo(TransactionState.COMPLETE_COMMIT));
            assertThatThrownBy(() -> admin.describeTransactions(List.of("never-used")).description("never-used")
                    .get(10, TimeUnit.SECONDS)).hasMessageContaining("never-used");
        }
    }

    @Test
    void aRestartedBrokerKeepsTransactionalIdsAndEndsTheTransactionsLeftOpen() {
        KafkaProducer<byte[], byte[]> before = transactional("restart-writer", 60_000);
        before.initTransactions();
        before.beginTransaction();
        send(before, "interrupted", 0, 2);
        before.flush();
        before.close(Duration.ZERO);

        broker.restart();

        try (KafkaProducer<byte[], byte[]> after = transactional("restart-writer", 60_000)) {
            // Its InitProducerId aborts the transaction the restart left open, then fences the older producer.
            after.initTransactions();
            after.beginTransaction();
            send(after, "resumed", 0, 2);
            after.commitTransaction();
        }
        List<String> committed = values(readAll("read_committed"));
        assertThat(committed).containsAll(range("resumed", 0, 2)).doesNotContainAnyElementsOf(range("interrupted", 0, 2));
    }

    @Test
    void offsetsSentToATransactionAreCommittedWithItsOutputAndDroppedWithItsAbort() throws Exception {
        TopicPartition input = new TopicPartition(INPUT, 0);
        try (KafkaProducer<byte[], byte[]> plain = broker.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                plain.send(new ProducerRecord<>(INPUT, ("request-" + i).getBytes(StandardCharsets.UTF_8)));
            }
        }
        String group = "transformer";
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
             KafkaProducer<byte[], byte[]> producer = transactional("transformer-writer", 60_000);
             Admin admin = broker.admin()) {
            consumer.subscribe(List.of(INPUT));
            producer.initTransactions();
            List<ConsumerRecord<byte[], byte[]>> requests = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (requests.size() < 10 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(requests::add);
            }
            assertThat(requests).hasSize(10);

            // Consume-transform-produce: the output and the input's offset commit in one transaction.
            transform(producer, consumer, requests.subList(0, 6), "transformed-", input, 6);
            producer.commitTransaction();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get().get(input).offset()).isEqualTo(6));

            // An aborted transaction moves neither the output nor the offset.
            transform(producer, consumer, requests.subList(6, 10), "discarded-", input, 10);
            // While it is open, a stable read leaves the partition out (UNSTABLE_OFFSET_COMMIT), a plain one does not.
            ListConsumerGroupOffsetsOptions stable = new ListConsumerGroupOffsetsOptions().requireStable(true);
            assertThat(admin.listConsumerGroupOffsets(group, stable).partitionsToOffsetAndMetadata().get())
                    .doesNotContainKey(input);
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(input).offset())
                    .isEqualTo(6);
            producer.abortTransaction();
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(input).offset())
                    .isEqualTo(6);

            // A plain commit after a transaction's offset outranks it, as the later record does in Kafka.
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(TOPIC, 0, null, "outranked".getBytes(StandardCharsets.UTF_8)));
            producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(7)), consumer.groupMetadata());
            consumer.commitSync(Map.of(input, new OffsetAndMetadata(8)));
            producer.commitTransaction();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get().get(input).offset()).isEqualTo(8));
        }
        List<String> output = values(readAll("read_committed"));
        assertThat(output).containsAll(range("transformed-request", 0, 6))
                .doesNotContainAnyElementsOf(range("discarded-request", 6, 4));

        // A restarted broker replays the transactional offset records and their markers to the same offsets.
        broker.restart();
        try (Admin admin = broker.admin()) {
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(admin
                    .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(input).offset())
                    .isEqualTo(8));
        }
    }

    /**
     * librdkafka's transactional producer (2.0 on Debian 12, through its C API from Python's ctypes): a committed
     * transaction is read by read_committed consumers, an aborted one only by read_uncommitted ones. Skipped, saying
     * why, where python3 or librdkafka is missing (a failure under the {@code clients} profile).
     */
    @Test
    void librdkafkasTransactionalProducerCommitsAndAborts() throws Exception {
        boolean available = new ProcessBuilder("python3", "-c", "import ctypes; ctypes.CDLL('librdkafka.so.1')")
                .redirectErrorStream(true).start().waitFor() == 0;
        if (Boolean.getBoolean("strata.clients.required")) {
            assertThat(available).as("python3 and librdkafka are required by the clients profile").isTrue();
        }
        assumeTrue(available, "python3 or librdkafka.so.1 is missing (Debian: apt-get install python3 librdkafka1); "
                + "librdkafka transactions test skipped");
        Path script = Path.of(TransactionsTest.class.getResource("/librdkafka/transactional_producer.py").toURI());
        Process process = new ProcessBuilder("python3", script.toString(), broker.bootstrapServers(), TOPIC,
                "rdkafka-writer", "4", "3").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();

        List<String> committed = values(readAll("read_committed")).stream()
                .filter(value -> value.startsWith("rdkafka-")).toList();
        assertThat(committed).containsExactlyElementsOf(range("rdkafka-committed", 0, 4));
        assertThat(values(readAll("read_uncommitted"))).containsAll(range("rdkafka-aborted", 0, 3));
    }

    /**
     * KIP-360: a producer bumping its own epoch names its current one. After another instance of the id took the next
     * epoch without naming one, the older producer's bump is refused, never answered with the new epoch.
     */
    @Test
    void aProducerBumpingItsOwnEpochIsFencedOnceAnotherInstanceTookTheId() throws Exception {
        String id = "bumping-writer";
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Errors.forCode(
                    ((FindCoordinatorResponse) wire.send(ApiKeys.FIND_COORDINATOR, (short) 4,
                            new FindCoordinatorRequestData().setKeyType(CoordinatorType.TRANSACTION.id())
                                    .setCoordinatorKeys(List.of(id)))).data().coordinators().get(0).errorCode()))
                    .isEqualTo(Errors.NONE));
            InitProducerIdResponseData first = await().atMost(Duration.ofSeconds(10))
                    .until(() -> initProducerId(wire, id, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH),
                            answer -> answer.errorCode() == Errors.NONE.code());
            // Its own bump, naming its epoch: answered again when retried.
            InitProducerIdResponseData bumped = initProducerId(wire, id, first.producerId(), first.producerEpoch());
            assertThat(bumped.producerEpoch()).isEqualTo((short) (first.producerEpoch() + 1));
            assertThat(initProducerId(wire, id, first.producerId(), first.producerEpoch()).producerEpoch())
                    .isEqualTo(bumped.producerEpoch());
            // Another instance takes the id without naming an epoch; the older one's bump is then fenced.
            InitProducerIdResponseData successor = initProducerId(wire, id, RecordBatch.NO_PRODUCER_ID,
                    RecordBatch.NO_PRODUCER_EPOCH);
            assertThat(successor.producerEpoch()).isEqualTo((short) (bumped.producerEpoch() + 1));
            assertThat(Errors.forCode(initProducerId(wire, id, bumped.producerId(), bumped.producerEpoch()).errorCode()))
                    .isEqualTo(Errors.PRODUCER_FENCED);
        }
    }

    private static InitProducerIdResponseData initProducerId(KafkaWire wire, String id, long producerId, short epoch)
            throws Exception {
        return ((InitProducerIdResponse) wire.send(ApiKeys.INIT_PRODUCER_ID, (short) 5, new InitProducerIdRequestData()
                .setTransactionalId(id).setTransactionTimeoutMs(60_000).setProducerId(producerId)
                .setProducerEpoch(epoch))).data();
    }

    private static KafkaProducer<byte[], byte[]> transactional(String transactionalId, int timeoutMs) {
        return broker.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String prefix, int from, int count) {
        for (int i = from; i < from + count; i++) {
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS.size(), null,
                    (prefix + "-" + i).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static List<String> range(String prefix, int from, int count) {
        List<String> values = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            values.add(prefix + "-" + i);
        }
        return values;
    }

    /**
     * Begins a transaction that sends each request's value, after {@code prefix}, to the output and {@code offset} as
     * {@code consumer}'s group's offset of {@code input}; the caller ends it.
     */
    private static void transform(KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer,
                                  List<ConsumerRecord<byte[], byte[]>> requests, String prefix, TopicPartition input,
                                  long offset) {
        producer.beginTransaction();
        for (ConsumerRecord<byte[], byte[]> request : requests) {
            producer.send(new ProducerRecord<>(TOPIC, 0, null, (prefix + new String(request.value(),
                    StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
        }
        producer.sendOffsetsToTransaction(Map.of(input, new OffsetAndMetadata(offset)), consumer.groupMetadata());
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        return broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    private static Map<TopicPartition, Long> endOffsets(String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            return consumer.endOffsets(PARTITIONS);
        }
    }

    /** Every record below the end offsets the isolation level sees, from the beginning. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            return TestBroker.readToEnd(consumer, PARTITIONS, Duration.ofSeconds(15));
        } catch (KafkaException e) {
            throw new IllegalStateException("reading " + TOPIC + " with " + isolation, e);
        }
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(record -> new String(record.value(), StandardCharsets.UTF_8)).toList();
    }
}
