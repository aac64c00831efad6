package io.strata.broker.server;

import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.strata.broker.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Every kind of setting is checked before start-up, and the problem is told in one line naming the setting. */
class ConfigurationCheckTest {

    private static Optional<String> check(Map<String, String> environment) {
        return ConfigurationCheck.problem(() -> ConfigUtils.configBuilder().withSources(new EnvConfigSource(environment, 500)));
    }

    @Test
    void theDefaultsPass() {
        assertThat(check(Map.of())).isEmpty();
    }

    @Test
    void valuesOfTheWrongTypeAreNamedWithWhatIsAllowed() {
        assertThat(check(Map.of("STRATA_TOPICS_DEFAULT_PARTITIONS", "many"))).contains(
                "strata.topics.default-partitions (STRATA_TOPICS_DEFAULT_PARTITIONS) is \"many\"; it must be a whole number");
        assertThat(check(Map.of("STRATA_LOG_CLEANER_INTERVAL", "soon"))).contains(
                "strata.log.cleaner-interval (STRATA_LOG_CLEANER_INTERVAL) is \"soon\"; it must be a duration such as "
                        + "500ms, 30s, 5m or 1h");
        assertThat(check(Map.of("STRATA_ADVERTISED_PORT", "ninety"))).contains(
                "strata.advertised.port (STRATA_ADVERTISED_PORT) is \"ninety\"; it must be a whole number");
    }

    @Test
    void everyBadValueIsReportedAtOnce() {
        assertThat(check(Map.of("STRATA_KAFKA_PORT", "abc", "STRATA_RAFT_PORT", "xyz")).orElseThrow())
                .contains("STRATA_KAFKA_PORT").contains("STRATA_RAFT_PORT").doesNotContain("\n");
    }

    @Test
    void valuesOutOfRangeAreNamed() {
        assertThat(check(Map.of("STRATA_TIERING_INDEX_CACHE_SIZE", "0"))).contains(
                "strata.tiering.index-cache-size (STRATA_TIERING_INDEX_CACHE_SIZE) is 0; allowed values are 1 to "
                        + Long.MAX_VALUE);
        assertThat(check(Map.of("STRATA_METRICS_LAG_REFRESH_INTERVAL", "0s"))).contains(
                "strata.metrics.lag-refresh-interval (STRATA_METRICS_LAG_REFRESH_INTERVAL) is PT0S; it must be positive");
    }

    @Test
    void aMisspeltBooleanIsRefusedRatherThanReadAsFalse() {
        assertThat(check(Map.of("STRATA_HTTP_AUTH_ENABLED", "ture"))).contains(
                "strata.http.auth.enabled (STRATA_HTTP_AUTH_ENABLED) is \"ture\"; it must be true or false");
        assertThat(check(Map.of("STRATA_TOPICS_AUTO_CREATE", "yes"))).contains(
                "strata.topics.auto-create (STRATA_TOPICS_AUTO_CREATE) is \"yes\"; it must be true or false");
        assertThat(check(Map.of("STRATA_TOPICS_AUTO_CREATE", "FALSE", "STRATA_LOG_FSYNC_BEFORE_ACK", "True"))).isEmpty();
    }

    @Test
    void problemsOnlyTheFrameworkFindsAreToldInOneLine() {
        Optional<String> problem = ConfigurationCheck.problem(() -> ConfigUtils.configBuilder().withSources(
                new PropertiesConfigSource(Map.of("strata.kafka.prot", "9092", "strata.raft.prot", "9093"), "test", 500)));
        assertThat(problem.orElseThrow()).contains("strata.kafka.prot").contains("strata.raft.prot").doesNotContain("\n");
    }

    @Test
    void settingsThatWouldOnlyFailWhenTheBrokerStartsAreRefusedBeforeIt() {
        assertThat(check(Map.of("STRATA_TIERING_URL", "gs://bucket/prefix")).orElseThrow())
                .startsWith("strata.tiering.url (STRATA_TIERING_URL): ").doesNotContain("\n");
        assertThat(check(Map.of("STRATA_NODE_ID", "-1")).orElseThrow()).startsWith("strata.node-id (STRATA_NODE_ID)");
        assertThat(check(Map.of("STRATA_RAFT_PEERS", "1@broker-1:7800")).orElseThrow())
                .startsWith("strata.raft.peers (STRATA_RAFT_PEERS)");
        assertThat(check(Map.of("STRATA_RAFT_SECRET", "short"))).contains(
                "strata.raft.secret (STRATA_RAFT_SECRET): the Raft secret is shorter than 16 characters");
        assertThat(check(Map.of("STRATA_KAFKA_IO_THREADS", "-1")).orElseThrow())
                .startsWith("strata.kafka.io-threads (STRATA_KAFKA_IO_THREADS)");
        assertThat(check(Map.of("STRATA_TIERING_S3_CALL_TIMEOUT", "PT0.0005S")).orElseThrow())
                .startsWith("strata.tiering.s3-call-timeout (STRATA_TIERING_S3_CALL_TIMEOUT)");
    }

    @Test
    void httpAuthenticationNeedsItsUserUnlessTheSaslUsersSignIn() {
        assertThat(check(Map.of("STRATA_HTTP_AUTH_ENABLED", "true"))).contains(
                "strata.http.auth.enabled (STRATA_HTTP_AUTH_ENABLED) is true but strata.http.auth.username "
                        + "(STRATA_HTTP_AUTH_USERNAME) or strata.http.auth.password (STRATA_HTTP_AUTH_PASSWORD) is not set");
        Map<String, String> sasl = Map.of("STRATA_HTTP_AUTH_ENABLED", "true", "STRATA_KAFKA_SECURITY_PROTOCOL",
                "SASL_PLAINTEXT", "STRATA_INTER_BROKER_USERNAME", "broker", "STRATA_INTER_BROKER_PASSWORD", "secret");
        assertThat(check(sasl)).isEmpty();
        Map<String, String> both = new HashMap<>(sasl);
        both.put("STRATA_HTTP_AUTH_USERNAME", "operator");
        both.put("STRATA_HTTP_AUTH_PASSWORD", "secret");
        assertThat(check(both)).isEmpty();
        Map<String, String> half = new HashMap<>(sasl);
        half.put("STRATA_HTTP_AUTH_USERNAME", "operator");
        assertThat(check(half)).contains("strata.http.auth.username (STRATA_HTTP_AUTH_USERNAME) or "
                + "strata.http.auth.password (STRATA_HTTP_AUTH_PASSWORD) is set without the other; set both for one "
                + "more user besides the SASL users, or neither");
    }

    @Test
    void theSaslUsersSignInToHttpWhenAnyListenerUsesSasl() {
        Map<String, String> listeners = Map.of("STRATA_HTTP_AUTH_ENABLED", "true",
                "STRATA_KAFKA_LISTENERS", "INTERNAL://:0,EXTERNAL://:0",
                "STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT");
        assertThat(check(listeners)).isEmpty();
        Map<String, String> plaintext = new HashMap<>(listeners);
        plaintext.put("STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT");
        assertThat(check(plaintext).orElseThrow()).startsWith("strata.http.auth.enabled (STRATA_HTTP_AUTH_ENABLED) is "
                + "true but strata.http.auth.username");
    }

    @Test
    void aValueOfAChoiceIsToldWithTheChoices() {
        assertThat(check(Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "TLS"))).contains(
                "strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) is \"TLS\"; it must be one of "
                        + "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        assertThat(check(Map.of("STRATA_KAFKA_TLS_CLIENT_AUTH", "maybe"))).contains(
                "strata.kafka.tls.client-auth (STRATA_KAFKA_TLS_CLIENT_AUTH) is \"maybe\"; it must be one of "
                        + "NONE, REQUESTED, REQUIRED");
    }

    @Test
    void tlsNeedsItsFiles(@TempDir Path dir) throws Exception {
        assertThat(check(Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "SSL"))).contains(
                "strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) is SSL but "
                        + "strata.kafka.tls.cert-file (STRATA_KAFKA_TLS_CERT_FILE) is not set");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        TestCertificates.authority("Test CA").issueServer("broker").write(cert, key);
        Map<String, String> tls = Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "ssl",
                "STRATA_KAFKA_TLS_CERT_FILE", cert.toString(), "STRATA_KAFKA_TLS_KEY_FILE", key.toString());
        assertThat(check(tls)).isEmpty();
        Map<String, String> mutual = new HashMap<>(tls);
        mutual.put("STRATA_KAFKA_TLS_CLIENT_AUTH", "required");
        assertThat(check(mutual).orElseThrow()).startsWith(
                "strata.kafka.tls.client-auth (STRATA_KAFKA_TLS_CLIENT_AUTH) is REQUIRED but strata.kafka.tls.ca-file");
        // TLS settings of a listener without TLS are not read.
        assertThat(check(Map.of("STRATA_KAFKA_TLS_CERT_FILE", "/nowhere.pem"))).isEmpty();
        assertThat(check(Map.of("STRATA_KAFKA_LISTENERS", "INTERNAL://:0,EXTERNAL://:0",
                "STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,EXTERNAL:SSL"))).contains(
                "listener EXTERNAL is SSL by strata.kafka.listener-security-protocol-map "
                        + "(STRATA_KAFKA_LISTENER_SECURITY_PROTOCOL_MAP) but strata.kafka.tls.cert-file "
                        + "(STRATA_KAFKA_TLS_CERT_FILE) is not set");
    }

    @Test
    void aSaslListenerNeedsTheBrokersOwnCredentials() {
        assertThat(check(Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")).orElseThrow())
                .contains("STRATA_INTER_BROKER_USERNAME").contains("STRATA_INTER_BROKER_PASSWORD").doesNotContain("\n");
        assertThat(check(Map.of("STRATA_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "STRATA_INTER_BROKER_USERNAME", "broker", "STRATA_INTER_BROKER_PASSWORD", "broker-secret"))).isEmpty();
    }
}
