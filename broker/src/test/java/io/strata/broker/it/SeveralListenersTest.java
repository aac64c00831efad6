package io.strata.broker.it;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCertificates;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Brokers with several Kafka listeners, as Kafka's {@code listeners} configure them: one broker with a plaintext
 * INTERNAL listener and a SASL_SSL EXTERNAL one tells each client of the endpoints of the listener it came in on and
 * serves both, authenticating on EXTERNAL only; and a cluster whose brokers replicate over a plaintext INTERNAL
 * listener, without inter-broker credentials, while clients authenticate on EXTERNAL.
 */
class SeveralListenersTest {

    private static final String MECHANISM = "SCRAM-SHA-512";

    @TempDir
    Path dir;

    private static Map<String, Object> sasl(String protocol, String password) {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol,
                SaslConfigs.SASL_MECHANISM, MECHANISM,
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"alice\" password=\"" + password + "\";");
    }

    /** {@code security} and bounds for a client of the listener at {@code bootstrap}, with {@code more}. */
    private static Map<String, Object> client(String bootstrap, Map<String, Object> security,
                                              Map<String, Object> more) {
        Map<String, Object> config = new HashMap<>(security);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.putAll(more);
        return config;
    }

    @Test
    void aClientIsToldOfTheEndpointsOfTheListenerItCameInOnAndEachListenerServesIt() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Strata listeners test CA");
        TestCertificates.ServerFiles files = authority.writeServerFiles(dir);
        // No inter-broker credentials: the brokers would reach each other on INTERNAL, the first listener.
        try (TestBroker broker = TestBroker.start(dir.resolve("data"), Map.of(
                "strata.kafka.listeners", "INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0",
                "strata.kafka.advertised-listeners", "EXTERNAL://localhost:0",
                "strata.kafka.listener-security-protocol-map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL",
                "strata.kafka.tls.cert-file", files.cert().toString(),
                "strata.kafka.tls.key-file", files.key().toString(),
                "strata.sasl.mechanisms", MECHANISM,
                "strata.sasl.bootstrap-users", "alice:alice-secret",
                "strata.sasl.failed-authentication-delay-ms", "0"))) {
            int internalPort = broker.broker().kafkaAddress("INTERNAL").getPort();
            int externalPort = broker.broker().kafkaAddress("EXTERNAL").getPort();
            assertThat(broker.bootstrapServers()).as("the first listener's").isEqualTo("127.0.0.1:" + internalPort);
            assertThat(broker.broker().bootstrapServers("EXTERNAL")).isEqualTo("localhost:" + externalPort);
            assertThat(broker.broker().metadataImage().broker(1)).map(BrokerImage::endpoints).contains(List.of(
                    new Endpoint("INTERNAL", "127.0.0.1", internalPort),
                    new Endpoint("EXTERNAL", "localhost", externalPort)));

            Map<String, Object> internal = client("127.0.0.1:" + internalPort, Map.of(), Map.of());
            Map<String, Object> external = new HashMap<>(client("localhost:" + externalPort,
                    sasl("SASL_SSL", "alice-secret"), Map.of()));
            external.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            external.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, authority.certificatePem());
            try (Admin admin = Admin.create(internal)) {
                admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }

            assertServedAndToldOf(internal, new Node(1, "127.0.0.1", internalPort), "via INTERNAL");
            assertServedAndToldOf(external, new Node(1, "localhost", externalPort), "via EXTERNAL");
            assertThat(consume(internal, "orders", "everything", 2)).containsExactlyInAnyOrder("via INTERNAL", "via EXTERNAL");

            Map<String, Object> wrongPassword = new HashMap<>(external);
            wrongPassword.putAll(sasl("SASL_SSL", "guess"));
            try (Admin admin = Admin.create(wrongPassword)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
            }
            Map<String, Object> tlsWithoutLogin = client("localhost:" + externalPort, Map.of(
                    CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL",
                    SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                    SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, authority.certificatePem()),
                    Map.of(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000,
                            CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 2_000));
            try (Admin admin = Admin.create(tlsWithoutLogin)) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .as("EXTERNAL serves no one who has not authenticated")
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(TimeoutException.class);
            }
        }
    }

    /**
     * A client of {@code config} is told of the broker as {@code expected} by DescribeCluster, Metadata and
     * FindCoordinator, and produces {@code value} to {@code orders} and reads it back in a group.
     */
    private static void assertServedAndToldOf(Map<String, Object> config, Node expected, String value)
            throws Exception {
        try (Admin admin = Admin.create(config)) {
            DescribeClusterResult cluster = admin.describeCluster();
            assertThat(cluster.nodes().get(20, TimeUnit.SECONDS)).as("DescribeCluster's brokers")
                    .containsExactly(expected);
            assertThat(cluster.controller().get(20, TimeUnit.SECONDS)).isEqualTo(expected);
        }
        Map<String, Object> producerConfig = new HashMap<>(config);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(withSerializers(producerConfig))) {
            List<PartitionInfo> partitions = producer.partitionsFor("orders");
            assertThat(partitions).extracting(PartitionInfo::leader).as("Metadata's leader").containsExactly(expected);
            producer.send(new ProducerRecord<>("orders", value.getBytes(StandardCharsets.UTF_8)))
                    .get(30, TimeUnit.SECONDS);
        }
        String group = "readers-" + expected.port();
        assertThat(consume(config, "orders", group, 1)).contains(value);
        try (Admin admin = Admin.create(config)) {
            assertThat(admin.describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(20, TimeUnit.SECONDS).coordinator()).as("FindCoordinator's coordinator").isEqualTo(expected);
        }
    }

    /** Reads {@code topic} from the beginning in {@code group} until {@code expected} records came: their values. */
    private static List<String> consume(Map<String, Object> config, String topic, String group, int expected) {
        Map<String, Object> consumerConfig = new HashMap<>(config);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(withDeserializers(consumerConfig))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(record.value(), StandardCharsets.UTF_8));
                }
            }
            consumer.commitSync();
        }
        assertThat(values).as("records read in group %s", group).hasSizeGreaterThanOrEqualTo(expected);
        return values;
    }

    @Test
    void brokersReplicateOverTheInternalListenerWhileClientsAuthenticateOnTheExternalOne() throws Exception {
        Map<String, String> config = Map.of(
                "strata.kafka.listeners", "EXTERNAL://127.0.0.1:0,INTERNAL://127.0.0.1:0",
                "strata.kafka.listener-security-protocol-map", "EXTERNAL:SASL_PLAINTEXT,INTERNAL:PLAINTEXT",
                "strata.kafka.inter-broker-listener-name", "INTERNAL",
                "strata.sasl.mechanisms", MECHANISM,
                "strata.sasl.bootstrap-users", "alice:alice-secret",
                "strata.sasl.failed-authentication-delay-ms", "0");
        int partitions = 3;
        try (TestCluster cluster = TestCluster.start(dir, 3, config)) {
            // The first listener, EXTERNAL, is what the brokers' bootstrap servers stand for.
            Map<String, Object> external = client(cluster.bootstrapServers(), sasl("SASL_PLAINTEXT", "alice-secret"),
                    Map.of());
            try (Admin admin = Admin.create(external)) {
                admin.createTopics(List.of(new NewTopic("ledger", partitions, (short) 3)
                        .configs(Map.of("min.insync.replicas", "3")))).all().get(30, TimeUnit.SECONDS);
                assertThat(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS))
                        .extracting(node -> node.host() + ":" + node.port())
                        .containsExactlyInAnyOrderElementsOf(cluster.brokers().stream()
                                .map(broker -> broker.broker().bootstrapServers("EXTERNAL")).toList());
            }
            cluster.awaitMetadataOf("ledger");

            Map<String, Object> producerConfig = new HashMap<>(external);
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            producerConfig.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(withSerializers(producerConfig))) {
                // Every replica must acknowledge: a follower that could not fetch would fail the produce.
                for (int p = 0; p < partitions; p++) {
                    byte[] value = ("entry-" + p).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>("ledger", p, null, value)).get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(consume(external, "ledger", "auditors", partitions)).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, partitions).mapToObj(p -> "entry-" + p).toList());

            // With every client gone, only the followers' fetches stay connected: to their leaders' INTERNAL listener.
            Set<Integer> leaders = IntStream.range(0, partitions).map(p -> cluster.broker(1).broker().metadataImage()
                    .topic("ledger").orElseThrow().partition(p).leader()).boxed().collect(Collectors.toSet());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (TestBroker broker : cluster.brokers()) {
                    assertThat(broker.broker().kafkaConnections("EXTERNAL"))
                            .as("client connections to broker %s", broker.broker().identity().nodeId()).isZero();
                }
                for (int leader : leaders) {
                    assertThat(cluster.broker(leader).broker().kafkaConnections("INTERNAL"))
                            .as("followers' connections to leader %s", leader).isPositive();
                }
            });
        }
    }

    private static Map<String, Object> withSerializers(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(config);
        all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return all;
    }

    private static Map<String, Object> withDeserializers(Map<String, Object> config) {
        Map<String, Object> all = new HashMap<>(config);
        all.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        all.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return all;
    }
}
