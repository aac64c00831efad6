package io.strata.broker.protocol;

import io.strata.broker.server.BrokerSettings;
import io.strata.broker.testing.TestCertificates;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The inter-broker settings follow the listener: a SASL listener needs the broker's user, named in one line when
 * missing, and its mechanism defaults to the first enabled one; TLS trusts the listener's CA or certificate and
 * presents the listener's certificate where client certificates are asked for; and the kafka-clients configuration
 * made of them builds a client.
 */
class InterBrokerSettingsTest {

    @TempDir
    Path dir;

    private InterBrokerSettings settings(Map<String, String> config) {
        return BrokerSettings.of(dir, config).interBroker();
    }

    private static Map<String, String> sasl(Map<String, String> more) {
        Map<String, String> config = new HashMap<>(Map.of("strata.kafka.security-protocol", "SASL_PLAINTEXT",
                "strata.sasl.mechanisms", "PLAIN,SCRAM-SHA-512", "strata.inter-broker.username", "broker"));
        config.putAll(more);
        return config;
    }

    @Test
    void aPlaintextListenerNeedsNothing() {
        assertThat(settings(Map.of())).isEqualTo(InterBrokerSettings.PLAINTEXT);
        assertThat(new InterBrokerClients(InterBrokerSettings.PLAINTEXT).channelConfig()).isEmpty();
    }

    @Test
    void aSaslListenerNeedsTheBrokersUserAndPassword() {
        assertThatThrownBy(() -> settings(sasl(Map.of()))).hasMessage(
                "strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) is SASL_PLAINTEXT, so the brokers "
                        + "authenticate to each other: set strata.inter-broker.username (STRATA_INTER_BROKER_USERNAME) "
                        + "and strata.inter-broker.password (STRATA_INTER_BROKER_PASSWORD) (or "
                        + "strata.inter-broker.password-file (STRATA_INTER_BROKER_PASSWORD_FILE)) to a user every broker "
                        + "shares");
        assertThatThrownBy(() -> settings(sasl(Map.of("strata.inter-broker.password", "secret",
                "strata.inter-broker.password-file", "/run/secrets/broker")))).hasMessageContaining("both set");
    }

    /** EXTERNAL authenticates clients with SASL over TLS, INTERNAL is plaintext, and {@code more}. */
    private Map<String, String> twoListeners(Map<String, String> more) throws Exception {
        TestCertificates.ServerFiles files = TestCertificates.authority("Listeners CA").writeServerFiles(dir);
        Map<String, String> config = new HashMap<>(Map.of("strata.kafka.listeners", "EXTERNAL://:0,INTERNAL://:0",
                "strata.kafka.listener-security-protocol-map", "EXTERNAL:SASL_SSL,INTERNAL:PLAINTEXT",
                "strata.kafka.tls.cert-file", files.cert().toString(),
                "strata.kafka.tls.key-file", files.key().toString()));
        config.putAll(more);
        return config;
    }

    @Test
    void brokersReachingEachOtherOnAPlaintextListenerNeedNothingOfTheSecuredOnes() throws Exception {
        assertThat(settings(twoListeners(Map.of("strata.kafka.inter-broker-listener-name", "INTERNAL"))))
                .isEqualTo(new InterBrokerSettings("INTERNAL", SecurityProtocol.PLAINTEXT, Optional.empty(),
                        Optional.empty()));
    }

    @Test
    void brokersReachingEachOtherOnASecuredListenerLogInAndCheckItsCertificate() throws Exception {
        assertThatThrownBy(() -> settings(twoListeners(Map.of()))).hasMessageStartingWith(
                "listener EXTERNAL, the inter-broker one, is SASL_SSL by strata.kafka.listener-security-protocol-map "
                        + "(STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP), so the brokers authenticate to each other: "
                        + "set strata.inter-broker.username (STRATA_INTER_BROKER_USERNAME)");

        InterBrokerSettings settings = settings(twoListeners(Map.of("strata.inter-broker.username", "broker",
                "strata.inter-broker.password", "secret")));
        assertThat(settings.listener()).isEqualTo("EXTERNAL");
        assertThat(settings.securityProtocol()).isEqualTo(SecurityProtocol.SASL_SSL);
        assertThat(settings.sasl()).isPresent();
        assertThat(settings.tls()).contains(new InterBrokerSettings.Tls(dir.resolve("broker.pem"), Optional.empty(),
                Optional.empty()));
    }

    @Test
    void theMechanismIsTheFirstEnabledOneUnlessNamedAndTheListenerMustEnableIt() throws Exception {
        Path file = Files.writeString(dir.resolve("password"), "from \"file\"\\\n");
        InterBrokerSettings settings = settings(sasl(Map.of("strata.inter-broker.password-file", file.toString())));
        assertThat(settings.sasl()).contains(new InterBrokerSettings.Sasl("PLAIN", "broker", "from \"file\"\\"));
        assertThat(settings.toString()).doesNotContain("file");
        assertThat(new InterBrokerClients(settings).channelConfig())
                .containsEntry(SaslConfigs.SASL_MECHANISM, "PLAIN")
                .containsEntry(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule "
                        + "required username=\"broker\" password=\"from \\\"file\\\"\\\\\";");

        assertThat(settings(sasl(Map.of("strata.inter-broker.password", "secret",
                "strata.inter-broker.sasl-mechanism", "SCRAM-SHA-512"))).sasl().orElseThrow().mechanism())
                .isEqualTo("SCRAM-SHA-512");
        assertThatThrownBy(() -> settings(sasl(Map.of("strata.inter-broker.password", "secret",
                "strata.inter-broker.sasl-mechanism", "SCRAM-SHA-256")))).hasMessage(
                "strata.inter-broker.sasl-mechanism (STRATA_INTER_BROKER_SASL_MECHANISM) is SCRAM-SHA-256, which "
                        + "strata.sasl.mechanisms (STRATA_SASL_MECHANISMS) does not enable: the listeners would refuse it");
    }

    @Test
    void tlsTrustsTheListenersCaOrCertificateAndPresentsTheListenersCertificateWhenAskedFor() throws Exception {
        TestCertificates.Issued authority = TestCertificates.authority("Inter-broker CA");
        TestCertificates.ServerFiles files = authority.writeServerFiles(dir);
        Path ca = Files.writeString(dir.resolve("ca.pem"), authority.certificatePem());
        Map<String, String> tls = new HashMap<>(Map.of("strata.kafka.security-protocol", "SSL",
                "strata.kafka.tls.cert-file", files.cert().toString(),
                "strata.kafka.tls.key-file", files.key().toString()));
        assertThat(settings(tls).tls())
                .contains(new InterBrokerSettings.Tls(files.cert(), Optional.empty(), Optional.empty()));

        tls.put("strata.kafka.tls.ca-file", ca.toString());
        tls.put("strata.kafka.tls.client-auth", "required");
        InterBrokerSettings mutual = settings(tls);
        assertThat(mutual.tls())
                .contains(new InterBrokerSettings.Tls(ca, Optional.of(files.cert()), Optional.of(files.key())));
        assertThat(new InterBrokerClients(mutual).channelConfig())
                .containsEntry(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca.toString())
                .containsEntry(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, Files.readString(files.cert()))
                .containsEntry(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, Files.readString(files.key()));
        try (Metrics metrics = new Metrics();
             NetworkClient client = new InterBrokerClients(mutual).networkClient("test", "test", Map.of(), metrics, 1,
                     Duration.ofSeconds(1), Duration.ofSeconds(1), false, Time.SYSTEM, new LogContext())) {
            assertThat(client.inFlightRequestCount()).isZero();
        }

        tls.put("strata.inter-broker.tls.cert-file", files.cert().toString());
        assertThatThrownBy(() -> settings(tls)).hasMessageContaining("strata.inter-broker.tls.key-file")
                .hasMessageContaining("set both or neither");
        assertThat(mutual.securityProtocol()).isEqualTo(SecurityProtocol.SSL);
    }
}
