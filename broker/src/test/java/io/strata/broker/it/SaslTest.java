package io.strata.broker.it;

import io.strata.broker.testing.ChildJvm;
import io.strata.broker.testing.Kcat;
import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCertificates;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.UnacceptableCredentialException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SASL on the Kafka listener, end to end with real clients: SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN checked against
 * the credentials in the replicated metadata, the first administrator from the bootstrap users, users managed with
 * the Admin API and {@code kafka-configs}, refusals, the handshake bound and re-authentication.
 */
class SaslTest {

    private static final String ADMIN_PASSWORD = "admin-secret";

    private static Map<String, String> saslBroker(Map<String, String> more) {
        Map<String, String> config = new HashMap<>(Map.of(
                "strata.kafka.security-protocol", "SASL_PLAINTEXT",
                "strata.sasl.mechanisms", "SCRAM-SHA-512,SCRAM-SHA-256,PLAIN",
                "strata.sasl.bootstrap-users", "admin:" + ADMIN_PASSWORD,
                "strata.inter-broker.username", "admin",
                "strata.inter-broker.password", ADMIN_PASSWORD,
                "strata.sasl.failed-authentication-delay-ms", "0"));
        config.putAll(more);
        return config;
    }

    private static Map<String, Object> login(String mechanism, String user, String password) {
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, mechanism,
                SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + user + "\" password=\"" + password + "\";",
                CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    }

    private static Admin admin(TestBroker broker, Map<String, Object> login) {
        Map<String, Object> config = new HashMap<>(login);
        config.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        config.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return broker.admin(config);
    }

    private static void produceAndConsume(TestBroker broker, Map<String, Object> login, String topic) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(login)) {
            producer.send(new ProducerRecord<>(topic, "k".getBytes(), ("via " + login.get(SaslConfigs.SASL_MECHANISM))
                    .getBytes())).get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(login, List.of(new TopicPartition(topic, 0)), 1,
                Duration.ofSeconds(30));
        assertThat(records).extracting(record -> new String(record.value()))
                .containsExactly("via " + login.get(SaslConfigs.SASL_MECHANISM));
    }

    @Test
    void everyMechanismAuthenticatesTheBootstrapAdministrator(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, saslBroker(Map.of()))) {
            for (String mechanism : List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")) {
                String topic = "orders-" + mechanism.toLowerCase().replace('-', '_');
                try (Admin admin = admin(broker, login(mechanism, "admin", ADMIN_PASSWORD))) {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
                            .all().get(30, TimeUnit.SECONDS);
                }
                produceAndConsume(broker, login(mechanism, "admin", ADMIN_PASSWORD), topic);
            }
        }
    }

    @Test
    void aWrongPasswordAnUnknownUserAndAnUnservedMechanismAreRefused(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, saslBroker(Map.of("strata.sasl.mechanisms", "SCRAM-SHA-512,PLAIN")))) {
            for (Map<String, Object> login : List.of(login("SCRAM-SHA-512", "admin", "guess"),
                    login("PLAIN", "admin", "guess"), login("SCRAM-SHA-512", "mallory", ADMIN_PASSWORD))) {
                try (Admin admin = admin(broker, login)) {
                    assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class).cause()
                            .isInstanceOf(SaslAuthenticationException.class);
                }
            }
            try (Admin admin = admin(broker, login("SCRAM-SHA-256", "admin", ADMIN_PASSWORD))) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause()
                        .hasMessageContaining("SCRAM-SHA-256");
            }
        }
    }

    @Test
    void usersAreManagedWithTheAdminApiAndKafkaConfigs(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, saslBroker(Map.of()));
             Admin admin = admin(broker, login("SCRAM-SHA-512", "admin", ADMIN_PASSWORD))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "bob-secret"))).all().get(30, TimeUnit.SECONDS);
            try (Admin bob = admin(broker, login("SCRAM-SHA-256", "bob", "bob-secret"))) {
                assertThat(bob.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            Map<String, UserScramCredentialsDescription> users = admin.describeUserScramCredentials().all()
                    .get(30, TimeUnit.SECONDS);
            assertThat(users.keySet()).containsExactlyInAnyOrder("admin", "bob");
            assertThat(users.get("admin").credentialInfos()).extracting(ScramCredentialInfo::mechanism)
                    .containsExactlyInAnyOrder(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512);
            assertThat(users.get("bob").credentialInfos()).containsExactly(
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192));

            assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("nobody")).description("nobody")
                    .get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ResourceNotFoundException.class);
            assertThatThrownBy(() -> admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("carol",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 100), "c"))).all().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(UnacceptableCredentialException.class);
            assertThat(admin.describeUserScramCredentials().users().get(30, TimeUnit.SECONDS))
                    .as("a refused alteration changes nothing").containsExactlyInAnyOrder("admin", "bob");

            admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("bob", ScramMechanism.SCRAM_SHA_256)))
                    .all().get(30, TimeUnit.SECONDS);
            try (Admin bob = admin(broker, login("SCRAM-SHA-256", "bob", "bob-secret"))) {
                assertThatThrownBy(() -> bob.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                        .cause().isInstanceOf(SaslAuthenticationException.class);
            }

            // kafka-configs, as the README shows it, with the administrator's client configuration file.
            Path adminConfig = Files.writeString(dir.resolve("admin.properties"), String.join("\n",
                    "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=SCRAM-SHA-512",
                    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                            + "username=\"admin\" password=\"" + ADMIN_PASSWORD + "\";", ""));
            ChildJvm.kafkaTool("kafka.admin.ConfigCommand", broker.bootstrapServers(), 60,
                    "--command-config", adminConfig.toString(), "--alter", "--entity-type", "users", "--entity-name", "carol",
                    "--add-config", "SCRAM-SHA-512=[iterations=4096,password=carol-secret]");
            assertThat(admin.describeUserScramCredentials(List.of("carol")).description("carol")
                    .get(30, TimeUnit.SECONDS).credentialInfos())
                    .containsExactly(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096));
            admin.createTopics(List.of(new NewTopic("carol-topic", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            produceAndConsume(broker, login("SCRAM-SHA-512", "carol", "carol-secret"), "carol-topic");
        }
    }

    @Test
    void aConnectionMustAuthenticateBeforeAnythingElseAndWithinTheHandshakeTimeout(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, saslBroker(Map.of("strata.sasl.handshake-timeout", "1s")))) {
            InetSocketAddress address = broker.broker().kafkaAddress();
            try (KafkaWire wire = new KafkaWire(address)) {
                wire.socket().setSoTimeout(10_000);
                wire.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData());
                assertThatThrownBy(() -> wire.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData()))
                        .as("a Metadata request before authenticating closes the connection")
                        .isInstanceOf(IOException.class);
            }
            try (KafkaWire large = new KafkaWire(address)) {
                large.socket().setSoTimeout(10_000);
                // A 1 MiB frame before authenticating: refused by its size prefix, before it is buffered.
                large.writeRaw(new byte[] {0, 0x10, 0, 0, 0, 0x12, 0, 1});
                assertThat(large.socket().getInputStream().read()).as("closed by the broker").isEqualTo(-1);
            }
            try (KafkaWire idle = new KafkaWire(address)) {
                idle.socket().setSoTimeout(10_000);
                long start = System.nanoTime();
                assertThat(idle.socket().getInputStream().read()).as("closed by the broker").isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            }
            // An authenticated connection is not closed by the bound.
            try (KafkaWire wire = new KafkaWire(address)) {
                wire.socket().setSoTimeout(10_000);
                wire.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("PLAIN"));
                SaslAuthenticateResponseData authenticated = ((SaslAuthenticateResponse) wire.send(ApiKeys.SASL_AUTHENTICATE,
                        (short) 2, new SaslAuthenticateRequestData().setAuthBytes(
                                ("\u0000admin\u0000" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8)))).data();
                assertThat(authenticated.errorCode()).isZero();
                Thread.sleep(1_500);
                assertThat(wire.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData())).isNotNull();
            }
        }
    }

    @Test
    void clientsReauthenticateOnTheirConnectionWithinTheSessionLifetime(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, saslBroker(Map.of("strata.sasl.connections-max-reauth-ms", "1500")))) {
            Map<String, Object> login = login("SCRAM-SHA-512", "admin", ADMIN_PASSWORD);
            try (Admin admin = admin(broker, login)) {
                admin.createTopics(List.of(new NewTopic("reauth", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(login)) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
                int sent = 0;
                while (System.nanoTime() < deadline) {
                    producer.send(new ProducerRecord<>("reauth", ("r" + sent++).getBytes())).get(30, TimeUnit.SECONDS);
                    Thread.sleep(100);
                }
                assertThat(sent).isGreaterThan(10);
            }
        }
    }

    /** librdkafka 2.0.2 (Debian 12's kcat) sends the older SCRAM client-final nonce, which is accepted by default. */
    @Test
    void kcatAuthenticatesWithScram(@TempDir Path dir) throws Exception {
        Kcat.assumeInstalled();
        try (TestBroker broker = TestBroker.start(dir, saslBroker(Map.of()))) {
            String[] login = {"-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanism=SCRAM-SHA-512",
                    "-X", "sasl.username=admin", "-X", "sasl.password=" + ADMIN_PASSWORD};
            try (Admin admin = admin(broker, login("SCRAM-SHA-512", "admin", ADMIN_PASSWORD))) {
                admin.createTopics(List.of(new NewTopic("kcat", 1, (short) 1)))
                        .all().get(30, TimeUnit.SECONDS);
            }
            Kcat.run(broker.bootstrapServers(), "one\ntwo\n", concat(login, "-P", "-t", "kcat", "-p", "0"));
            String consumed = Kcat.run(broker.bootstrapServers(), null, concat(login, "-C", "-t", "kcat", "-o",
                    "beginning", "-e", "-q"));
            assertThat(consumed.lines()).containsExactly("one", "two");
        }
    }

    @Test
    void scramOverTlsServesTheJavaClientAndKcat(@TempDir Path dir) throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Strata SASL_SSL test CA");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        authority.issueServer("broker").write(cert, key);
        Path ca = Files.writeString(dir.resolve("ca.pem"), authority.certificatePem());
        try (TestBroker broker = TestBroker.start(dir.resolve("data"), saslBroker(Map.of(
                "strata.kafka.security-protocol", "SASL_SSL",
                "strata.kafka.tls.cert-file", cert.toString(), "strata.kafka.tls.key-file", key.toString())))) {
            Map<String, Object> login = new HashMap<>(login("SCRAM-SHA-512", "admin", ADMIN_PASSWORD));
            login.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
            login.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            login.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, authority.certificatePem());
            try (Admin admin = admin(broker, login)) {
                admin.createTopics(List.of(new NewTopic("secured", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            produceAndConsume(broker, login, "secured");

            Kcat.assumeInstalled();
            String[] kcatLogin = {"-X", "security.protocol=SASL_SSL", "-X", "ssl.ca.location=" + ca,
                    "-X", "sasl.mechanism=SCRAM-SHA-512", "-X", "sasl.username=admin", "-X", "sasl.password=" + ADMIN_PASSWORD};
            String consumed = Kcat.run(broker.bootstrapServers(), null, concat(kcatLogin, "-C", "-t", "secured", "-o",
                    "beginning", "-e", "-q"));
            assertThat(consumed.lines()).containsExactly("via SCRAM-SHA-512");
        }
    }

    private static String[] concat(String[] first, String... second) {
        String[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
