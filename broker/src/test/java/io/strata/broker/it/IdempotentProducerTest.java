package io.strata.broker.it;

import io.strata.broker.testing.ResponseDroppingProxy;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** An idempotent producer whose produce responses are lost retries, and the broker appends each batch once. */
class IdempotentProducerTest {

    @TempDir
    Path dataDir;

    @Test
    void retriedBatchesAreNotAppendedTwice() throws Exception {
        try (ResponseDroppingProxy proxy = new ResponseDroppingProxy();
             TestBroker broker = TestBroker.start(dataDir, Map.of("strata.advertised.port", Integer.toString(proxy.port())))) {
            proxy.forwardTo(broker.broker().kafkaAddress().getPort());
            broker.createTopic("exactly-once-append", 1, Map.of());
            proxy.dropProduceResponses(3);
            int count = 2000;
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.BATCH_SIZE_CONFIG, 4096,
                    ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50))) {
                for (int i = 0; i < count; i++) {
                    producer.send(new ProducerRecord<>("exactly-once-append", ("v" + i).getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
            }
            assertThat(proxy.dropped()).isEqualTo(3);
            List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(
                    List.of(new TopicPartition("exactly-once-append", 0)), count + 1, Duration.ofSeconds(5));
            assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(i -> "v" + i).toList());
        }
    }

    @Test
    void anIdempotentProducerKeepsWorkingAcrossARestart() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir)) {
            broker.createTopic("idempotent-restart", 1, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
                producer.send(new ProducerRecord<>("idempotent-restart", "before".getBytes())).get();
                broker.restart();
                // Same producer id and the next sequence number: accepted, because the broker remembers the last one.
                producer.send(new ProducerRecord<>("idempotent-restart", "after".getBytes())).get();
            }
            assertThat(broker.readAll(List.of(new TopicPartition("idempotent-restart", 0)), 2, Duration.ofSeconds(20)))
                    .extracting(r -> new String(r.value())).containsExactly("before", "after");
        }
    }
}
