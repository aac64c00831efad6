package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three brokers of one cluster on loopback, as clients see them: one cluster id, every broker listed
 * with its rack, partitions spread over the brokers, and clients that find each partition's leader and
 * each group's coordinator from whichever broker they bootstrap from.
 */
class ClusterTest {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(3);

    @Test
    void everyBrokerTellsOfTheSameClusterAndAllItsBrokers() throws Exception {
        Set<String> clusterIds = new HashSet<>();
        for (int nodeId = 1; nodeId <= 3; nodeId++) {
            try (Admin admin = cluster.broker(nodeId).admin()) {
                DescribeClusterResult described = admin.describeCluster();
                clusterIds.add(described.clusterId().get());
                assertThat(described.nodes().get()).extracting(Node::id, Node::rack)
                        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(1, "a"),
                                org.assertj.core.groups.Tuple.tuple(2, "b"), org.assertj.core.groups.Tuple.tuple(3, "a"));
            }
        }
        assertThat(clusterIds).hasSize(1);
        assertThat(cluster.brokers()).allSatisfy(broker ->
                assertThat(broker.broker().identity().clusterId()).isEqualTo(clusterIds.iterator().next()));
    }

    @Test
    void partitionsSpreadOverTheBrokersAndClientsFindEveryLeader() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("spread", 6, (short) 1))).all().get();
            cluster.awaitMetadataOf("spread");
            admin.createPartitions(Map.of("spread", NewPartitions.increaseTo(9))).all().get();
            cluster.awaitMetadataOf("spread");
            TopicDescription topic = admin.describeTopics(List.of("spread")).allTopicNames().get().get("spread");
            Map<Integer, Integer> leaders = new HashMap<>();
            for (TopicPartitionInfo partition : topic.partitions()) {
                leaders.merge(partition.leader().id(), 1, Integer::sum);
                assertThat(partition.replicas()).containsExactly(partition.leader());
                assertThat(partition.isr()).containsExactly(partition.leader());
            }
            assertThat(leaders).containsOnlyKeys(1, 2, 3).allSatisfy((node, count) -> assertThat(count).isEqualTo(3));
        }

        int records = 900;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker(2).bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("spread", "key-" + (i % 30), Integer.toString(i)));
            }
            producer.flush();
        }

        Map<String, List<Integer>> byKey = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.broker(3).bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "readers",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of("spread"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int read = 0;
            while (read < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(Integer.parseInt(record.value()));
                    read++;
                }
            }
            assertThat(read).isEqualTo(records);
            consumer.commitSync();
        }
        assertThat(byKey).hasSize(30).allSatisfy((key, values) -> assertThat(values).isSorted().hasSize(records / 30));

        // The group's offsets are kept by its coordinator, whichever broker the admin client asks first.
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets("readers").partitionsToOffsetAndMetadata().get();
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(records);
        }
    }

    @Test
    void aBrokerThatDoesNotLeadAPartitionRefusesItsRecords() throws Exception {
        TopicPartitionInfo partition;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("elsewhere", 1, (short) 1))).all().get();
            cluster.awaitMetadataOf("elsewhere");
            partition = admin.describeTopics(List.of("elsewhere")).allTopicNames().get().get("elsewhere").partitions().get(0);
        }
        int other = partition.leader().id() % 3 + 1;
        InetSocketAddress address = cluster.broker(other).broker().kafkaAddress();
        short version = 12; // the last version that names topics rather than giving their ids
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName("elsewhere").setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(
                        Compression.NONE, new SimpleRecord("v".getBytes(StandardCharsets.UTF_8)))))));
        try (KafkaWire wire = new KafkaWire(address)) {
            ProduceResponse response = (ProduceResponse) wire.send(new ProduceRequest(data, version));
            assertThat(Errors.forCode(response.data().responses().iterator().next().partitionResponses().get(0).errorCode()))
                    .isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        }
    }

    @Test
    void assignmentsAndReplicationFactorsTheClusterCannotHonourAreRefused() {
        try (Admin admin = admin()) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("unknown-broker",
                    Map.of(0, List.of(7))))).all().get())
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(InvalidReplicaAssignmentException.class).hasMessageContaining("broker 7");
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("too-many", 1, (short) 4))).all().get())
                    .isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(InvalidReplicationFactorException.class);
        }
    }

    @Test
    void anExplicitAssignmentPlacesEachPartition() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic("placed", Map.of(0, List.of(3), 1, List.of(1))))).all().get();
            cluster.awaitMetadataOf("placed");
            List<TopicPartitionInfo> partitions =
                    admin.describeTopics(List.of("placed")).allTopicNames().get().get("placed").partitions();
            assertThat(partitions).extracting(p -> p.leader().id()).containsExactly(3, 1);
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }
}
