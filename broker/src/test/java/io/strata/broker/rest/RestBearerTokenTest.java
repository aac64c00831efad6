package io.strata.broker.rest;

import com.nimbusds.jose.jwk.RSAKey;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.strata.broker.testing.AuditLines;
import io.strata.broker.testing.TestJwts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * With OAUTHBEARER on a Kafka listener and HTTP authentication on, the REST API takes the bearer tokens that listener
 * would take, the request acting as the token's subject under the same ACLs, and refuses, audited, a token signed by
 * another key or expired.
 */
@QuarkusTest
@TestProfile(RestBearerTokenTest.OAuthBearer.class)
class RestBearerTokenTest {

    /**
     * The identity provider's key, handed from the profile to the test through a file: Quarkus loads the profile and
     * the test in class loaders of their own, so a static field would hold two different keys.
     */
    private static final Path KEY_FILE = Path.of("target", "rest-bearer-token-key.json");

    public static class OAuthBearer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Path jwks;
            try {
                // Quarkus may ask more than once: every answer names the one key.
                if (!Files.exists(KEY_FILE)) {
                    Files.createDirectories(KEY_FILE.getParent());
                    Files.writeString(KEY_FILE, TestJwts.rsaKey("rest-idp-key").toJSONString());
                }
                jwks = Files.createTempFile("rest-jwks-", ".json");
                Files.writeString(jwks, TestJwts.jwks(key()));
            } catch (IOException | ParseException e) {
                throw new IllegalStateException(e);
            }
            jwks.toFile().deleteOnExit();
            return Map.ofEntries(
                    Map.entry("strata.kafka.security-protocol", "SASL_PLAINTEXT"),
                    Map.entry("strata.sasl.mechanisms", "OAUTHBEARER,SCRAM-SHA-512"),
                    Map.entry("strata.sasl.bootstrap-users", "admin:admin-secret"),
                    Map.entry("strata.inter-broker.username", "admin"),
                    Map.entry("strata.inter-broker.password", "admin-secret"),
                    Map.entry("strata.sasl.oauthbearer.jwks-file", jwks.toString()),
                    Map.entry("strata.sasl.oauthbearer.expected-issuer", TestJwts.ISSUER),
                    Map.entry("strata.sasl.oauthbearer.expected-audience", TestJwts.AUDIENCE),
                    Map.entry("strata.sasl.failed-authentication-delay-ms", "0"),
                    Map.entry("strata.authorizer.enabled", "true"),
                    Map.entry("strata.super-users", "User:admin"),
                    Map.entry("strata.http.auth.enabled", "true"));
        }
    }

    private static RSAKey key() throws IOException, ParseException {
        return RSAKey.parse(Files.readString(KEY_FILE));
    }

    private static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void aTokenTheListenerWouldTakeSignsInAsItsSubject() throws Exception {
        String alice = TestJwts.sign(key(), TestJwts.claims("alice", Duration.ofMinutes(5)).build());

        // Any signed-in user sees the cluster, as a Kafka client does through Metadata.
        bearer(alice).get("/v3/clusters").then().statusCode(200);
        // Creating a topic is CREATE on the cluster, which alice has not been granted.
        bearer(alice).contentType(ContentType.JSON).body(Map.of("topic_name", "alices"))
                .post("/v3/clusters/{c}/topics", bearer(alice).get("/v3/clusters").then().extract()
                        .path("data[0].cluster_id").toString())
                .then().statusCode(403).body("message", equalTo("User:alice is not authorized to CREATE topic alices."));
    }

    @Test
    void aTokenOfAnotherKeyOrExpiredIsRefusedAndAudited() throws Exception {
        try (AuditLines lines = AuditLines.capture()) {
            String forged = TestJwts.sign(TestJwts.rsaKey("rest-idp-key"), TestJwts.claims("mallory",
                    Duration.ofMinutes(5)).build());
            bearer(forged).get("/v3/clusters").then().statusCode(401).body("error_code", equalTo(401));
            String expired = TestJwts.sign(key(), TestJwts.claims("alice", Duration.ofMinutes(-10)).build());
            bearer(expired).get("/v3/clusters").then().statusCode(401);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines.matching(line ->
                    line.get("event").asText().equals("authentication-failed")
                            && line.get("mechanism").asText().equals("HTTP bearer"))).hasSize(2));
            assertThat(lines.raw()).noneMatch(line -> line.contains(forged) || line.contains(expired));
        }
    }
}
