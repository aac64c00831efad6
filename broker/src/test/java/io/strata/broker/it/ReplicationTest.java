package io.strata.broker.it;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TestLogConfigs;
import io.strata.broker.log.TestRecords;
import io.strata.broker.partition.Partition;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Partitions replicated over three brokers in this JVM: followers copy the leader's log by Kafka Fetch,
 * acks=all waits for the in-sync replicas, a leader's loss moves leadership to a follower that holds
 * every acknowledged record, and a broker that comes back catches up and rejoins the in-sync replicas.
 */
class ReplicationTest {

    private static final Map<String, String> CLUSTER = Map.of("strata.log.min-insync-replicas", "2",
            "strata.replication.replica-selector", "rack-aware");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void acknowledgedRecordsSurviveTheLossOfTheirLeader() throws Exception {
        onReplicatedTopic("replicated", (cluster, tp) -> {
            List<Long> offsets = send(cluster.broker(2), cluster.bootstrapServers(), tp, "first", 100);
            assertThat(offsets).containsExactlyElementsOf(range(0, 100));
            for (TestBroker broker : cluster.brokers()) {
                awaitPartition(broker, tp, p -> p.logEndOffset() == 100 && p.highWatermark() == 100);
            }
            assertThat(cluster.broker(1).broker().fetchSessions().sessions())
                    .as("each follower fetches from the leader in a session of its own").isEqualTo(2);

            cluster.broker(1).restart(() -> {
                MetadataImage moved = cluster.broker(2).awaitMetadata(image -> partition(image).leader() == 2
                        || partition(image).leader() == 3);
                assertThat(partition(moved).isr()).containsExactlyInAnyOrder(2, 3);
                assertThat(partition(moved).leaderEpoch()).isEqualTo(1);
                // min.insync.replicas=2 still holds with two brokers up.
                assertThat(send(cluster.broker(2), cluster.bootstrapServersExcept(1), tp, "second", 100))
                        .containsExactlyElementsOf(range(100, 200));
                assertThat(values(cluster.broker(2).readAll(List.of(tp), 200, Duration.ofSeconds(30))))
                        .containsExactlyElementsOf(expectedValues());
            });

            // Back as a follower, broker 1 copies what it missed and rejoins the in-sync replicas.
            MetadataImage rejoined = cluster.broker(1).awaitMetadata(image -> partition(image).isr().size() == 3);
            awaitPartition(cluster.broker(1), tp, p -> p.logEndOffset() == 200 && !p.isLeader());
            TestBroker leader = cluster.broker(partition(rejoined).leader());
            assertThat(leader.broker().isrUpdater().expands()).as("the leader took broker 1 back in").isPositive();
            awaitPartition(leader, tp, p -> p.maxFollowerLag() == 0);
            assertThat(values(cluster.broker(1).readAll(List.of(tp), 200, Duration.ofSeconds(30))))
                    .containsExactlyElementsOf(expectedValues());
        });
    }

    @Test
    @Timeout(120)
    void acksAllIsRefusedBelowMinInsyncReplicasAndAcksOneIsNot() throws Exception {
        onReplicatedTopic("strict", (cluster, tp) -> {
            try (Admin admin = cluster.broker(1).admin()) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, "strict"), List.of(
                        new AlterConfigOp(new ConfigEntry("min.insync.replicas", "3"), AlterConfigOp.OpType.SET))))
                        .all().get();
            }
            cluster.awaitMetadataOf("strict");
            send(cluster.broker(1), cluster.bootstrapServers(), tp, "all-three", 1);

            cluster.broker(3).restart(() -> {
                cluster.broker(1).awaitMetadata(image -> partition(image, "strict").isr().size() == 2);
                try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.RETRIES_CONFIG, 0))) {
                    Future<RecordMetadata> refused = producer.send(record(tp, "refused"));
                    assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(NotEnoughReplicasException.class);
                }
                try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
                    assertThat(producer.send(record(tp, "one-ack")).get(30, TimeUnit.SECONDS).offset()).isEqualTo(1);
                }
            });
        });
    }

    @Test
    @Timeout(120)
    void aFormerLeaderCutsTheTailItNeverReplicatedAndFollowsTheNewLeader() throws Exception {
        onReplicatedTopic("replicated", (cluster, tp) -> {
            send(cluster.broker(2), cluster.bootstrapServers(), tp, "first", 100);

            cluster.broker(1).restart(() -> {
                cluster.broker(2).awaitMetadata(image -> partition(image).leader() != 1);
                send(cluster.broker(2), cluster.bootstrapServersExcept(1), tp, "second", 100);
                // What a leader that died before its followers fetched would hold: a tail in its old epoch.
                Path logDir = dir.resolve("broker-1").resolve("logs").resolve(LogFiles.partitionDirName(tp));
                try (PartitionLog log = PartitionLog.open(logDir, tp, TestLogConfigs.defaults(), Time.SYSTEM)) {
                    for (int i = 0; i < 30; i++) {
                        log.append(MemoryRecords.withRecords(Compression.NONE,
                                new SimpleRecord(("never-acknowledged-" + i).getBytes(StandardCharsets.UTF_8))), 0);
                    }
                }
            });

            awaitPartition(cluster.broker(1), tp, p -> p.logEndOffset() == 200 && p.highWatermark() == 200
                    && p.latestEpoch().orElse(-1) == 1);
            assertThat(TestRecords.readValues(cluster.broker(1).broker().partitions().partition(tp).orElseThrow().log()))
                    .containsExactlyElementsOf(expectedValues());
        });
    }

    @Test
    @Timeout(180)
    void aGroupKeepsItsCommittedOffsetsWhenItsCoordinatorDies() throws Exception {
        onReplicatedTopic("replicated", (cluster, tp) -> {
            send(cluster.broker(1), cluster.bootstrapServers(), tp, "first", 100);
            Map<String, Object> group = Map.of(ConsumerConfig.GROUP_ID_CONFIG, "survivors",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            int coordinator;
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.broker(1).consumer(merged(group,
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
                consumer.subscribe(List.of(tp.topic()));
                assertThat(values(poll(consumer, 100))).containsExactlyElementsOf(expectedValues().subList(0, 100));
                consumer.commitSync();
            }
            try (Admin admin = cluster.broker(1).admin()) {
                coordinator = admin.describeConsumerGroups(List.of("survivors")).all().get().get("survivors")
                        .coordinator().id();
            }
            cluster.broker(coordinator).awaitMetadata(image -> image.topic("__consumer_offsets").orElseThrow().partitions()
                    > 0 && image.topic("__consumer_offsets").orElseThrow().replicationFactor() == 3);

            int survivor = coordinator == 1 ? 2 : 1;
            cluster.broker(coordinator).restart(() -> {
                String survivors = cluster.bootstrapServersExcept(coordinator);
                send(cluster.broker(survivor), survivors, tp, "second", 100);
                try (KafkaConsumer<byte[], byte[]> consumer = cluster.broker(survivor).consumer(merged(group,
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, survivors))) {
                    consumer.subscribe(List.of(tp.topic()));
                    // It carries on where the group committed, at the new coordinator.
                    assertThat(values(poll(consumer, 100))).containsExactlyElementsOf(expectedValues().subList(100, 200));
                }
            });
        });
    }

    /** Brokers 1 and 3 are in rack a, broker 2 in rack b: a consumer in rack b reads from broker 2, not the leader. */
    @Test
    @Timeout(120)
    void aConsumerInAFollowersRackReadsFromThatFollower() throws Exception {
        onReplicatedTopic("replicated", (cluster, tp) -> {
            send(cluster.broker(1), cluster.bootstrapServers(), tp, "first", 100);
            for (TestBroker broker : cluster.brokers()) {
                awaitPartition(broker, tp, p -> p.highWatermark() == 100);
            }
            try (KafkaConsumer<byte[], byte[]> consumer = cluster.broker(1).consumer(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                    ConsumerConfig.CLIENT_RACK_CONFIG, "b"))) {
                consumer.assign(List.of(tp));
                assertThat(values(poll(consumer, 100))).containsExactlyElementsOf(expectedValues().subList(0, 100));
            }
            assertThat(bytesFetched(cluster.broker(2), tp)).as("bytes the follower in rack b sent").isPositive();
            assertThat(bytesFetched(cluster.broker(1), tp)).as("bytes the leader sent").isZero();
            assertThat(bytesFetched(cluster.broker(3), tp)).as("bytes the other follower sent").isZero();
        });
    }

    private static long bytesFetched(TestBroker broker, TopicPartition tp) {
        return broker.broker().partitions().partition(tp).orElseThrow().bytesFetched();
    }

    private static List<ConsumerRecord<byte[], byte[]>> poll(KafkaConsumer<byte[], byte[]> consumer, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < expected && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    private static Map<String, Object> merged(Map<String, Object> base, String key, Object value) {
        Map<String, Object> merged = new java.util.HashMap<>(base);
        merged.put(key, value);
        return merged;
    }

    /** A scenario on partition 0 of a topic replicated on brokers 1, 2 and 3, broker 1 its preferred leader. */
    @FunctionalInterface
    private interface Scenario {
        void run(TestCluster cluster, TopicPartition tp) throws Exception;
    }

    private void onReplicatedTopic(String topic, Scenario scenario) throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3, CLUSTER)) {
            createTopic(cluster, topic, List.of(1, 2, 3));
            scenario.run(cluster, new TopicPartition(topic, 0));
        }
    }

    private static void createTopic(TestCluster cluster, String topic, List<Integer> replicas) throws Exception {
        try (Admin admin = cluster.broker(1).admin()) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, replicas)))).all().get();
        }
        cluster.awaitMetadataOf(topic);
    }

    /**
     * Sends {@code count} numbered records with acks=all, idempotent, through the brokers in {@code bootstrap},
     * and returns their offsets.
     */
    private static List<Long> send(TestBroker client, String bootstrap, TopicPartition tp, String prefix, int count)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = client.producer(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(record(tp, prefix + "-" + i)));
            }
            List<Long> offsets = new ArrayList<>();
            for (Future<RecordMetadata> future : sent) {
                offsets.add(future.get(60, TimeUnit.SECONDS).offset());
            }
            return offsets;
        }
    }

    private static ProducerRecord<byte[], byte[]> record(TopicPartition tp, String value) {
        return new ProducerRecord<>(tp.topic(), tp.partition(), null, value.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<String> expectedValues() {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            values.add("first-" + i);
        }
        for (int i = 0; i < 100; i++) {
            values.add("second-" + i);
        }
        return values;
    }

    private static List<Long> range(long from, long to) {
        List<Long> offsets = new ArrayList<>();
        for (long o = from; o < to; o++) {
            offsets.add(o);
        }
        return offsets;
    }

    private static PartitionImage partition(MetadataImage image) {
        return partition(image, "replicated");
    }

    private static PartitionImage partition(MetadataImage image, String topic) {
        return image.topic(topic).orElseThrow().partition(0);
    }

    private static void awaitPartition(TestBroker broker, TopicPartition tp, Predicate<Partition> condition) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(broker.broker().partitions().partition(tp).filter(condition)).as(() -> reached(broker, tp))
                        .isPresent());
    }

    /** Where the broker's copy of {@code tp} stands, for a wait that timed out. */
    private static String reached(TestBroker broker, TopicPartition tp) {
        return "broker " + broker.broker().identity().nodeId() + "'s " + tp + ": " + broker.broker().partitions()
                .partition(tp).map(p -> "end " + p.logEndOffset() + ", high watermark " + p.highWatermark() + ", " + p.state())
                .orElse("not open");
    }
}
