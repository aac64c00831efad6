package io.strata.broker.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.strata.broker.partition.Partition;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

/** Records produced over REST reach Kafka consumers and records of Kafka producers are read over REST. */
@QuarkusTest
@TestProfile(RestTestProfile.class)
class RestRecordsTest extends RestApiTest {

    private static final int PARTITIONS = 4;

    @Test
    void restProducedRecordsAreConsumedByAKafkaConsumerOnTheKeysPartition() throws Exception {
        createTopic("rest-to-kafka", PARTITIONS);
        List<Integer> restPartitions = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            JsonPath answer = given().contentType(ContentType.JSON).body("""
                            {"key": {"type": "STRING", "data": "customer-%d"},
                             "value": {"type": "JSON", "data": {"amount": %d}},
                             "headers": [{"name": "source", "value": "%s"}],
                             "timestamp": "2026-01-31T12:00:00Z"}""".formatted(i, i, base64("rest")))
                    .post("/v3/clusters/{c}/topics/rest-to-kafka/records", cluster)
                    .then().statusCode(200)
                    .body("error_code", equalTo(200))
                    .body("cluster_id", equalTo(cluster))
                    .body("topic_name", equalTo("rest-to-kafka"))
                    .body("timestamp", equalTo("2026-01-31T12:00:00Z"))
                    .body("key.type", equalTo("STRING"))
                    .body("key.size", equalTo(("customer-" + i).length()))
                    .body("value.type", equalTo("JSON"))
                    .extract().jsonPath();
            restPartitions.add(answer.getInt("partition_id"));
        }

        // The same keys from the Java client's default partitioner land on the same partitions.
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            for (int i = 0; i < 8; i++) {
                RecordMetadata sent = producer.send(new ProducerRecord<>("rest-to-kafka", "customer-" + i, "x")).get();
                assertThat(sent.partition()).as("partition of customer-%d", i).isEqualTo(restPartitions.get(i));
            }
        }

        List<ConsumerRecord<String, String>> consumed = consumeAll("rest-to-kafka", 16);
        List<ConsumerRecord<String, String>> fromRest = consumed.stream().filter(r -> !r.value().equals("x")).toList();
        assertThat(fromRest).hasSize(8);
        for (ConsumerRecord<String, String> record : fromRest) {
            int i = Integer.parseInt(record.key().substring("customer-".length()));
            assertThat(record.partition()).isEqualTo(restPartitions.get(i));
            assertThat(record.value()).isEqualTo("{\"amount\":" + i + "}");
            assertThat(record.timestamp()).isEqualTo(java.time.Instant.parse("2026-01-31T12:00:00Z").toEpochMilli());
            assertThat(new String(record.headers().lastHeader("source").value(), StandardCharsets.UTF_8)).isEqualTo("rest");
        }
    }

    @Test
    void anArrayOfRecordsIsAppendedAndAnsweredInOrder() {
        createTopic("rest-batch", PARTITIONS);
        JsonPath answer = given().contentType(ContentType.JSON).body("""
                        [{"partition_id": 1, "value": {"type": "STRING", "data": "a"}},
                         {"partition_id": 2, "value": {"type": "BINARY", "data": "%s"}},
                         {"partition_id": 1, "key": {"type": "BINARY", "data": "/wA="}, "value": null}]"""
                        .formatted(base64("b")))
                .post("/v3/clusters/{c}/topics/rest-batch/records", cluster)
                .then().statusCode(200).body("$", hasSize(3)).extract().jsonPath();
        assertThat(answer.getList("partition_id", Integer.class)).containsExactly(1, 2, 1);
        assertThat(answer.getList("offset", Long.class)).containsExactly(0L, 0L, 1L);
        assertThat(answer.getList("error_code", Integer.class)).containsExactly(200, 200, 200);

        given().get("/v3/clusters/{c}/topics/rest-batch/partitions/1/records", cluster).then().statusCode(200)
                .body("data", hasSize(2))
                .body("data[0].value.type", equalTo("STRING"))
                .body("data[0].value.data", equalTo("a"))
                .body("data[0].key", nullValue())
                .body("data[1].key.type", equalTo("BINARY"))
                .body("data[1].key.data", equalTo("/wA="))
                .body("data[1].value", nullValue())
                .body("next_offset", equalTo(2));
    }

    @Test
    void kafkaProducedRecordsAreReadOverRestFromAnOffset() throws Exception {
        createTopic("kafka-to-rest", PARTITIONS);
        byte[] binary = {(byte) 0xff, 0, (byte) 0xfe};
        RecordMetadata keyed;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
            keyed = producer.send(new ProducerRecord<>("kafka-to-rest", null, 1_700_000_000_000L,
                    "order-7".getBytes(StandardCharsets.UTF_8), "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                    List.of(new RecordHeader("trace", binary)))).get();
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("kafka-to-rest", keyed.partition(), null, binary)).get();
            }
        }
        // The REST producer puts the same key on the same partition.
        given().contentType(ContentType.JSON).body("{\"key\": {\"type\": \"STRING\", \"data\": \"order-7\"}}")
                .post("/v3/clusters/{c}/topics/kafka-to-rest/records", cluster)
                .then().statusCode(200).body("partition_id", equalTo(keyed.partition())).body("offset", equalTo(6));

        String path = "/v3/clusters/{c}/topics/kafka-to-rest/partitions/" + keyed.partition() + "/records";
        given().get("/v3/clusters/{c}/topics/kafka-to-rest/partitions/" + keyed.partition(), cluster).then().statusCode(200)
                .body("local_bytes", greaterThan(7 * 60))
                .body("tiered_bytes", equalTo(0));
        given().get(path + "?offset=earliest&max_records=2", cluster).then().statusCode(200)
                .body("data", hasSize(2))
                .body("data[0].offset", equalTo(0))
                .body("data[0].timestamp", equalTo("2023-11-14T22:13:20Z"))
                .body("data[0].timestamp_type", equalTo("CreateTime"))
                .body("data[0].key.type", equalTo("STRING"))
                .body("data[0].key.data", equalTo("order-7"))
                .body("data[0].value.data", equalTo("{\"n\":1}"))
                .body("data[0].headers[0].name", equalTo("trace"))
                .body("data[0].headers[0].value", equalTo(Base64.getEncoder().encodeToString(binary)))
                .body("data[1].value.type", equalTo("BINARY"))
                .body("data[1].value.data", equalTo(Base64.getEncoder().encodeToString(binary)))
                .body("next_offset", equalTo(2))
                .body("latest_offset", equalTo(7));
        given().get(path + "?offset=0&max_records=1&format=json", cluster).then().statusCode(200)
                .body("data[0].value.type", equalTo("JSON"))
                .body("data[0].value.data.n", equalTo(1));
        given().get(path + "?offset=3&format=binary", cluster).then().statusCode(200)
                .body("data.offset", equalTo(List.of(3, 4, 5, 6)))
                .body("data[3].key.type", equalTo("BINARY"))
                .body("next_offset", equalTo(7));
        given().get(path + "?offset=latest", cluster).then().statusCode(200)
                .body("data", hasSize(0)).body("next_offset", equalTo(7));
        given().get(path + "?offset=2&max_bytes=1", cluster).then().statusCode(200)
                .body("data.offset[0]", equalTo(2));
    }

    /**
     * {@code isolation=read_committed} reads as a read_committed consumer: nothing past an open transaction, and
     * no record of an aborted one. The transactions are written into the partition as its leader takes a
     * transactional producer's batches and a coordinator's markers.
     */
    @Test
    void aReadCommittedReadStopsAtAnOpenTransactionAndLeavesOutAbortedOnes() {
        createTopic("rest-txn", 1);
        Partition partition = lifecycle.broker().partitions().partition(new TopicPartition("rest-txn", 0)).orElseThrow();
        long producerId = 4711;
        // Appended as once the transaction coordinator confirmed each transaction.
        partition.append(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 0,
                new SimpleRecord("aborted".getBytes(StandardCharsets.UTF_8))),
                partition.log().producers().startVerification(producerId, 0, (short) 0));            // offset 0
        postJson("/v3/clusters/{c}/topics/rest-txn/records",
                "{\"partition_id\": 0, \"value\": {\"type\": \"STRING\", \"data\": \"plain\"}}")
                .then().statusCode(200).body("offset", equalTo(1));
        String read = "/v3/clusters/{c}/topics/rest-txn/partitions/0/records?offset=earliest";

        given().get(read + "&isolation=read_committed", cluster).then().statusCode(200).body("data", hasSize(0));
        given().get(read, cluster).then().statusCode(200).body("data.value.data", equalTo(List.of("aborted", "plain")));

        partition.appendMarker(producerId, (short) 0, new EndTransactionMarker(ControlRecordType.ABORT, 0));  // 2
        partition.append(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, 1,
                new SimpleRecord("committed".getBytes(StandardCharsets.UTF_8))),
                partition.log().producers().startVerification(producerId, 1, (short) 0));            // offset 3
        partition.appendMarker(producerId, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0)); // 4

        given().get(read + "&isolation=read_committed", cluster).then().statusCode(200)
                .body("data.value.data", equalTo(List.of("plain", "committed")))
                .body("data.offset", equalTo(List.of(1, 3)))
                .body("next_offset", equalTo(5));
        given().get(read + "&isolation=read_uncommitted", cluster).then().statusCode(200)
                .body("data.value.data", equalTo(List.of("aborted", "plain", "committed")));
        badRequest(given().get(read + "&isolation=serializable", cluster));
    }

    @Test
    void aReadAtTheEndWaitsForTheNextRecord() throws Exception {
        createTopic("rest-long-poll", PARTITIONS);
        String path = "/v3/clusters/{c}/topics/rest-long-poll/partitions/0/records?offset=0&max_wait_ms=10000";
        CompletableFuture<JsonPath> waiting = CompletableFuture.supplyAsync(() ->
                given().get(path, cluster).then().statusCode(200).extract().jsonPath());
        Thread.sleep(300);
        assertThat(waiting).isNotDone();
        long started = System.nanoTime();
        given().contentType(ContentType.JSON).body("{\"partition_id\": 0, \"value\": {\"type\": \"STRING\", \"data\": \"late\"}}")
                .post("/v3/clusters/{c}/topics/rest-long-poll/records", cluster).then().statusCode(200);
        JsonPath answer = waiting.get();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(answer.getString("data[0].value.data")).isEqualTo("late");

        long before = System.nanoTime();
        given().get("/v3/clusters/{c}/topics/rest-long-poll/partitions/0/records?offset=1&max_wait_ms=400", cluster)
                .then().statusCode(200).body("data", hasSize(0));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(390));
    }

    @Test
    void badProduceAndReadRequestsAreRefused() {
        createTopic("rest-bad-records", PARTITIONS);
        String records = "/v3/clusters/{c}/topics/rest-bad-records/records";
        badRequest(postJson(records, "{\"value\": {\"type\": \"BINARY\", \"data\": \"not base64!\"}}"));
        badRequest(postJson(records, "{\"value\": {\"type\": \"STRING\", \"data\": 42}}"));
        badRequest(postJson(records, "{\"value\": {\"type\": \"AVRO\", \"data\": \"x\"}}"));
        badRequest(postJson(records, "{\"value\": \"plain\"}"));
        badRequest(postJson(records, "{\"headers\": [{\"name\": \"h\", \"value\": \"%%%\"}]}"));
        badRequest(postJson(records, "{\"headers\": [{\"value\": \"AA==\"}]}"));
        badRequest(postJson(records, "{\"timestamp\": \"yesterday\"}"));
        badRequest(postJson(records, "{\"partition_id\": \"one\"}"));
        badRequest(postJson(records, "{\"value\": "));
        badRequest(postJson(records, "[]"));
        badRequest(postJson(records, "[{\"value\": {\"type\": \"STRING\", \"data\": \"ok\"}}, 7]"));
        postJson(records, "{\"partition_id\": 9}").then().statusCode(404);
        postJson("/v3/clusters/{c}/topics/no-such-topic/records", "{}").then().statusCode(404);
        postJson("/v3/clusters/{c}/topics/__consumer_offsets/records", "{}").then().statusCode(400)
                .body("kafka_error", equalTo("INVALID_TOPIC_EXCEPTION"));
        // Nothing of the refused requests was appended.
        given().get("/v3/clusters/{c}/topics/rest-bad-records/partitions", cluster).then()
                .body("data.latest_offset", equalTo(List.of(0, 0, 0, 0)));

        String read = "/v3/clusters/{c}/topics/rest-bad-records/partitions/0/records";
        badRequest(given().get(read + "?offset=-1", cluster));
        badRequest(given().get(read + "?offset=soon", cluster));
        badRequest(given().get(read + "?offset=5", cluster));
        badRequest(given().get(read + "?max_records=0", cluster));
        badRequest(given().get(read + "?max_wait_ms=abc", cluster));
        badRequest(given().get(read + "?format=avro", cluster));
        given().get("/v3/clusters/{c}/topics/rest-bad-records/partitions/4/records", cluster).then().statusCode(404);
    }

    @Test
    void aReadPastTheEndNamesTheOffsetsTheLogHolds() {
        createTopic("rest-past-the-end", 1);
        String read = "/v3/clusters/{c}/topics/rest-past-the-end/partitions/0/records";
        given().get(read + "?offset=1", cluster).then().statusCode(400).body("kafka_error", equalTo("OFFSET_OUT_OF_RANGE"))
                .body("message", containsString("the log is empty and its next offset is 0"));
        for (int i = 0; i < 3; i++) {
            postJson("/v3/clusters/{c}/topics/rest-past-the-end/records",
                    "{\"partition_id\": 0, \"value\": {\"type\": \"STRING\", \"data\": \"r%d\"}}".formatted(i))
                    .then().statusCode(200);
        }
        given().get(read + "?offset=5", cluster).then().statusCode(400).body("kafka_error", equalTo("OFFSET_OUT_OF_RANGE"))
                .body("message", containsString("the log holds offsets 0 to 2 and its next offset is 3"));
        // The log end offset itself is no error: it is where the next record will be.
        given().get(read + "?offset=3", cluster).then().statusCode(200).body("data", hasSize(0));
    }

    private List<ConsumerRecord<String, String>> consumeAll(String topic, int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.currentTimeMillis() + 15_000;
            while (records.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
