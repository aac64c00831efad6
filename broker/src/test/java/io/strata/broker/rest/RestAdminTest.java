package io.strata.broker.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/** The cluster, topic, partition and config endpoints, checked against what the Kafka admin client sees. */
@QuarkusTest
@TestProfile(RestTestProfile.class)
class RestAdminTest extends RestApiTest {

    @Test
    void theClusterAndItsBrokerAreListed() {
        given().get("/v3/clusters").then().statusCode(200)
                .body("kind", equalTo("KafkaClusterList"))
                .body("data[0].cluster_id", equalTo(cluster));
        given().get("/v3/clusters/{c}", cluster).then().statusCode(200)
                .body("cluster_id", equalTo(cluster)).body("controller_id", equalTo(1));
        given().get("/v3/clusters/{c}/brokers", cluster).then().statusCode(200)
                .body("data[0].broker_id", equalTo(1))
                .body("data[0].host", equalTo("127.0.0.1"))
                .body("data[0].port", equalTo(lifecycle.broker().kafkaAddress().getPort()));
        given().get("/v3/clusters/{c}/brokers/1", cluster).then().statusCode(200).body("broker_id", equalTo(1))
                .body("fenced", equalTo(false));

        notFound(given().get("/v3/clusters/no-such-cluster"));
        notFound(given().get("/v3/clusters/no-such-cluster/topics"));
        notFound(given().get("/v3/clusters/{c}/brokers/7", cluster));
        notFound(given().get("/v3/clusters/{c}/brokers/x", cluster));
    }

    /** A lone broker holds every replica, so none is ever out of sync; which are is in UnderReplicatedPartitionsTest. */
    @Test
    void theUnderReplicatedPartitionsOfALoneBrokerAreNone() {
        createTopic("rest-in-sync", 2);
        given().get("/v3/clusters/{c}/under-replicated-partitions", cluster).then().statusCode(200)
                .body("kind", equalTo("KafkaPartitionList"))
                .body("data", equalTo(List.of()));
        notFound(given().get("/v3/clusters/no-such-cluster/under-replicated-partitions"));
    }

    @Test
    void aTopicIsCreatedDescribedRepartitionedAndDeleted() throws Exception {
        given().contentType(ContentType.JSON)
                .body("""
                        {"topic_name": "rest-orders", "partitions_count": 3, "replication_factor": 1,
                         "configs": [{"name": "retention.ms", "value": "86400000"}]}""")
                .post("/v3/clusters/{c}/topics", cluster)
                .then().statusCode(201)
                .body("topic_name", equalTo("rest-orders"))
                .body("partitions_count", equalTo(3))
                .body("is_internal", equalTo(false));
        try (Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of("rest-orders")).allTopicNames().get().get("rest-orders")
                    .partitions()).hasSize(3);
            Config config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "rest-orders")))
                    .all().get().values().iterator().next();
            assertThat(config.get("retention.ms").value()).isEqualTo("86400000");
        }
        given().get("/v3/clusters/{c}/topics", cluster).then().statusCode(200)
                .body("data.topic_name", hasItem("rest-orders"));
        given().get("/v3/clusters/{c}/topics/rest-orders", cluster).then().statusCode(200)
                .body("partitions_count", equalTo(3));
        given().get("/v3/clusters/{c}/topics/rest-orders/partitions", cluster).then().statusCode(200)
                .body("data.partition_id", equalTo(List.of(0, 1, 2)))
                .body("data[0].earliest_offset", equalTo(0))
                .body("data[0].latest_offset", equalTo(0));
        given().get("/v3/clusters/{c}/topics/rest-orders/partitions/2", cluster).then().statusCode(200)
                .body("partition_id", equalTo(2)).body("leader_id", equalTo(1))
                .body("replicas", equalTo(List.of(1))).body("isr", equalTo(List.of(1)));

        given().contentType(ContentType.JSON).body("{\"partitions_count\": 5}")
                .patch("/v3/clusters/{c}/topics/rest-orders", cluster)
                .then().statusCode(200).body("partitions_count", equalTo(5));
        given().get("/v3/clusters/{c}/topics/rest-orders/partitions/4", cluster).then().statusCode(200);
        badRequest(given().contentType(ContentType.JSON).body("{\"partitions_count\": 2}")
                .patch("/v3/clusters/{c}/topics/rest-orders", cluster), "INVALID_PARTITIONS");

        given().delete("/v3/clusters/{c}/topics/rest-orders", cluster).then().statusCode(204);
        notFound(given().get("/v3/clusters/{c}/topics/rest-orders", cluster));
        notFound(given().delete("/v3/clusters/{c}/topics/rest-orders", cluster));
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain("rest-orders");
        }
    }

    @Test
    void badTopicRequestsAreRefusedWithTheirReason() {
        createTopic("rest-existing", 1);
        given().contentType(ContentType.JSON).body("{\"topic_name\": \"rest-existing\"}")
                .post("/v3/clusters/{c}/topics", cluster)
                .then().statusCode(409).body("error_code", equalTo(409)).body("kafka_error", equalTo("TOPIC_ALREADY_EXISTS"));
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"topic_name\": \"rest-x\", \"partitions_count\": -3}"), null);
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"topic_name\": \"rest-x\", \"partitions_count\": 0}"), null);
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"topic_name\": \"rest-x\", \"replication_factor\": 3}"),
                "INVALID_REPLICATION_FACTOR");
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"topic_name\": \"bad name!\"}"), "INVALID_TOPIC_EXCEPTION");
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"partitions_count\": 1}"), null);
        badRequest(postJson("/v3/clusters/{c}/topics", """
                {"topic_name": "rest-x", "configs": [{"name": "retention.ms", "value": "soon"}]}"""), "INVALID_CONFIG");
        badRequest(postJson("/v3/clusters/{c}/topics", """
                {"topic_name": "rest-x", "configs": [{"name": "no.such.config", "value": "1"}]}"""), "INVALID_CONFIG");
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"topic_name\": \"rest-x\", "), null);
        badRequest(postJson("/v3/clusters/{c}/topics", "{\"topic_name\": \"rest-x\", \"partitions_count\": \"many\"}"), null);
        badRequest(postJson("/v3/clusters/{c}/topics", "[1, 2]"), null);
        given().get("/v3/clusters/{c}/topics/rest-x", cluster).then().statusCode(404);

        notFound(given().get("/v3/clusters/{c}/topics/rest-existing/partitions/1", cluster));
        notFound(given().get("/v3/clusters/{c}/topics/rest-existing/partitions/-1", cluster));
        notFound(given().get("/v3/clusters/{c}/topics/rest-existing/partitions/one", cluster));
        notFound(given().get("/v3/clusters/{c}/topics/no-such-topic/partitions", cluster));
        given().delete("/v3/clusters/{c}/topics/__consumer_offsets", cluster).then().statusCode(404);
    }

    @Test
    void topicConfigsAreListedSetResetAndAlteredInABatch() throws Exception {
        createTopic("rest-configs", 1);
        given().get("/v3/clusters/{c}/topics/rest-configs/configs", cluster).then().statusCode(200)
                .body("data.name", hasItem("cleanup.policy"))
                .body("data.find { it.name == 'retention.ms' }.value", equalTo("604800000"))
                .body("data.find { it.name == 'retention.ms' }.is_default", equalTo(true));

        given().contentType(ContentType.JSON).body("{\"value\": \"3600000\"}")
                .put("/v3/clusters/{c}/topics/rest-configs/configs/retention.ms", cluster).then().statusCode(204);
        given().get("/v3/clusters/{c}/topics/rest-configs/configs/retention.ms", cluster).then().statusCode(200)
                .body("value", equalTo("3600000"))
                .body("source", equalTo("DYNAMIC_TOPIC_CONFIG"))
                .body("is_default", equalTo(false));
        assertThat(kafkaConfig("rest-configs", "retention.ms")).isEqualTo("3600000");

        given().delete("/v3/clusters/{c}/topics/rest-configs/configs/retention.ms", cluster).then().statusCode(204);
        given().get("/v3/clusters/{c}/topics/rest-configs/configs/retention.ms", cluster).then().statusCode(200)
                .body("value", equalTo("604800000")).body("source", equalTo("DEFAULT_CONFIG"));

        given().contentType(ContentType.JSON).body("""
                {"data": [{"name": "cleanup.policy", "value": "compact"},
                          {"name": "max.message.bytes", "value": "2048", "operation": "SET"},
                          {"name": "retention.ms", "operation": "DELETE"}]}""")
                .urlEncodingEnabled(false)
                .post("/v3/clusters/{c}/topics/rest-configs/configs:alter", cluster).then().statusCode(204);
        assertThat(kafkaConfig("rest-configs", "cleanup.policy")).isEqualTo("compact");
        assertThat(kafkaConfig("rest-configs", "max.message.bytes")).isEqualTo("2048");

        // All or nothing: one bad value leaves every config as it was (and rest-assured sends the colon as %3A).
        badRequest(postJson("/v3/clusters/{c}/topics/rest-configs/configs:alter", """
                {"data": [{"name": "cleanup.policy", "value": "delete"},
                          {"name": "segment.bytes", "value": "-1"}]}"""), "INVALID_CONFIG");
        assertThat(kafkaConfig("rest-configs", "cleanup.policy")).isEqualTo("compact");
        badRequest(postJson("/v3/clusters/{c}/topics/rest-configs/configs:alter",
                "{\"data\": [{\"name\": \"cleanup.policy\", \"operation\": \"APPEND\"}]}"), null);
        badRequest(given().contentType(ContentType.JSON).body("{\"value\": \"never\"}")
                .put("/v3/clusters/{c}/topics/rest-configs/configs/retention.ms", cluster), "INVALID_CONFIG");
        badRequest(given().contentType(ContentType.JSON).body("{}")
                .put("/v3/clusters/{c}/topics/rest-configs/configs/retention.ms", cluster), null);
        notFound(given().get("/v3/clusters/{c}/topics/rest-configs/configs/no.such.config", cluster));
        notFound(given().get("/v3/clusters/{c}/topics/no-such-topic/configs", cluster));
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413() {
        String padding = "x".repeat(RestTestProfile.MAX_BODY_BYTES + 1);
        given().contentType(ContentType.JSON).body("{\"topic_name\": \"" + padding + "\"}")
                .post("/v3/clusters/{c}/topics", cluster).then().statusCode(413);
    }

    @Test
    void noCredentialsAreNeededWhileAuthenticationIsOff() {
        given().get("/v3/clusters").then().statusCode(200).header("WWW-Authenticate", nullValue());
    }

    @Test
    void unknownPathsAndMethodsAnswerInJson() {
        given().get("/v3/nothing-here").then().statusCode(404).contentType(ContentType.JSON)
                .body("error_code", equalTo(404));
        given().put("/v3/clusters").then().statusCode(405).body("error_code", equalTo(405));
        given().contentType(ContentType.TEXT).body("topic_name=x").post("/v3/clusters/{c}/topics", cluster)
                .then().statusCode(415).body("error_code", equalTo(415));
    }

    @Test
    void aBodyWithoutContentTypeIsRefusedWith415InTheApisOwnFormat() throws Exception {
        createTopic("rest-no-content-type", 1);
        String topics = "/v3/clusters/" + cluster + "/topics";
        for (HttpRequest.Builder request : List.of(
                request(topics).POST(BodyPublishers.ofString("{\"topic_name\": \"rest-untyped\"}")),
                request(topics + "/rest-no-content-type/configs/retention.ms")
                        .PUT(BodyPublishers.ofString("{\"value\": \"1000\"}")))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(), BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(415);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type)
                    .startsWith("application/json"));
            JsonPath body = JsonPath.from(response.body());
            assertThat(body.getInt("error_code")).isEqualTo(415);
            assertThat(body.getString("message")).contains("no Content-Type", "application/json");
        }
        given().contentType(ContentType.TEXT).body("topic_name=x").post("/v3/clusters/{c}/topics", cluster)
                .then().statusCode(415).body("message", containsString("text/plain"));
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path));
    }

    @Test
    void theOpenApiDocumentDescribesTheApi() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.keySet()", hasItem("/v3/clusters/{cluster}/topics"))
                .body("info.title", containsString("Strata"));
        given().get("/q/swagger-ui/").then().statusCode(200).body(not(equalTo("")));
    }

    private String kafkaConfig(String topic, String name) throws Exception {
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            return admin.describeConfigs(List.of(resource)).all().get().get(resource).get(name).value();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }
}
