package io.strata.broker.it;

import io.strata.broker.protocol.InterBrokerClients;
import io.strata.broker.protocol.InterBrokerSettings;
import io.strata.broker.protocol.RequestForwarder;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCertificates;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Brokers whose listener authenticates reach each other through it as their own user: over SASL_PLAINTEXT with the
 * authorizer on, followers replicate, a transaction commits across partitions other brokers lead (verifications
 * and markers forwarded) and DescribeQuorum is forwarded from a broker that does not lead the metadata quorum; over
 * SASL_SSL, followers replicate too; and a broker without its credentials does not start.
 */
class InterBrokerSecurityTest {

    private static final String TOPIC = "ledger";
    private static final int PARTITIONS = 3;
    private static final String MECHANISM = "SCRAM-SHA-512";

    @TempDir
    Path dir;

    /** A listener of {@code protocol} with SCRAM, users {@code broker} (a super user) and {@code alice}, and ACLs. */
    private static Map<String, String> secured(SecurityProtocol protocol) {
        Map<String, String> config = new HashMap<>(Map.of(
                "strata.kafka.security-protocol", protocol.name(),
                "strata.sasl.mechanisms", MECHANISM,
                "strata.sasl.bootstrap-users", "broker:broker-secret,alice:alice-secret",
                "strata.sasl.failed-authentication-delay-ms", "0",
                "strata.inter-broker.username", "broker",
                "strata.inter-broker.password", "broker-secret",
                "strata.authorizer.enabled", "true",
                "strata.super-users", "User:broker",
                "strata.transactions.state-log-partitions", "3",
                "strata.groups.offsets-topic-partitions", "3"));
        return config;
    }

    private static Map<String, Object> login(String user, Map<String, Object> more) {
        Map<String, Object> config = new HashMap<>(Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"" + user + "\" password=\"" + user + "-secret\";",
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        config.putAll(more);
        return config;
    }

    private static Admin admin(TestCluster cluster, Map<String, Object> login) {
        Map<String, Object> config = new HashMap<>(login);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        return Admin.create(config);
    }

    @Test
    void aSaslClusterReplicatesCommitsTransactionsAndDescribesItsQuorumFromAFollower() throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3, secured(SecurityProtocol.SASL_PLAINTEXT));
             Admin admin = admin(cluster, login("broker", Map.of()))) {
            // Every replica must acknowledge acks=all: a follower that cannot fetch fails the produce.
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)
                    .configs(Map.of("min.insync.replicas", "3")))).all().get(30, TimeUnit.SECONDS);
            cluster.awaitMetadataOf(TOPIC);
            grantAlice(cluster, admin);

            try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(login("alice", Map.of(
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000)))) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(record(p, "acked-" + p)).get(30, TimeUnit.SECONDS);
                }
            }
            awaitReplicasCaughtUp(cluster);

            Set<Integer> leaders = IntStream.range(0, PARTITIONS).map(p -> cluster.broker(1).broker().metadataImage()
                    .topic(TOPIC).orElseThrow().partition(p).leader()).boxed().collect(Collectors.toSet());
            assertThat(leaders).as("the partitions are led by several brokers").hasSizeGreaterThan(1);
            try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(login("alice", Map.of(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "alice-tx", ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000)))) {
                producer.initTransactions();
                producer.beginTransaction();
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(record(p, "committed-" + p));
                }
                producer.commitTransaction();
            }
            assertThat(readCommitted(cluster, 2 * PARTITIONS)).containsAll(
                    IntStream.range(0, PARTITIONS).mapToObj(p -> "committed-" + p).toList());

            assertThat(admin.describeMetadataQuorum().quorumInfo().get(20, TimeUnit.SECONDS).voters())
                    .extracting(QuorumInfo.ReplicaState::replicaId).containsExactlyInAnyOrder(1, 2, 3);
            TestBroker controller = cluster.brokers().stream().filter(broker -> broker.broker().isController())
                    .findFirst().orElseThrow();
            TestBroker follower = cluster.brokers().stream().filter(broker -> broker != controller).findFirst()
                    .orElseThrow();
            assertThat(describeQuorum(follower).leaderId()).as("the quorum's leader, as the follower forwards it")
                    .isEqualTo(controller.broker().identity().nodeId());
        }
    }

    @Test
    void aBrokerWithoutItsCredentialsDoesNotStart() {
        Map<String, String> config = secured(SecurityProtocol.SASL_PLAINTEXT);
        config.remove("strata.inter-broker.password");
        assertThatThrownBy(() -> TestBroker.start(dir, config)).hasMessageContaining("strata.inter-broker.username")
                .hasMessageContaining("STRATA_INTER_BROKER_PASSWORD").hasMessageNotContaining("\n");
    }

    @Test
    void aSaslSslClusterReplicates() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Strata inter-broker test CA");
        TestCertificates.ServerFiles files = authority.writeServerFiles(dir);
        Map<String, String> config = secured(SecurityProtocol.SASL_SSL);
        // No CA file: the brokers trust the certificate they all share, the listener's own.
        config.put("strata.kafka.tls.cert-file", files.cert().toString());
        config.put("strata.kafka.tls.key-file", files.key().toString());
        Map<String, Object> tls = Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL",
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, authority.certificatePem());
        try (TestCluster cluster = TestCluster.start(dir.resolve("cluster"), 2, config);
             Admin admin = admin(cluster, login("broker", tls))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 2)
                    .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
            cluster.awaitMetadataOf(TOPIC);
            Map<String, Object> producerConfig = new HashMap<>(login("broker", tls));
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
            try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(producerConfig)) {
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(record(p, "acked-" + p)).get(30, TimeUnit.SECONDS);
                }
            }
            awaitReplicasCaughtUp(cluster);
        }
    }

    /**
     * Alice may write the topic in her transactions, and nothing else: CLUSTER_ACTION stays the brokers'. Waits
     * until every broker's metadata has the ACLs, as a client may meet any broker next.
     */
    private static void grantAlice(TestCluster cluster, Admin admin) throws Exception {
        List<AclBinding> acls = new ArrayList<>();
        for (AclOperation operation : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
            AccessControlEntry entry = new AccessControlEntry("User:alice", "*", operation, AclPermissionType.ALLOW);
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL), entry));
            acls.add(new AclBinding(new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "alice-tx", PatternType.LITERAL),
                    entry));
        }
        admin.createAcls(acls).all().get(20, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.brokers().stream()
                .allMatch(broker -> broker.broker().metadataImage().security().acls().size() >= acls.size()));
    }

    private static ProducerRecord<byte[], byte[]> record(int partition, String value) {
        return new ProducerRecord<>(TOPIC, partition, null, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Waits until every broker's replica of every partition holds what its leader holds. */
    private static void awaitReplicasCaughtUp(TestCluster cluster) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(TOPIC, p);
                int leader = cluster.broker(1).broker().metadataImage().topic(TOPIC).orElseThrow().partition(p).leader();
                long leaderEnd = cluster.broker(leader).broker().partitions().partition(tp).orElseThrow().logEndOffset();
                assertThat(leaderEnd).as("records in " + tp).isPositive();
                for (TestBroker broker : cluster.brokers()) {
                    assertThat(broker.broker().partitions().partition(tp)).as(tp + " on " + broker.bootstrapServers())
                            .hasValueSatisfying(replica -> assertThat(replica.logEndOffset()).isEqualTo(leaderEnd));
                }
                assertThat(cluster.broker(leader).broker().metadataImage().topic(TOPIC).orElseThrow().partition(p)
                        .isr()).as("the in-sync replicas of " + tp).hasSize(cluster.brokers().size());
            }
        });
    }

    /** The committed values of the topic, as the {@code broker} user reads them with {@code read_committed}. */
    private static List<String> readCommitted(TestCluster cluster, int expected) {
        List<TopicPartition> partitions = IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p))
                .toList();
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = cluster.broker(1).consumer(login("broker", Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")))) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    /** DescribeQuorum sent to {@code broker} as the {@code broker} user, which forwards it unless it leads the quorum. */
    private static DescribeQuorumResponseData.PartitionData describeQuorum(TestBroker broker) throws Exception {
        InterBrokerSettings settings = new InterBrokerSettings("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT,
                Optional.of(new InterBrokerSettings.Sasl(MECHANISM, "broker", "broker-secret")), Optional.empty());
        try (RequestForwarder client = new RequestForwarder(new InterBrokerClients(settings), Duration.ofSeconds(10))) {
            InetSocketAddress address = broker.broker().kafkaAddress();
            DescribeQuorumResponse response = (DescribeQuorumResponse) client.send(address.getHostString(),
                    address.getPort(), new DescribeQuorumRequest.Builder(DescribeQuorumRequest.singletonRequest(
                            Topic.CLUSTER_METADATA_TOPIC_PARTITION)), ApiKeys.DESCRIBE_QUORUM.latestVersion())
                    .get(20, TimeUnit.SECONDS);
            DescribeQuorumResponseData.PartitionData partition = response.data().topics().get(0).partitions().get(0);
            assertThat(partition.errorCode()).as("DescribeQuorum's error").isZero();
            return partition;
        }
    }
}
