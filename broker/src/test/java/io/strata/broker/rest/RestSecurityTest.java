package io.strata.broker.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.strata.broker.server.BrokerLifecycle;
import io.strata.broker.testing.AuditLines;
import jakarta.inject.Inject;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

/**
 * With SASL on the Kafka listener, the authorizer and HTTP authentication on: the REST API signs in the cluster's
 * users with their SCRAM passwords, without a separately configured HTTP user, and asks for the ACLs a Kafka client
 * doing the same would need, granted with the Kafka Admin API.
 */
@QuarkusTest
@TestProfile(RestSecurityTest.SaslAndAcls.class)
class RestSecurityTest {

    public static class SaslAndAcls implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.kafka.security-protocol", "SASL_PLAINTEXT",
                    "strata.sasl.mechanisms", "PLAIN",
                    "strata.sasl.bootstrap-users", "admin:admin-secret,alice:alice-secret,carol:carol-secret",
                    "strata.inter-broker.username", "admin",
                    "strata.inter-broker.password", "admin-secret",
                    "strata.sasl.failed-authentication-delay-ms", "0",
                    "strata.authorizer.enabled", "true",
                    "strata.super-users", "User:admin",
                    "strata.http.auth.enabled", "true");
        }
    }

    @Inject
    BrokerLifecycle lifecycle;

    private String cluster;
    private Admin admin;

    @BeforeEach
    void connect() {
        cluster = lifecycle.broker().identity().clusterId();
        admin = Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, lifecycle.broker().bootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"admin\" password=\"admin-secret\";"));
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    private static RequestSpecification as(String user, String password) {
        return given().auth().preemptive().basic(user, password);
    }

    private static RequestSpecification asAlice() {
        return as("alice", "alice-secret");
    }

    private static RequestSpecification asAdmin() {
        return as("admin", "admin-secret");
    }

    private void grantAlice(ResourceType type, String name, AclOperation... operations) throws Exception {
        for (AclOperation operation : operations) {
            admin.createAcls(List.of(new AclBinding(new ResourcePattern(type, name, PatternType.LITERAL),
                    new AccessControlEntry("User:alice", "*", operation, AclPermissionType.ALLOW))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private void createTopic(String name) {
        asAdmin().contentType(ContentType.JSON).body(Map.of("topic_name", name, "partitions_count", 1))
                .post("/v3/clusters/{c}/topics", cluster).then().statusCode(201);
    }

    @Test
    void usersSignInWithTheirScramPasswords() {
        given().get("/v3/clusters").then().statusCode(401).body("error_code", equalTo(401));
        as("alice", "wrong").get("/v3/clusters").then().statusCode(401).body("error_code", equalTo(401));
        as("mallory", "alice-secret").get("/v3/clusters").then().statusCode(401);
        as("", "").get("/v3/clusters").then().statusCode(401);
        as("alice", "").get("/v3/clusters").then().statusCode(401);
        given().get("/console/").then().statusCode(401);

        asAdmin().get("/v3/clusters").then().statusCode(200).body("data[0].cluster_id", equalTo(cluster));
        // Any signed-in user sees the cluster and its brokers, as any Kafka client does through Metadata.
        asAlice().get("/v3/clusters").then().statusCode(200).body("data[0].cluster_id", equalTo(cluster));
    }

    @Test
    void aRestProduceNeedsWriteAsAKafkaProduceDoes() throws Exception {
        createTopic("ledger");
        createTopic("secret-plans");
        asAlice().get("/v3/clusters/{c}/topics", cluster).then().statusCode(200)
                .body("data.topic_name", not(hasItem("ledger")))
                .body("data.topic_name", not(hasItem("secret-plans")));
        String record = "{\"value\": {\"type\": \"STRING\", \"data\": \"from alice\"}}";
        asAlice().contentType(ContentType.JSON).body(record).post("/v3/clusters/{c}/topics/ledger/records", cluster)
                .then().statusCode(403)
                .body("kafka_error", equalTo("TOPIC_AUTHORIZATION_FAILED"))
                .body("message", equalTo("User:alice is not authorized to WRITE topic ledger."));

        grantAlice(ResourceType.TOPIC, "ledger", AclOperation.WRITE, AclOperation.DESCRIBE);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                asAlice().get("/v3/clusters/{c}/topics/ledger", cluster).then().statusCode(200));
        asAlice().contentType(ContentType.JSON).body(record).post("/v3/clusters/{c}/topics/ledger/records", cluster)
                .then().statusCode(200).body("offset", equalTo(0));
        asAlice().get("/v3/clusters/{c}/topics", cluster).then().statusCode(200)
                .body("data.topic_name", hasItem("ledger"))
                .body("data.topic_name", not(hasItem("secret-plans")));

        asAdmin().get("/v3/clusters/{c}/topics/ledger/partitions/0/records", cluster).then().statusCode(200)
                .body("data[0].value.data", equalTo("from alice"));
        // Writing is not reading, and reading on from a group's offsets needs READ on the group too.
        asAlice().get("/v3/clusters/{c}/topics/ledger/partitions/0/records", cluster).then().statusCode(403)
                .body("message", containsString("READ topic ledger"));
        grantAlice(ResourceType.TOPIC, "ledger", AclOperation.READ);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                asAlice().get("/v3/clusters/{c}/topics/ledger/partitions/0/records", cluster).then().statusCode(200)
                        .body("data[0].value.data", equalTo("from alice")));
        asAlice().get("/v3/clusters/{c}/topics/ledger/partitions/0/records?group=auditors", cluster).then()
                .statusCode(403).body("kafka_error", equalTo("GROUP_AUTHORIZATION_FAILED"));
    }

    @Test
    void aChangedPasswordIsCheckedAnew() throws Exception {
        as("carol", "carol-secret").get("/v3/clusters/{c}/topics", cluster).then().statusCode(200);

        admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_256),
                new UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_512))).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as("carol", "carol-secret").get("/v3/clusters/{c}/topics", cluster).then().statusCode(401));

        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("carol",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "carol-new"))).all().get(30, TimeUnit.SECONDS);
        // The first request with the new password is checked off the event loop; its body still arrives.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                as("carol", "carol-new").contentType(ContentType.JSON).body(Map.of("topic_name", "carols"))
                        .post("/v3/clusters/{c}/topics", cluster).then().statusCode(403)
                        .body("message", equalTo("User:carol is not authorized to CREATE topic carols.")));
        as("carol", "carol-secret").get("/v3/clusters/{c}/topics", cluster).then().statusCode(401);
    }

    @Test
    void restChangesDenialsAndFailedSignInsAreAuditedAsKafkaRequestsAre() {
        try (AuditLines lines = AuditLines.capture()) {
            as("alice", "wrong").get("/v3/clusters").then().statusCode(401);
            given().get("/v3/clusters").then().statusCode(401);
            createTopic("audited");
            asAdmin().contentType(ContentType.JSON).body(Map.of("value", "86400000"))
                    .put("/v3/clusters/{c}/topics/audited/configs/retention.ms", cluster).then().statusCode(204);
            asAlice().delete("/v3/clusters/{c}/topics/audited", cluster).then().statusCode(403);

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines.matching(line ->
                    line.get("event").asText().equals("authentication-failed"))).as("only the wrong password")
                    .singleElement().satisfies(line -> {
                        assertThat(line.get("request").asText()).isEqualTo("GET /v3/clusters");
                        assertThat(line.get("mechanism").asText()).isEqualTo("HTTP basic");
                    }));
            String topics = "/v3/clusters/" + cluster + "/topics";
            JsonNode created = lines.matching(line -> line.path("resourceType").asText().equals("TOPIC")
                    && line.get("event").asText().equals("change")).get(0);
            assertThat(created.get("request").asText()).isEqualTo("POST " + topics);
            assertThat(created.get("principal").asText()).isEqualTo("User:admin");
            assertThat(created.get("resource").asText()).isEqualTo("audited");
            assertThat(created.get("outcome").asText()).isEqualTo("NONE");
            JsonNode configured = lines.matching(line -> line.path("resourceType").asText().equals("TOPIC_CONFIG"))
                    .get(0);
            assertThat(configured.get("detail").asText()).isEqualTo("SET retention.ms");
            assertThat(lines.raw()).noneMatch(line -> line.contains("86400000"));
            JsonNode denied = lines.about("denied", "audited").get(0);
            assertThat(denied.get("request").asText()).isEqualTo("DELETE " + topics + "/audited");
            assertThat(denied.get("principal").asText()).isEqualTo("User:alice");
            assertThat(denied.get("operation").asText()).isEqualTo("DELETE");
        }
    }
}
