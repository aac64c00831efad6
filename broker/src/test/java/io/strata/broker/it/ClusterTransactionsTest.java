package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Transactions over three brokers: the coordinator writes markers to partitions other brokers lead, and when the
 * coordinator's broker stops, the broker that takes over its partition of {@code __transaction_state} carries on
 * with the same producer id and epoch.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTransactionsTest {

    private static final String TOPIC = "ledger";
    private static final int PARTITIONS = 3;

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(3, Map.of(
            "strata.transactions.state-log-partitions", "3",
            "strata.groups.offsets-topic-partitions", "3"));

    @BeforeAll
    static void createTopic() throws Exception {
        try (Admin admin = admin(cluster.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 2))).all().get(30, TimeUnit.SECONDS);
        }
        cluster.awaitMetadataOf(TOPIC);
    }

    @Test
    @Order(1)
    void markersReachPartitionsThatOtherBrokersLead() {
        Set<Integer> leaders = IntStream.range(0, PARTITIONS).map(p -> cluster.broker(1).broker().metadataImage()
                .topic(TOPIC).orElseThrow().partition(p).leader()).boxed().collect(Collectors.toSet());
        assertThat(leaders).as("the partitions are led by several brokers").hasSizeGreaterThan(1);

        try (KafkaProducer<byte[], byte[]> producer = transactional(cluster.bootstrapServers(), "ledger-writer")) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, "committed", 0, 9);
            producer.commitTransaction();
            producer.beginTransaction();
            send(producer, "aborted", 0, 6);
            producer.flush();
            producer.abortTransaction();
        }
        List<String> committed = readCommitted(cluster.bootstrapServers());
        assertThat(committed).containsAll(range("committed", 0, 9)).doesNotContainAnyElementsOf(range("aborted", 0, 6));
    }

    @Test
    @Order(2)
    void anotherBrokerTakesOverTheCoordinatorOfAStoppedOne() throws Exception {
        String id = "failover-writer";
        try (KafkaProducer<byte[], byte[]> producer = transactional(cluster.bootstrapServers(), id)) {
            producer.initTransactions();
            producer.beginTransaction();
            send(producer, "before", 0, 3);
            producer.commitTransaction();

            int coordinator;
            try (Admin admin = admin(cluster.bootstrapServers())) {
                coordinator = admin.describeTransactions(List.of(id)).description(id).get(10, TimeUnit.SECONDS)
                        .coordinatorId();
            }
            TestBroker stopped = cluster.broker(coordinator);
            stopped.stop();
            try {
                String others = cluster.bootstrapServersExcept(coordinator);
                // The same producer goes on: it finds the new coordinator, which loaded the id's state.
                producer.beginTransaction();
                send(producer, "after", 0, 3);
                producer.commitTransaction();
                try (Admin admin = admin(others)) {
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        var description = admin.describeTransactions(List.of(id)).description(id)
                                .get(10, TimeUnit.SECONDS);
                        assertThat(description.coordinatorId()).isNotEqualTo(coordinator);
                        assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
                    });
                }
                assertThat(readCommitted(others)).containsAll(range("before", 0, 3)).containsAll(range("after", 0, 3));
            } finally {
                stopped.start();
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> transactional(String bootstrap, String transactionalId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String prefix, int from, int count) {
        for (int i = from; i < from + count; i++) {
            producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null,
                    (prefix + "-" + i).getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static List<String> range(String prefix, int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> prefix + "-" + i).toList();
    }

    /** Every record a read_committed consumer sees, from the beginning to the last stable offsets. */
    private static List<String> readCommitted(String bootstrap) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            return TestBroker.readToEnd(consumer, partitions, Duration.ofSeconds(20)).stream()
                    .map(record -> new String(record.value(), StandardCharsets.UTF_8)).toList();
        }
    }
}
