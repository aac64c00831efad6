package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCertificates;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Kafka listener over TLS, with kafka-clients' producer, consumer and admin client: one broker
 * without client certificates and one that requires them (mTLS). Records fetched from segment files
 * go through TLS intact, clients that do not speak TLS or lack a trusted certificate are refused
 * without harming the broker, and a certificate replaced on disk is served to new connections.
 */
class TlsTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static TestCertificates.Issued authority;
    static Path cert;
    static Path key;
    static TestBroker broker;
    static TestBroker mutual;

    @BeforeAll
    static void start() throws Exception {
        authority = TestCertificates.authority("Strata test CA");
        cert = dir.resolve("server.pem");
        key = dir.resolve("server.key");
        authority.issueServer("broker").write(cert, key);
        Path ca = Files.writeString(dir.resolve("ca.pem"), authority.certificatePem());
        Map<String, String> tls = Map.of("strata.kafka.security-protocol", "SSL",
                "strata.kafka.tls.cert-file", cert.toString(), "strata.kafka.tls.key-file", key.toString());
        broker = TestBroker.start(dir.resolve("tls"), tls);
        Map<String, String> mutualTls = new HashMap<>(tls);
        mutualTls.put("strata.kafka.tls.ca-file", ca.toString());
        mutualTls.put("strata.kafka.tls.client-auth", "required");
        mutual = TestBroker.start(dir.resolve("mtls"), mutualTls);
    }

    @AfterAll
    static void stop() {
        if (mutual != null) {
            mutual.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Client settings for TLS that trusts the test CA and presents {@code client}'s certificate, if any. */
    private static Map<String, Object> ssl(TestCertificates.Issued client) {
        Map<String, Object> config = new HashMap<>(Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL",
                SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM",
                SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, authority.certificatePem()));
        if (client != null) {
            config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            config.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, client.certificatePem());
            config.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, client.keyPem());
        }
        return config;
    }

    private static Admin admin(TestBroker target, Map<String, Object> security) {
        Map<String, Object> config = new HashMap<>(security);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return target.admin(config);
    }

    /** The cluster id as {@code security} lets a client ask for it, failing within {@link #BOUND}. */
    private static String clusterId(TestBroker target, Map<String, Object> security) throws Exception {
        try (Admin admin = admin(target, security)) {
            return admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).clusterId()
                    .get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void createTopic(TestBroker target, Map<String, Object> security, String topic) throws Exception {
        try (Admin admin = admin(target, security)) {
            // Small segments, so a fetch spans several segment files.
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("segment.bytes", "1048576"))))
                    .all().get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Produces {@code values} to partition 0 of {@code topic} and reads them back with one consumer. */
    private static List<byte[]> roundTrip(TestBroker target, Map<String, Object> security, String topic,
                                          List<byte[]> values) throws Exception {
        createTopic(target, security, topic);
        Map<String, Object> producerConfig = new HashMap<>(security);
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 << 20);
        try (KafkaProducer<byte[], byte[]> producer = target.producer(producerConfig)) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, 0, null, value));
            }
            producer.flush();
        }
        Map<String, Object> consumerConfig = new HashMap<>(security);
        // One fetch may answer with several MiB, all of it read from segment files.
        consumerConfig.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        consumerConfig.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        return target.readAll(consumerConfig, List.of(new TopicPartition(topic, 0)), values.size(), BOUND).stream()
                .map(ConsumerRecord::value).toList();
    }

    @Test
    void severalMegabytesFromSegmentFilesArriveIntactOverTls() throws Exception {
        Random random = new Random(42);
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] value = new byte[100_000 + i];
            random.nextBytes(value);
            values.add(value);
        }

        List<byte[]> read = roundTrip(broker, ssl(null), "tls-records", values);

        assertThat(read).hasSameSizeAs(values);
        for (int i = 0; i < values.size(); i++) {
            assertThat(read.get(i)).as("record %d", i).isEqualTo(values.get(i));
        }
    }

    @Test
    void aPlaintextClientIsRefusedAndTheBrokerServesTheNextClient() throws Exception {
        assertThatThrownBy(() -> clusterId(broker, Map.of()))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);

        assertThat(clusterId(broker, ssl(null))).isNotBlank();
    }

    @Test
    void bytesThatAreNotTlsCloseTheConnection() throws Exception {
        byte[] notTls = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        // A TLS handshake record header, then bytes that are no handshake.
        byte[] brokenHandshake = new byte[5 + 64];
        new Random(7).nextBytes(brokenHandshake);
        brokenHandshake[0] = 0x16;
        brokenHandshake[1] = 0x03;
        brokenHandshake[2] = 0x03;
        brokenHandshake[3] = 0;
        brokenHandshake[4] = 64;

        for (byte[] garbage : List.of(notTls, brokenHandshake)) {
            assertThat(closedAfter(garbage)).isTrue();
        }
        assertThat(clusterId(broker, ssl(null))).isNotBlank();
    }

    /** Whether the broker closes the connection after {@code bytes}, within the socket timeout. */
    private static boolean closedAfter(byte[] bytes) throws Exception {
        InetSocketAddress address = broker.broker().kafkaAddress();
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1024];
            try {
                // A TLS alert may come before the end of the stream.
                while (in.read(buffer) >= 0) {
                    continue;
                }
            } catch (SocketException reset) {
                return true;
            }
            return true;
        }
    }

    @Test
    void aCertificateReplacedOnDiskIsServedToNewConnectionsWithoutARestart() throws Exception {
        BigInteger before = servedSerial();
        TestCertificates.Issued renewed = authority.issueServer("broker");
        assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(before);

        renewed.write(cert, key);

        assertThat(servedSerial()).isEqualTo(renewed.certificate().getSerialNumber());
        assertThat(clusterId(broker, ssl(null))).isNotBlank();
    }

    /** The serial of the certificate a new connection to the broker is shown. */
    private static BigInteger servedSerial() throws Exception {
        InetSocketAddress address = broker.broker().kafkaAddress();
        try (SSLSocket socket = (SSLSocket) TestCertificates.clientContext(authority, null).getSocketFactory()
                .createSocket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    @Test
    void withClientCertificatesRequiredAClientWithOneFromTheCaIsServed() throws Exception {
        List<byte[]> values = List.of("one".getBytes(StandardCharsets.UTF_8), "two".getBytes(StandardCharsets.UTF_8));

        List<byte[]> read = roundTrip(mutual, ssl(authority.issueClient("CN=alice,O=Strata")), "mtls-records", values);

        assertThat(read).containsExactlyElementsOf(values);
    }

    @Test
    void withClientCertificatesRequiredClientsWithoutOneOrWithOneOfAnotherCaAreRefused() {
        TestCertificates.Issued stranger = TestCertificates.authority("Other CA").issueClient("CN=mallory");
        for (Map<String, Object> security : List.of(ssl(null), ssl(stranger))) {
            assertThatThrownBy(() -> clusterId(mutual, security)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfAny(SslAuthenticationException.class, TimeoutException.class);
        }
    }
}
