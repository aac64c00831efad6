package io.strata.broker.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** The consumer group endpoints with a real Kafka consumer group: description, members, lag, reset, delete. */
@QuarkusTest
@TestProfile(RestTestProfile.class)
class RestConsumerGroupsTest extends RestApiTest {

    private static final String TOPIC = "rest-group-topic";
    private static final String GROUP = "rest-billing";

    @Test
    void anActiveGroupIsDescribedWithItsLagAndCanBeResetAndDeletedOnlyOnceEmpty() throws Exception {
        createTopic(TOPIC, 2);
        for (int i = 0; i < 10; i++) {
            produce(0, i * 1000L);
        }
        for (int i = 0; i < 4; i++) {
            produce(1, i * 1000L);
        }
        String groups = "/v3/clusters/{c}/consumer-groups/";

        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(TOPIC));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
            consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(6),
                    new TopicPartition(TOPIC, 1), new OffsetAndMetadata(4)));

            given().get(groups, cluster).then().statusCode(200).body("data.consumer_group_id", hasItem(GROUP));
            given().get(groups + GROUP, cluster).then().statusCode(200)
                    .body("state", equalTo("Stable"))
                    .body("is_simple", equalTo(false))
                    .body("protocol_type", equalTo("consumer"))
                    .body("partition_assignor", notNullValue())
                    .body("coordinator.broker_id", equalTo(1))
                    .body("consumers_count", equalTo(1));
            JsonPath consumers = given().get(groups + GROUP + "/consumers", cluster).then().statusCode(200)
                    .body("data", hasSize(1))
                    .body("data[0].client_id", equalTo("rest-test-client"))
                    .body("data[0].assignments", hasSize(2))
                    .extract().jsonPath();
            String memberId = consumers.getString("data[0].consumer_id");

            JsonPath lags = given().get(groups + GROUP + "/lags", cluster).then().statusCode(200)
                    .body("data", hasSize(2)).extract().jsonPath();
            assertThat(lags.getList("data.partition_id", Integer.class)).containsExactly(0, 1);
            assertThat(lags.getList("data.current_offset", Long.class)).containsExactly(6L, 4L);
            assertThat(lags.getList("data.log_end_offset", Long.class)).containsExactly(10L, 4L);
            assertThat(lags.getList("data.lag", Long.class)).containsExactly(4L, 0L);
            assertThat(lags.getList("data.consumer_id", String.class)).containsOnly(memberId);
            given().get(groups + GROUP + "/lag-summary", cluster).then().statusCode(200)
                    .body("max_lag", equalTo(4))
                    .body("total_lag", equalTo(4))
                    .body("max_lag_topic_name", equalTo(TOPIC))
                    .body("max_lag_partition_id", equalTo(0))
                    .body("max_lag_consumer_id", equalTo(memberId));

            reset("{\"topic\": \"" + TOPIC + "\", \"to\": \"earliest\"}").then().statusCode(409)
                    .body("error_code", equalTo(409));
            given().delete(groups + GROUP, cluster).then().statusCode(409).body("kafka_error", equalTo("NON_EMPTY_GROUP"));
        }

        // The consumer left: the group is Empty and its offsets may move.
        given().get(groups + GROUP, cluster).then().body("state", equalTo("Empty"));
        reset("{\"topic\": \"" + TOPIC + "\", \"to\": \"earliest\"}").then().statusCode(200)
                .body("data.offset", equalTo(List.of(0, 0)));
        assertThat(committed()).isEqualTo(Map.of(0, 0L, 1, 0L));
        given().get(groups + GROUP + "/lag-summary", cluster).then().body("total_lag", equalTo(14));

        reset("{\"topic\": \"" + TOPIC + "\", \"partitions\": [0], \"to\": \"offset\", \"offset\": 7}").then()
                .statusCode(200).body("data", hasSize(1)).body("data[0].offset", equalTo(7));
        reset("{\"topic\": \"" + TOPIC + "\", \"partitions\": [1], \"to\": \"offset\", \"offset\": 99}").then()
                .statusCode(200).body("data[0].offset", equalTo(4));
        assertThat(committed()).isEqualTo(Map.of(0, 7L, 1, 4L));
        reset("{\"topic\": \"" + TOPIC + "\", \"to\": \"timestamp\", \"timestamp\": 2500}").then().statusCode(200)
                .body("data.offset", equalTo(List.of(3, 3)));
        reset("{\"topic\": \"" + TOPIC + "\", \"to\": \"timestamp\", \"timestamp\": \"1970-01-01T00:00:05Z\"}").then()
                .statusCode(200).body("data.offset", equalTo(List.of(5, 4)));
        reset("{\"topic\": \"" + TOPIC + "\", \"to\": \"latest\"}").then().statusCode(200)
                .body("data.offset", equalTo(List.of(10, 4)));
        assertThat(committed()).isEqualTo(Map.of(0, 10L, 1, 4L));
        given().get(groups + GROUP + "/lags", cluster).then().body("data.lag", equalTo(List.of(0, 0)));

        given().delete(groups + GROUP, cluster).then().statusCode(204);
        given().get(groups + GROUP, cluster).then().statusCode(404).body("error_code", equalTo(404));
    }

    @Test
    void aPartitionAssignedButNeverCommittedIsListedWithoutOffsetOrLag() {
        String topic = "rest-group-uncommitted";
        String group = "rest-uncommitted";
        given().contentType(ContentType.JSON).body(Map.of("topic_name", topic, "partitions_count", 2))
                .post("/v3/clusters/{c}/topics", cluster).then().statusCode(201);
        for (int i = 0; i < 3; i++) {
            given().contentType(ContentType.JSON)
                    .body("{\"partition_id\": 1, \"value\": {\"type\": \"STRING\", \"data\": \"v\"}}")
                    .post("/v3/clusters/{c}/topics/" + topic + "/records", cluster).then().statusCode(200);
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, lifecycle.broker().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
            consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)));

            String path = "/v3/clusters/{c}/consumer-groups/" + group;
            JsonPath lags = given().get(path + "/lags", cluster).then().statusCode(200)
                    .body("data", hasSize(2))
                    .body("data[1].current_offset", nullValue())
                    .body("data[1].lag", nullValue())
                    .extract().jsonPath();
            assertThat(lags.getList("data.partition_id", Integer.class)).containsExactly(0, 1);
            assertThat(lags.getList("data.log_end_offset", Long.class)).containsExactly(0L, 3L);
            assertThat(lags.getInt("data[0].current_offset")).isZero();
            assertThat(lags.getList("data.consumer_id", String.class)).doesNotContainNull();
            given().get(path + "/lag-summary", cluster).then().statusCode(200)
                    .body("total_lag", equalTo(0))
                    .body("max_lag_partition_id", equalTo(0));
        }
    }

    @Test
    void aRestClientConsumesAsAGroupByReadingFromItsCommittedOffsetAndCommitting() {
        String topic = "rest-group-reader";
        String records = "/v3/clusters/{c}/topics/" + topic + "/partitions/0/records";
        createTopic(topic, 1);
        for (int i = 0; i < 5; i++) {
            given().contentType(ContentType.JSON).body("{\"value\": {\"type\": \"STRING\", \"data\": \"r" + i + "\"}}")
                    .post("/v3/clusters/{c}/topics/" + topic + "/records", cluster).then().statusCode(200);
        }
        // No commit yet: the group starts at the earliest offset.
        long next = given().queryParam("group", "rest-reader").queryParam("max_records", 3).get(records, cluster)
                .then().statusCode(200).body("data.value.data", equalTo(List.of("r0", "r1", "r2")))
                .extract().jsonPath().getLong("next_offset");
        given().contentType(ContentType.JSON).urlEncodingEnabled(false)
                .body("{\"topic\": \"" + topic + "\", \"to\": \"offset\", \"offset\": " + next + "}")
                .post("/v3/clusters/{c}/consumer-groups/rest-reader/offsets:reset", cluster).then().statusCode(200);
        given().queryParam("group", "rest-reader").get(records, cluster).then().statusCode(200)
                .body("data.value.data", equalTo(List.of("r3", "r4")));
        given().queryParam("group", " ").get(records, cluster).then().statusCode(400);
    }

    @Test
    void badGroupRequestsAreRefused() {
        createTopic("rest-group-bad", 1);
        String unknown = "/v3/clusters/{c}/consumer-groups/no-such-group";
        for (String path : List.of("", "/consumers", "/lags", "/lag-summary")) {
            given().get(unknown + path, cluster).then().statusCode(404).body("error_code", equalTo(404));
        }
        given().delete(unknown, cluster).then().statusCode(404);
        given().get("/v3/clusters/other/consumer-groups").then().statusCode(404);

        reset("{\"topic\": \"rest-group-bad\", \"to\": \"middle\"}").then().statusCode(400);
        reset("{\"topic\": \"rest-group-bad\"}").then().statusCode(400);
        reset("{\"topic\": \"rest-group-bad\", \"to\": \"offset\", \"offset\": -2}").then().statusCode(400);
        reset("{\"topic\": \"rest-group-bad\", \"to\": \"timestamp\"}").then().statusCode(400);
        reset("{\"topic\": \"rest-group-bad\", \"partitions\": [\"a\"], \"to\": \"earliest\"}").then().statusCode(400);
        reset("{\"to\": \"earliest\"}").then().statusCode(400);
        reset("{\"topic\": ").then().statusCode(400);
        reset("{\"topic\": \"rest-group-bad\", \"partitions\": [3], \"to\": \"earliest\"}").then().statusCode(404);
        reset("{\"topic\": \"no-such-topic\", \"to\": \"earliest\"}").then().statusCode(404);
    }

    private io.restassured.response.Response reset(String body) {
        return given().contentType(ContentType.JSON).body(body).urlEncodingEnabled(false)
                .post("/v3/clusters/{c}/consumer-groups/" + GROUP + "/offsets:reset", cluster);
    }

    private void produce(int partition, long timestamp) {
        given().contentType(ContentType.JSON)
                .body("{\"partition_id\": %d, \"timestamp\": %d, \"value\": {\"type\": \"STRING\", \"data\": \"v\"}}"
                        .formatted(partition, timestamp))
                .post("/v3/clusters/{c}/topics/" + TOPIC + "/records", cluster).then().statusCode(200);
    }

    private Map<Integer, Long> committed() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get();
            return Map.of(0, offsets.get(new TopicPartition(TOPIC, 0)).offset(),
                    1, offsets.get(new TopicPartition(TOPIC, 1)).offset());
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.CLIENT_ID_CONFIG, "rest-test-client",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }
}
