package io.strata.broker.it;

import io.strata.broker.testing.ChildJvm;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Partition reassignment on three brokers, driven by Apache Kafka's own {@code kafka-reassign-partitions} in a
 * JVM of its own: a throttled move stays in progress, is listed and is cancelled back to its replicas; an
 * unthrottled one completes, the partition leads from its new preferred replica, every record is still there
 * and the broker it left deletes its copy. The steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReassignmentTest {

    private static final String TOPIC = "moving";
    private static final TopicPartition MOVED = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 2000;
    private static final String TOOL = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final String TO_BROKERS_3_2 = """
            {"version":1,"partitions":[{"topic":"moving","partition":0,"replicas":[3,2]}]}""";

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(3);
    @TempDir
    static Path plans;
    static Admin admin;

    @BeforeAll
    static void createTopic() throws Exception {
        admin = cluster.broker(1).admin();
        admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1, 2), 1, List.of(2, 1))))).all().get();
        cluster.awaitMetadataOf(TOPIC);
        // Two MiB: more than a follower's first fetch brings, so a throttle of 1 B/s holds the move back.
        try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, 0, null, new byte[1024]));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void closeAdmin() {
        if (admin != null) {
            admin.close();
        }
    }

    @Test
    @Order(1)
    void invalidReassignmentsAreRefusedWithKafkasErrors() {
        assertThatThrownBy(() -> reassign(MOVED, Optional.of(new NewPartitionReassignment(List.of(3, 9)))))
                .hasCauseInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("broker 9");
        assertThatThrownBy(() -> reassign(MOVED, Optional.of(new NewPartitionReassignment(List.of(3, 3)))))
                .hasCauseInstanceOf(InvalidReplicaAssignmentException.class);
        assertThatThrownBy(() -> reassign(MOVED, Optional.empty()))
                .hasCauseInstanceOf(NoReassignmentInProgressException.class);
        assertThatThrownBy(() -> reassign(new TopicPartition(TOPIC, 7), Optional.of(new NewPartitionReassignment(List.of(3)))))
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    @Order(2)
    void aThrottledMoveStaysInProgressUntilItIsCancelled() throws Exception {
        Path plan = writePlan("throttled.json");
        String started = tool("--execute", "--reassignment-json-file", plan.toString(), "--throttle", "1");
        assertThat(started).contains("Successfully started partition reassignment for moving-0");

        // The tool returns once the controller committed the throttles; broker 1's image may trail by a moment.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(brokerConfig(1).get("leader.replication.throttled.rate").value()).isEqualTo("1");
            assertThat(topicConfig().get("leader.replication.throttled.replicas").value()).isEqualTo("0:1,0:2");
            assertThat(topicConfig().get("follower.replication.throttled.replicas").value()).isEqualTo("0:3");
        });
        // Held back: broker 3 got its first fetch's worth, and at 1 B/s no more for as long as this test runs.
        Thread.sleep(2000);
        PartitionReassignment moving = admin.listPartitionReassignments().reassignments().get().get(MOVED);
        assertThat(moving).as("the move is in progress").isNotNull();
        assertThat(moving.replicas()).containsExactly(3, 2, 1);
        assertThat(moving.addingReplicas()).containsExactly(3);
        assertThat(moving.removingReplicas()).containsExactly(1);
        assertThat(tool("--list")).contains("moving-0").contains("replicas: 3,2,1").contains("adding: 3")
                .contains("removing: 1");

        String cancelled = tool("--cancel", "--reassignment-json-file", plan.toString());
        assertThat(cancelled).contains("Successfully cancelled partition reassignment for: moving-0");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
            // Back on its own replicas, in the order the move gave them, as Kafka does.
            assertThat(partition(MOVED).replicas()).extracting(Node::id).containsExactly(2, 1);
            assertThat(brokerConfig(1).get("leader.replication.throttled.rate").value())
                    .isEqualTo(Long.toString(Long.MAX_VALUE));
        });
        awaitNoLocalCopy(3);
    }

    @Test
    @Order(3)
    void anUnthrottledMoveCompletesAndTheFormerReplicaDeletesItsCopy() throws Exception {
        Path plan = writePlan("unthrottled.json");
        assertThat(tool("--execute", "--reassignment-json-file", plan.toString()))
                .contains("Successfully started partition reassignment for moving-0");

        String verified = await().atMost(Duration.ofSeconds(60)).until(
                () -> tool("--verify", "--reassignment-json-file", plan.toString()),
                output -> output.contains("Reassignment of partition moving-0 is completed."));
        assertThat(verified).contains("Clearing broker-level throttles");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TopicPartitionInfo moved = partition(MOVED);
            assertThat(moved.replicas()).extracting(Node::id).containsExactly(3, 2);
            assertThat(moved.isr()).extracting(Node::id).containsExactlyInAnyOrder(3, 2);
            assertThat(moved.leader().id()).isEqualTo(3);
        });
        assertThat(cluster.broker(2).readAll(List.of(MOVED), RECORDS, Duration.ofSeconds(30))).hasSize(RECORDS);
        awaitNoLocalCopy(1);
        assertThat(partition(new TopicPartition(TOPIC, 1)).replicas()).extracting(Node::id).containsExactly(2, 1);
    }

    private static void reassign(TopicPartition partition, Optional<NewPartitionReassignment> target) throws Exception {
        admin.alterPartitionReassignments(Map.of(partition, target)).all().get();
    }

    private static String tool(String... args) throws Exception {
        return ChildJvm.kafkaTool(TOOL, cluster.bootstrapServers(), 45, args);
    }

    private static Path writePlan(String name) throws Exception {
        return Files.writeString(plans.resolve(name), TO_BROKERS_3_2);
    }

    private static TopicPartitionInfo partition(TopicPartition partition) throws ExecutionException, InterruptedException {
        TopicDescription topic = admin.describeTopics(List.of(partition.topic())).allTopicNames().get().get(partition.topic());
        return topic.partitions().get(partition.partition());
    }

    private static Config brokerConfig(int nodeId) throws ExecutionException, InterruptedException {
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(nodeId));
        return admin.describeConfigs(List.of(broker)).all().get().get(broker);
    }

    private static Config topicConfig() throws ExecutionException, InterruptedException {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        return admin.describeConfigs(List.of(topic)).all().get().get(topic);
    }

    /** Waits until broker {@code nodeId} has no directory for the moved partition any more. */
    private static void awaitNoLocalCopy(int nodeId) {
        Path copy = cluster.broker(nodeId).broker().dataDir().resolve("logs").resolve("moving-0");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(copy).doesNotExist());
    }
}
