package io.strata.broker.it;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.testing.ChildJvm;
import io.strata.broker.testing.Kcat;
import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.EligibleLeadersNotAvailableException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Apache Kafka's own admin tools ({@code kafka-metadata-quorum}, {@code kafka-log-dirs},
 * {@code kafka-topics}, {@code kafka-leader-election}), each run in a JVM of its own as a user runs it, and
 * librdkafka's kcat, against three brokers; then the admin client for the errors the tools do not show. The steps build on
 * each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterAdminCliTest {

    private static final String TOPIC = "admin-cli";
    private static final String TRANSACTIONS = "org.apache.kafka.tools.TransactionsCommand";
    /** Each partition's replicas, preferred leader first: every broker leads one. */
    private static final Map<Integer, List<Integer>> ASSIGNMENT = Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1),
            2, List.of(3, 1, 2));

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(3, Map.of("strata.transactions.state-log-partitions", "3"));

    @BeforeAll
    static void createTopic() throws Exception {
        try (Admin admin = cluster.broker(1).admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, ASSIGNMENT))).all().get();
        }
        cluster.awaitMetadataOf(TOPIC);
    }

    private static String tool(String mainClass, String bootstrap, String... args) throws Exception {
        return ChildJvm.kafkaTool(mainClass, bootstrap, 45, args);
    }

    private static String topics(String bootstrap, String... args) throws Exception {
        return tool("org.apache.kafka.tools.TopicCommand", bootstrap, args);
    }

    /** The partitions a {@code kafka-topics --describe} listed, one line each (its JVM may log a line of its own). */
    private static List<String> partitionLines(String output) {
        return output.lines().filter(line -> line.contains("Partition: ")).toList();
    }

    @Test
    @Order(1)
    void metadataQuorumStatusNamesTheLeaderAndThreeVoters() throws Exception {
        String status = tool("org.apache.kafka.tools.MetadataQuorumCommand",
                cluster.bootstrapServers(), "describe", "--status");
        Matcher leader = Pattern.compile("LeaderId:\\s+(\\d+)").matcher(status);
        assertThat(leader.find()).as(status).isTrue();
        assertThat(Integer.parseInt(leader.group(1))).isBetween(1, 3);
        assertThat(status).contains("ClusterId:              " + cluster.broker(1).broker().identity().clusterId());
        assertThat(status).containsPattern("LeaderEpoch:\\s+[1-9]").containsPattern("HighWatermark:\\s+[1-9]");
        String voters = status.lines().filter(line -> line.startsWith("CurrentVoters:")).findFirst().orElseThrow();
        assertThat(Pattern.compile("\"id\": \\d").matcher(voters).results().count()).as(voters).isEqualTo(3);
        assertThat(voters).contains("RAFT://127.0.0.1:");
        assertThat(status).contains("CurrentObservers:       []");

        String replication = tool("org.apache.kafka.tools.MetadataQuorumCommand",
                cluster.bootstrapServers(), "describe", "--replication");
        List<String> rows = replication.lines().filter(line -> line.matches("\\s*\\d+\\s+.*")).toList();
        assertThat(rows).as(replication).hasSize(3);
        assertThat(rows).filteredOn(row -> row.trim().startsWith(leader.group(1) + " ")).singleElement()
                .satisfies(row -> assertThat(row.trim()).endsWith("Leader"));
        assertThat(rows).filteredOn(row -> row.trim().endsWith("Follower")).hasSize(2);
    }

    /**
     * {@code kafka-transactions describe-producers}: an idempotent producer as the partition's leader keeps it, the
     * same on a follower asked with {@code --broker-id}, and an error from a broker that holds no replica. Last, as
     * its topic would count in the other steps' partition listings.
     */
    @Test
    @Order(7)
    void describeProducersShowsTheProducerStateOfEachReplica() throws Exception {
        String topic = "producers";
        try (Admin admin = cluster.broker(1).admin()) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2))))).all().get();
        }
        cluster.awaitMetadataOf(topic);
        try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, ("v" + i).getBytes(StandardCharsets.UTF_8))).get();
            }
        }
        List<String> describe = List.of("describe-producers", "--topic", topic, "--partition", "0");

        List<String> leader = producerRow(tool(TRANSACTIONS, cluster.bootstrapServers(), describe.toArray(String[]::new)));
        // ProducerId, ProducerEpoch, LatestCoordinatorEpoch, LastSequence, LastTimestamp, CurrentTransactionStartOffset
        assertThat(leader.get(1)).isEqualTo("0");
        assertThat(leader.get(3)).isEqualTo("4");
        assertThat(leader.get(5)).isEqualTo("None");

        List<String> onFollower = new ArrayList<>(describe);
        onFollower.addAll(List.of("--broker-id", "2"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(producerRow(tool(TRANSACTIONS,
                cluster.bootstrapServers(), onFollower.toArray(String[]::new)))).isEqualTo(leader));

        List<String> args = new ArrayList<>(List.of("--bootstrap-server", cluster.bootstrapServers()));
        args.addAll(describe);
        args.addAll(List.of("--broker-id", "3"));
        ChildJvm.Result noReplica = ChildJvm.run(TRANSACTIONS, args, 45);
        assertThat(noReplica.exitCode()).isNotZero();
        assertThat(noReplica.output()).contains("Failed to describe producers for partition producers-0 on broker 3");
    }

    /**
     * {@code kafka-transactions list}, {@code describe} and {@code find-hanging}: a transaction left open, as its
     * coordinator keeps it, and not hanging while its coordinator knows it.
     */
    @Test
    @Order(8)
    void listAndDescribeShowATransactionAsItsCoordinatorKeepsIt() throws Exception {
        String topic = "transfers";
        try (Admin admin = cluster.broker(1).admin()) {
            admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(2))))).all().get();
        }
        cluster.awaitMetadataOf(topic);
        try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cli-writer"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "open".getBytes(StandardCharsets.UTF_8))).get();

            String list = tool(TRANSACTIONS, cluster.bootstrapServers(), "list");
            assertThat(list.lines().filter(line -> line.startsWith("cli-writer"))).singleElement()
                    .satisfies(line -> assertThat(line).contains("Ongoing"));
            String describe = tool(TRANSACTIONS, cluster.bootstrapServers(), "describe", "--transactional-id",
                    "cli-writer");
            assertThat(describe).contains("Ongoing").contains(topic + "-0");
            String hanging = tool(TRANSACTIONS, cluster.bootstrapServers(), "find-hanging", "--broker-id", "2",
                    "--max-transaction-timeout", "0");
            assertThat(hanging).doesNotContain(topic + "-0");

            producer.commitTransaction();
        }
        String describe = tool(TRANSACTIONS, cluster.bootstrapServers(), "describe", "--transactional-id",
                "cli-writer");
        assertThat(describe).contains("CompleteCommit");
    }

    /** The one producer a {@code describe-producers} listed, its columns split on blanks. */
    private static List<String> producerRow(String output) {
        List<String> rows = output.lines().map(String::trim).filter(line -> line.matches("\\d+\\s+.*")).toList();
        assertThat(rows).as(output).hasSize(1);
        return List.of(rows.get(0).split("\\s+"));
    }

    /**
     * Only the Raft leader knows every voter's log: the other brokers forward the request to it. Each voter
     * carries the data directory its broker registered.
     */
    @Test
    @Order(1)
    void everyBrokerDescribesTheQuorumAsItsLeaderSeesIt() throws Exception {
        Map<Integer, Uuid> directories = cluster.broker(1).broker().metadataImage().directories();
        assertThat(directories).hasSize(3);
        for (TestBroker broker : cluster.brokers()) {
            try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
                DescribeQuorumResponseData.PartitionData partition = ((DescribeQuorumResponse) wire.send(
                        ApiKeys.DESCRIBE_QUORUM, ApiKeys.DESCRIBE_QUORUM.latestVersion(),
                        DescribeQuorumRequest.singletonRequest(Topic.CLUSTER_METADATA_TOPIC_PARTITION)))
                        .data().topics().get(0).partitions().get(0);
                assertThat(partition.leaderId()).isBetween(1, 3);
                assertThat(partition.currentVoters()).hasSize(3)
                        .allSatisfy(voter -> assertThat(voter.logEndOffset()).isPositive())
                        .allSatisfy(voter -> assertThat(voter.replicaDirectoryId())
                                .isEqualTo(directories.get(voter.replicaId())));
            }
        }
    }

    @Test
    @Order(2)
    void logDirsListTheTopicsPartitionsOnEachBroker() throws Exception {
        String output = tool("org.apache.kafka.tools.LogDirsCommand", cluster.bootstrapServers(),
                "--describe", "--topic-list", TOPIC);
        String json = output.lines().filter(line -> line.startsWith("{")).findFirst().orElseThrow();
        for (int broker = 1; broker <= 3; broker++) {
            assertThat(json).contains("\"broker\":" + broker);
            assertThat(json).contains(cluster.broker(broker).broker().dataDir().resolve("logs").toString());
        }
        for (int partition = 0; partition < 3; partition++) {
            assertThat(Pattern.compile("\"partition\":\"" + TOPIC + "-" + partition + "\"").matcher(json).results().count())
                    .as(json).isEqualTo(3);
        }
        assertThat(json).contains("\"isFuture\":false").doesNotContain("\"error\":\"");
    }

    @Test
    @Order(3)
    void topicsDescribeShowsLeaderReplicasAndIsr() throws Exception {
        String output = topics(cluster.bootstrapServers(), "--describe", "--topic", TOPIC);
        assertThat(output).containsPattern("Partition: 0\\s+Leader: 1\\s+Replicas: 1,2,3\\s+Isr: 1,2,3")
                .containsPattern("Partition: 1\\s+Leader: 2\\s+Replicas: 2,3,1\\s+Isr: 2,3,1")
                .containsPattern("Partition: 2\\s+Leader: 3\\s+Replicas: 3,1,2\\s+Isr: 3,1,2")
                // Kafka 4's tool describes through DescribeTopicPartitions, and prints N/A where a broker lacks it.
                .containsPattern("Elr: \\s+LastKnownElr: ").doesNotContain("N/A");
        assertThat(partitionLines(topics(cluster.bootstrapServers(), "--describe", "--under-replicated-partitions")))
                .isEmpty();
        assertThat(partitionLines(topics(cluster.bootstrapServers(), "--describe", "--unavailable-partitions")))
                .isEmpty();
    }

    @Test
    @Order(3)
    void kcatListsTheThreeBrokersAndEachPartitionsReplicas() throws Exception {
        Kcat.assumeInstalled();
        String metadata = Kcat.run(cluster.bootstrapServers(), null, "-L", "-t", TOPIC);
        assertThat(metadata).contains("3 brokers:").contains("topic \"" + TOPIC + "\" with 3 partitions:")
                .containsPattern("partition 0, leader 1, replicas: 1,2,3, isrs: 1,2,3")
                .containsPattern("partition 1, leader 2, replicas: 2,3,1, isrs: 2,3,1")
                .containsPattern("partition 2, leader 3, replicas: 3,1,2, isrs: 3,1,2");
        for (TestBroker broker : cluster.brokers()) {
            assertThat(metadata).contains("broker " + broker.broker().identity().nodeId() + " at "
                    + broker.bootstrapServers());
        }
    }

    @Test
    @Order(4)
    void underReplicatedWhileABrokerIsDownThenAPreferredElectionRestoresItsLeadership() throws Exception {
        cluster.broker(1).restart(() -> {
            awaitImage(image -> partition(image, 0).leader() == 2 && partition(image, 2).isr().size() == 2);
            String survivors = cluster.bootstrapServersExcept(1);
            List<String> under = partitionLines(topics(survivors, "--describe", "--under-replicated-partitions"));
            assertThat(under).hasSize(3);
            for (int partition = 0; partition < 3; partition++) {
                assertThat(String.join("\n", under))
                        .containsPattern("Topic: " + TOPIC + "\\s+Partition: " + partition + "\\s+Leader: [23]");
            }
            assertThat(partitionLines(topics(survivors, "--describe", "--unavailable-partitions"))).isEmpty();
        });
        awaitImage(image -> List.of(0, 1, 2).stream().allMatch(p -> partition(image, p).isr().size() == 3));
        assertThat(partitionLines(topics(cluster.bootstrapServers(), "--describe", "--under-replicated-partitions")))
                .isEmpty();
        // Broker 1 is back and in sync, but failover left partition 0 with broker 2 until an election.
        assertThat(partition(cluster.broker(2).broker().metadataImage(), 0).leader()).isEqualTo(2);

        String elected = tool("org.apache.kafka.tools.LeaderElectionCommand",
                cluster.bootstrapServers(), "--election-type", "preferred", "--topic", TOPIC, "--partition", "0");
        assertThat(elected).contains("Successfully completed leader election (PREFERRED) for partitions " + TOPIC + "-0");
        awaitImage(image -> partition(image, 0).leader() == 1);
        assertThat(topics(cluster.bootstrapServers(), "--describe", "--topic", TOPIC))
                .containsPattern("Partition: 0\\s+Leader: 1\\s+Replicas: 1,2,3\\s+Isr: 1,2,3");

        String again = tool("org.apache.kafka.tools.LeaderElectionCommand",
                cluster.bootstrapServers(), "--election-type", "preferred", "--topic", TOPIC, "--partition", "0");
        assertThat(again).contains("Valid replica already elected for partitions " + TOPIC + "-0");
        // Over every partition, those that need no election are left out of the answer, as Kafka does.
        assertThat(tool("org.apache.kafka.tools.LeaderElectionCommand", cluster.bootstrapServers(),
                "--election-type", "preferred", "--all-topic-partitions")).doesNotContain("could not be elected");
    }

    @Test
    @Order(5)
    void electLeadersAnswersUnknownTopicOrPartition() throws Exception {
        try (Admin admin = cluster.broker(2).admin()) {
            Map<TopicPartition, Optional<Throwable>> results = admin.electLeaders(ElectionType.PREFERRED,
                    Set.of(new TopicPartition("no-such-topic", 0), new TopicPartition(TOPIC, 7))).partitions().get();
            assertThat(results).hasSize(2).allSatisfy((tp, error) ->
                    assertThat(error).containsInstanceOf(UnknownTopicOrPartitionException.class));
        }
    }

    @Test
    @Order(6)
    void anUncleanElectionIsRefusedUnlessTheTopicAllowsIt() throws Exception {
        try (Admin admin = cluster.broker(1).admin()) {
            admin.createTopics(List.of(new NewTopic("alone", Map.of(0, List.of(3))))).all().get();
        }
        cluster.awaitMetadataOf("alone");
        TopicPartition alone = new TopicPartition("alone", 0);
        cluster.broker(3).restart(() -> {
            awaitImage(image -> image.topic("alone").orElseThrow().partition(0).leader() == PartitionImage.NO_LEADER);
            assertThat(partitionLines(topics(cluster.bootstrapServersExcept(3), "--describe", "--unavailable-partitions")))
                    .singleElement().asString().containsPattern("Topic: alone\\s+Partition: 0\\s+Leader: none");
            try (Admin admin = cluster.broker(1).admin()) {
                Optional<Throwable> result = admin.electLeaders(ElectionType.UNCLEAN, Set.of(alone)).partitions().get()
                        .get(alone);
                assertThat(result).containsInstanceOf(EligibleLeadersNotAvailableException.class);
                assertThat(result.orElseThrow()).hasMessageContaining("does not allow unclean leader election");
            }
        });
    }

    private static PartitionImage partition(MetadataImage image, int partition) {
        return image.topic(TOPIC).orElseThrow().partition(partition);
    }

    /** Waits until broker 2's metadata, which every step keeps up, satisfies {@code condition}. */
    private static void awaitImage(Predicate<MetadataImage> condition) {
        cluster.broker(2).awaitMetadata(condition);
    }
}
