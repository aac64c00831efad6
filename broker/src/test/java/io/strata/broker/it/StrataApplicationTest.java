package io.strata.broker.it;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The application boots the broker from its configuration, reports ready and exports its meters. */
@QuarkusTest
class StrataApplicationTest {

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/q/health/ready")
    URL readiness;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void theBrokerServesKafkaClientsAndReportsReady() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        assertThat(bootstrap).startsWith("127.0.0.1:");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("from-quarkus", 2, (short) 1))).all().get();
            assertThat(admin.listTopics().names().get()).contains("from-quarkus");
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(readiness.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"status\": \"UP\"").contains(bootstrap)
                .contains("\"name\": \"object-store\"").contains(lifecycle.broker().tiering().storeDescription());
    }

    @Test
    void tieringMetersAreExported() throws Exception {
        String body = scrape();
        assertThat(body).contains("strata_tiering_uploaded_segments_total", "strata_tiering_uploaded_bytes_total",
                "strata_tiering_upload_lag_bytes", "strata_tiering_object_store_up 1.0",
                "strata_tiering_remote_read_bytes_total", "strata_tiering_remote_errors_total{operation=\"read\"}",
                "strata_tiering_cache_hit_ratio", "strata_log_local_bytes");
    }

    @Test
    void consumerLagIsAMetricPerGroupAndPartition() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        createTopic(bootstrap, "lagging-topic", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("lagging-topic", ("v" + i).getBytes())).get();
            }
        }
        TopicPartition partition = new TopicPartition("lagging-topic", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "lagging-group",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(4)));
        }
        String expected = "strata_consumer_group_lag{group=\"lagging-group\",partition=\"0\",topic=\"lagging-topic\"} 6.0";
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(scrape())
                .contains(expected));
    }

    @Test
    void afterTrafficTheMetersCarryPlausibleValues() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        String topic = "metered-topic";
        createTopic(bootstrap, topic, 2);
        int records = 20;
        byte[] value = new byte[100];
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, value)).get();
            }
        }
        int consumed = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            consumer.assign(List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1)));
            long deadline = System.currentTimeMillis() + 20_000;
            while (consumed < records && System.currentTimeMillis() < deadline) {
                consumed += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        assertThat(consumed).isEqualTo(records);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String body = scrape();
            assertThat(sample(body, "strata_kafka_requests_total", "api=\"PRODUCE\"")).hasValueSatisfying(
                    count -> assertThat(count).isGreaterThanOrEqualTo(records));
            assertThat(sample(body, "strata_kafka_requests_total", "api=\"FETCH\"")).hasValueSatisfying(
                    count -> assertThat(count).isGreaterThan(0));
            assertThat(sample(body, "strata_kafka_request_seconds_count", "api=\"PRODUCE\"")).hasValueSatisfying(
                    count -> assertThat(count).isGreaterThanOrEqualTo(records));
            assertThat(sample(body, "strata_kafka_request_seconds_sum", "api=\"PRODUCE\"")).hasValueSatisfying(
                    seconds -> assertThat(seconds).isGreaterThan(0).isLessThan(records * 5.0));
            assertThat(sample(body, "strata_kafka_request_seconds_bucket", "api=\"METADATA\"", "le=\"+Inf\""))
                    .hasValueSatisfying(count -> assertThat(count).isGreaterThan(0));
            // Each record batch carries its 100-byte value plus batch and record headers.
            assertThat(sample(body, "strata_topic_bytes_in_total", "topic=\"" + topic + "\"")).hasValueSatisfying(
                    bytes -> assertThat(bytes).isGreaterThanOrEqualTo(records * value.length).isLessThan(records * 1000.0));
            assertThat(sample(body, "strata_topic_bytes_out_total", "topic=\"" + topic + "\"")).hasValueSatisfying(
                    bytes -> assertThat(bytes).isGreaterThanOrEqualTo(records * value.length));
            assertThat(sample(body, "strata_partition_log_bytes", "topic=\"" + topic + "\"", "partition=\"0\"",
                    "tier=\"local\"")).hasValueSatisfying(bytes -> assertThat(bytes).isGreaterThanOrEqualTo(10 * value.length));
            assertThat(sample(body, "strata_partition_log_bytes", "topic=\"" + topic + "\"", "partition=\"1\"",
                    "tier=\"remote\"")).hasValue(0.0);
            assertThat(sample(body, "strata_partitions")).hasValueSatisfying(count -> assertThat(count).isGreaterThanOrEqualTo(2));
            assertThat(sample(body, "strata_kafka_connections")).isPresent();
            // The consumer above closed its fetch session when it closed.
            assertThat(sample(body, "strata_fetch_sessions")).hasValue(0.0);
            assertThat(sample(body, "strata_fetch_session_partitions")).hasValue(0.0);
            assertThat(sample(body, "strata_cluster_brokers", "state=\"live\"")).hasValue(1.0);
            assertThat(sample(body, "strata_cluster_brokers", "state=\"fenced\"")).hasValue(0.0);
            assertThat(sample(body, "strata_cluster_offline_partitions")).hasValue(0.0);
            assertThat(sample(body, "strata_controller_active")).as("a single broker leads its own quorum").hasValue(1.0);
            assertThat(sample(body, "strata_isr_shrinks_total")).hasValue(0.0);
            assertThat(sample(body, "strata_isr_expands_total")).hasValue(0.0);
            assertThat(sample(body, "strata_replication_max_lag_records")).hasValue(0.0);
            assertThat(sample(body, "strata_leader_partitions")).hasValueSatisfying(count -> assertThat(count).isGreaterThanOrEqualTo(2));
            assertThat(sample(body, "strata_under_replicated_partitions")).hasValue(0.0);
            assertThat(sample(body, "strata_under_min_isr_partitions")).hasValue(0.0);
            assertThat(sample(body, "strata_tiering_upload_lag_bytes")).isPresent();
            assertThat(sample(body, "jvm_memory_used_bytes", "area=\"heap\"")).hasValueSatisfying(
                    bytes -> assertThat(bytes).isGreaterThan(0));
            assertThat(sample(body, "jvm_threads_live_threads")).hasValueSatisfying(count -> assertThat(count).isGreaterThan(0));
        });
        try (KafkaConsumer<byte[], byte[]> open = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class))) {
            open.listTopics(Duration.ofSeconds(10));
            String body = scrape();
            assertThat(sample(body, "strata_kafka_connections")).hasValueSatisfying(count -> assertThat(count).isGreaterThanOrEqualTo(1));
        }
    }

    @Test
    void transactionsAreCountedAndAnOpenOneShowsAsLastStableOffsetLag() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        String topic = "transacted-topic";
        createTopic(bootstrap, topic, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "metered-writer",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed".getBytes()));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted".getBytes()));
            // Sent first: a transaction that reached no broker ends in the client alone.
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "open-1".getBytes()));
            producer.send(new ProducerRecord<>(topic, "open-2".getBytes()));
            producer.flush();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                String body = scrape();
                String samples = body.lines().filter(line -> line.startsWith("strata_transactions")
                        || line.startsWith("strata_partition_last_stable_offset_lag")).toList().toString();
                assertThat(sample(body, "strata_transactions_total", "result=\"commit\"").orElse(-1.0)).as(samples)
                        .isGreaterThanOrEqualTo(1);
                assertThat(sample(body, "strata_transactions_total", "result=\"abort\"").orElse(-1.0)).as(samples)
                        .isGreaterThanOrEqualTo(1);
                assertThat(sample(body, "strata_transactions_open").orElse(-1.0)).as(samples).isGreaterThanOrEqualTo(1);
                // The open transaction's two records, above the ended transactions and their markers.
                assertThat(sample(body, "strata_partition_last_stable_offset_lag", "topic=\"" + topic + "\"",
                        "partition=\"0\"")).as(samples).hasValue(2.0);
            });
            producer.commitTransaction();
        }
    }

    private static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** The meters as Prometheus scrapes them. */
    private String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of the first sample of {@code name} whose labels include every one of {@code labels}. */
    private static Optional<Double> sample(String body, String name, String... labels) {
        return body.lines()
                .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .filter(line -> Arrays.stream(labels).allMatch(line::contains))
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .findFirst();
    }
}
