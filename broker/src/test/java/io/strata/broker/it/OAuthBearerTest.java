package io.strata.broker.it;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestJwts;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.SaslExtensionsCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerTokenCallback;
import org.apache.kafka.common.security.oauthbearer.internals.secured.BasicOAuthBearerToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SASL/OAUTHBEARER end to end: Kafka's Java client logs in with a JWT signed by a key of the JWKS the broker reads,
 * produces and consumes as the token's subject, and is refused once the token has expired; the session the broker
 * grants ends when the token does.
 */
class OAuthBearerTest {

    private final RSAKey key = TestJwts.rsaKey("idp-key-1");

    @TempDir
    Path keys;

    private Map<String, String> oauthBroker(Map<String, String> more) throws IOException {
        Path jwks = Files.writeString(keys.resolve("jwks.json"), TestJwts.jwks(key));
        Map<String, String> config = new HashMap<>(Map.of(
                "strata.kafka.security-protocol", "SASL_PLAINTEXT",
                // Brokers authenticate to each other with a password: SCRAM for them, OAUTHBEARER for clients.
                "strata.sasl.mechanisms", "OAUTHBEARER,SCRAM-SHA-512",
                "strata.inter-broker.username", "broker",
                "strata.inter-broker.password", "broker-secret",
                "strata.sasl.oauthbearer.jwks-file", jwks.toString(),
                "strata.sasl.oauthbearer.expected-issuer", TestJwts.ISSUER,
                "strata.sasl.oauthbearer.expected-audience", TestJwts.AUDIENCE,
                "strata.sasl.failed-authentication-delay-ms", "0"));
        config.putAll(more);
        return config;
    }

    /** A client logging in with {@code token}, which {@link SignedTokenLogin} hands to Kafka's login module. */
    private static Map<String, Object> login(String token) {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "OAUTHBEARER",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"
                        + " required token=\"" + token + "\";",
                SaslConfigs.SASL_LOGIN_CALLBACK_HANDLER_CLASS, SignedTokenLogin.class.getName(),
                CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
    }

    @Test
    void aClientWithASignedTokenProducesAndConsumesAndAnExpiredTokenIsRefused(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, oauthBroker(Map.of()))) {
            Map<String, Object> alice = login(TestJwts.sign(key, TestJwts.claims("alice", Duration.ofMinutes(10)).build()));
            try (Admin admin = broker.admin(alice)) {
                admin.createTopics(List.of(new NewTopic("tokens", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(alice)) {
                producer.send(new ProducerRecord<>("tokens", "via OAUTHBEARER".getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(alice,
                    List.of(new TopicPartition("tokens", 0)), 1, Duration.ofSeconds(30));
            assertThat(records).extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                    .containsExactly("via OAUTHBEARER");

            String expired = TestJwts.sign(key, TestJwts.claims("alice", Duration.ofMinutes(-5)).build());
            try (Admin admin = broker.admin(login(expired))) {
                assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(SaslAuthenticationException.class).hasMessageContaining("expired");
            }
        }
    }

    @Test
    void theSessionEndsWhenTheTokenDoesAndARefusalComesAsTheRfc7628Error(@TempDir Path dir) throws Exception {
        Map<String, String> config = oauthBroker(Map.of("strata.sasl.connections-max-reauth-ms", "3600000"));
        try (TestBroker broker = TestBroker.start(dir, config);
             KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            wire.socket().setSoTimeout(10_000);
            SaslAuthenticateResponseData granted = bearer(wire,
                    TestJwts.sign(key, TestJwts.claims("alice", Duration.ofMinutes(2)).build()));
            assertThat(granted.errorCode()).isZero();
            assertThat(granted.sessionLifetimeMs()).as("the token's two minutes, not the hour of the bound")
                    .isBetween(Duration.ofMinutes(1).toMillis(), Duration.ofMinutes(2).toMillis());

            SaslAuthenticateResponseData challenge = bearer(wire,
                    TestJwts.sign(key, TestJwts.claims("alice", Duration.ofMinutes(-5)).build()));
            assertThat(challenge.errorCode()).isZero();
            assertThat(new String(challenge.authBytes(), StandardCharsets.UTF_8))
                    .startsWith("{\"status\":\"invalid_token: ").contains("expired");
            SaslAuthenticateResponseData refused = ((SaslAuthenticateResponse) wire.send(ApiKeys.SASL_AUTHENTICATE,
                    (short) 2, new SaslAuthenticateRequestData().setAuthBytes(new byte[] {1}))).data();
            assertThat(refused.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(refused.errorMessage()).contains("expired");
        }
    }

    /** Handshake and the client's first message of OAUTHBEARER (RFC 7628) with {@code token}. */
    private static SaslAuthenticateResponseData bearer(KafkaWire wire, String token) throws IOException {
        wire.send(ApiKeys.SASL_HANDSHAKE, (short) 1, new SaslHandshakeRequestData().setMechanism("OAUTHBEARER"));
        return ((SaslAuthenticateResponse) wire.send(ApiKeys.SASL_AUTHENTICATE, (short) 2,
                new SaslAuthenticateRequestData().setAuthBytes(("n,,\u0001auth=Bearer " + token + "\u0001\u0001")
                        .getBytes(StandardCharsets.UTF_8)))).data();
    }

    /**
     * The client's login callback handler: hands Kafka's OAUTHBEARER login module the JWT of the JAAS option
     * {@code token}, as one fetched from an identity provider, with its {@code sub} and {@code exp}.
     */
    public static final class SignedTokenLogin implements AuthenticateCallbackHandler {

        private String token;

        @Override
        public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
            token = (String) jaasConfigEntries.get(0).getOptions().get("token");
        }

        @Override
        public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
            for (Callback callback : callbacks) {
                if (callback instanceof OAuthBearerTokenCallback tokenCallback) {
                    JWTClaimsSet claims;
                    try {
                        claims = SignedJWT.parse(token).getJWTClaimsSet();
                    } catch (ParseException e) {
                        throw new IOException("the test's token does not parse", e);
                    }
                    tokenCallback.token(new BasicOAuthBearerToken(token, Set.of(),
                            claims.getExpirationTime().getTime(), claims.getSubject(), claims.getIssueTime().getTime()));
                } else if (!(callback instanceof SaslExtensionsCallback)) {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        }

        @Override
        public void close() {
        }
    }
}
