package io.strata.broker.it;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.FreePorts;
import io.strata.broker.testing.ProcessCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Brokers killed with SIGKILL while producers run transactions, in processes of their own. Afterwards every
 * transaction whose commit was acknowledged is visible whole to read_committed consumers, every one left open is
 * aborted, and none is visible in part: a single broker restarted on its data directory, and a cluster whose
 * transaction coordinator dies while a producer goes on committing.
 */
class TransactionCrashTest {

    private static final String TOPIC = "ledger";
    private static final int PARTITIONS = 3;
    private static final int RECORDS_PER_TRANSACTION = 6;
    private static final List<TopicPartition> TOPIC_PARTITIONS = IntStream.range(0, PARTITIONS)
            .mapToObj(partition -> new TopicPartition(TOPIC, partition)).toList();

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @RegisterExtension
    final ProcessCluster cluster = new ProcessCluster("transaction-crash-test", 3);

    @Test
    void aKilledBrokerComesBackWithItsCommittedTransactionsWholeAndItsOpenOnesAborted() throws Exception {
        Map<String, String> config = Map.of("strata.transactions.abort-timed-out-interval", "200ms",
                "strata.transactions.state-log-partitions", "3");
        int port;
        Writer looping;
        try (BrokerProcess broker = BrokerProcess.start(dataDir, FreePorts.take(1)[0], logs.resolve("first.log"), config)) {
            port = broker.port();
            createTopic(broker.bootstrapServers(), 1);
            try (Writer committed = new Writer(broker.bootstrapServers(), "committed-writer")) {
                for (int txn = 0; txn < 5; txn++) {
                    committed.transaction(txn);
                }
            }
            // Its records are in the log; its commit never comes.
            Writer open = new Writer(broker.bootstrapServers(), "open-writer");
            open.producer.beginTransaction();
            open.send(0);
            open.producer.flush();
            looping = new Writer(broker.bootstrapServers(), "looping-writer");
            looping.loop();
            await().atMost(Duration.ofSeconds(30)).until(() -> looping.committed.size() >= 5);
            broker.kill();
            open.abandon();
            looping.abandon();
        }

        try (BrokerProcess broker = BrokerProcess.start(dataDir, port, logs.resolve("second.log"), config)) {
            Map<String, Integer> seen = readCommittedOnceStable(broker.bootstrapServers());
            assertWhole(seen);
            assertThat(seen).containsKeys(IntStream.range(0, 5).mapToObj(txn -> "committed-writer:" + txn)
                    .toArray(String[]::new));
            assertThat(seen.keySet()).noneMatch(txn -> txn.startsWith("open-writer:"));
            assertThat(seen).containsKeys(looping.committed.stream().map(txn -> "looping-writer:" + txn)
                    .toArray(String[]::new));
        }
    }

    @Test
    void aTransactionOutlivesItsCoordinatorsBroker() throws Exception {
        cluster.startAll();
        String bootstrap = cluster.bootstrap(1, 2, 3);
        createTopic(bootstrap, 3);
        Writer looping = new Writer(bootstrap, "failover-writer");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            looping.loop();
            await().atMost(Duration.ofSeconds(60)).until(() -> looping.committed.size() >= 3);
            int coordinator = admin.describeTransactions(List.of("failover-writer")).description("failover-writer")
                    .get(10, TimeUnit.SECONDS).coordinatorId();
            cluster.process(coordinator).kill();
            int before = looping.committed.size();
            // The producer finds the new coordinator, which loaded the id's state, and goes on committing.
            await().atMost(Duration.ofSeconds(60)).until(() -> looping.failure != null
                    || looping.committed.size() >= before + 3);
            looping.stop();
            assertThat(looping.failure).as("the producer's transactions across the failover").isNull();
            String survivors = IntStream.rangeClosed(1, 3).filter(id -> id != coordinator)
                    .mapToObj(id -> cluster.bootstrap(id)).collect(Collectors.joining(","));
            try (Admin others = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, survivors))) {
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> others
                        .describeTransactions(List.of("failover-writer")).description("failover-writer")
                        .get(5, TimeUnit.SECONDS).state() == TransactionState.COMPLETE_COMMIT);
            }
            Map<String, Integer> seen = readCommittedOnceStable(survivors);
            assertWhole(seen);
            assertThat(seen).containsKeys(looping.committed.stream().map(txn -> "failover-writer:" + txn)
                    .toArray(String[]::new));
        }
    }

    /** Every transaction seen is seen whole. */
    private static void assertWhole(Map<String, Integer> seen) {
        assertThat(seen).isNotEmpty();
        seen.forEach((txn, records) -> assertThat(records).as("records of " + txn).isEqualTo(RECORDS_PER_TRANSACTION));
    }

    private static void createTopic(String bootstrap, int replicas) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // Retried until as many brokers as replicas have registered.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> ProcessCluster.created(admin,
                    new NewTopic(TOPIC, PARTITIONS, (short) replicas)));
            // Answered once the leaders opened their logs.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> admin.listOffsets(
                    TOPIC_PARTITIONS.stream().collect(Collectors.toMap(Function.identity(), tp -> OffsetSpec.latest())))
                    .all().get(5, TimeUnit.SECONDS).size() == PARTITIONS);
        }
    }

    /**
     * Waits until no transaction is open in the topic (the read_committed end is the end), then reads it all with
     * read_committed: the records seen, counted by transaction ({@code writer:txn}).
     */
    private static Map<String, Integer> readCommittedOnceStable(String bootstrap) {
        Map<TopicPartition, Long> ends = new HashMap<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                Map<TopicPartition, ListOffsetsResultInfo> committed = ends(admin, IsolationLevel.READ_COMMITTED);
                Map<TopicPartition, ListOffsetsResultInfo> all = ends(admin, IsolationLevel.READ_UNCOMMITTED);
                committed.forEach((tp, info) -> ends.put(tp, info.offset()));
                return TOPIC_PARTITIONS.stream().allMatch(tp -> committed.get(tp).offset() == all.get(tp).offset());
            });
        }
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(TOPIC_PARTITIONS);
            consumer.seekToBeginning(TOPIC_PARTITIONS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (TOPIC_PARTITIONS.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    String value = new String(record.value(), StandardCharsets.UTF_8);
                    seen.merge(value.substring(0, value.lastIndexOf(':')), 1, Integer::sum);
                }
            }
            assertThat(TOPIC_PARTITIONS).as("read to the end").allMatch(tp -> consumer.position(tp) >= ends.get(tp));
        }
        return seen;
    }

    private static Map<TopicPartition, ListOffsetsResultInfo> ends(Admin admin, IsolationLevel isolation)
            throws Exception {
        return admin.listOffsets(TOPIC_PARTITIONS.stream().collect(Collectors.toMap(Function.identity(),
                tp -> OffsetSpec.latest())), new ListOffsetsOptions(isolation)).all().get(5, TimeUnit.SECONDS);
    }

    /**
     * A transactional producer whose transactions each hold {@value #RECORDS_PER_TRANSACTION} records spread over
     * the partitions, valued {@code id:txn:i}. Its transactions time out after 5 s.
     */
    private static final class Writer implements AutoCloseable {

        private final String transactionalId;
        private final KafkaProducer<String, String> producer;
        /** The transactions whose commit was acknowledged. */
        private final Set<Integer> committed = ConcurrentHashMap.newKeySet();
        private volatile boolean stopping;
        /** Why the loop ended early, if it did. */
        private volatile RuntimeException failure;
        private CompletableFuture<Void> running = CompletableFuture.completedFuture(null);

        Writer(String bootstrap, String transactionalId) {
            this.transactionalId = transactionalId;
            this.producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                    ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 5_000,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                    new StringSerializer(), new StringSerializer());
            producer.initTransactions();
        }

        void send(int txn) {
            for (int i = 0; i < RECORDS_PER_TRANSACTION; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, transactionalId + ":" + txn + ":" + i));
            }
        }

        void transaction(int txn) {
            producer.beginTransaction();
            send(txn);
            producer.commitTransaction();
            committed.add(txn);
        }

        /** Commits transaction after transaction on a thread of its own until {@link #stop} or a failure. */
        void loop() {
            running = CompletableFuture.runAsync(() -> {
                for (int txn = 0; !stopping; txn++) {
                    try {
                        transaction(txn);
                    } catch (RuntimeException e) {
                        // Its broker was killed: whatever the transaction's fate, it must be whole or absent.
                        failure = e;
                        return;
                    }
                }
            });
        }

        /** Ends the loop after its current transaction and closes the producer. */
        void stop() throws Exception {
            stopping = true;
            running.get(60, TimeUnit.SECONDS);
            close();
        }

        /** Closes the producer at once, as a process that dies does, ending the loop where it is. */
        void abandon() throws Exception {
            stopping = true;
            producer.close(Duration.ZERO);
            running.handle((ignored, error) -> null).get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
