package io.strata.broker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.MeterNotFoundException;
import io.quarkus.test.junit.QuarkusTest;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The partition and topic traffic meters as the application's periodic refresh keeps them: a
 * topic's rows and counters appear with its partitions and go when it is deleted, so a scrape
 * never reports a topic that no longer exists.
 */
@QuarkusTest
class PartitionMetricsTest {

    private static final String TOPIC = "partition-metrics";
    private static final Duration REFRESHED = Duration.ofSeconds(20);

    @Inject
    BrokerLifecycle lifecycle;

    @Inject
    MeterRegistry registry;

    @Test
    void aTopicsMetersFollowItsPartitionsAndGoWithIt() throws Exception {
        String bootstrap = lifecycle.broker().bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            byte[] value = new byte[100];
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get();
                }
            }

            // Until the next refresh the topic's meters do not exist yet, which the registry reports by throwing.
            await().atMost(REFRESHED).ignoreExceptionsInstanceOf(MeterNotFoundException.class).untilAsserted(() -> {
                assertThat(logBytes("0", "local")).isGreaterThanOrEqualTo(5 * value.length);
                assertThat(logBytes("1", "local")).isZero();
                assertThat(logBytes("0", "remote")).isZero();
                assertThat(registry.get("strata.topic.bytes.in").tag("topic", TOPIC).functionCounter().count())
                        .isGreaterThanOrEqualTo(5 * value.length);
                assertThat(registry.get("strata.topic.bytes.out").tag("topic", TOPIC).functionCounter().count())
                        .isZero();
            });

            admin.deleteTopics(List.of(TOPIC)).all().get();
        }

        await().atMost(REFRESHED).untilAsserted(() -> {
            assertThat(registry.find("strata.partition.log.bytes").tag("topic", TOPIC).gauges()).isEmpty();
            assertThat(registry.find("strata.topic.bytes.in").tag("topic", TOPIC).functionCounters()).isEmpty();
            assertThat(registry.find("strata.topic.bytes.out").tag("topic", TOPIC).functionCounters()).isEmpty();
        });
    }

    private double logBytes(String partition, String tier) {
        return registry.get("strata.partition.log.bytes")
                .tags("topic", TOPIC, "partition", partition, "tier", tier).gauge().value();
    }
}
