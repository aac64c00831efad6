package io.strata.broker.it;

import io.strata.broker.log.PartitionLog;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** When records are fsynced: before the acknowledgement, every N records, or every N milliseconds. */
class DurabilityModesTest {

    @TempDir
    Path dataDir;

    private static PartitionLog log(TestBroker broker, String topic) {
        return broker.broker().partitions().partition(new TopicPartition(topic, 0)).orElseThrow().log();
    }

    @Test
    void fsyncBeforeAckAcknowledgesOnlyRecordsOnDisk() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("strata.log.fsync-before-ack", "true"))) {
            broker.createTopic("synced", 1, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < 50; i++) {
                    long offset = producer.send(new ProducerRecord<>("synced", ("v" + i).getBytes())).get().offset();
                    assertThat(log(broker, "synced").recoveryPoint()).isGreaterThan(offset);
                }
            }
        }
    }

    @Test
    void flushMessagesAndFlushMsBoundWhatIsUnflushed() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir)) {
            broker.createTopic("every-record", 1, Map.of("flush.messages", "1"));
            broker.createTopic("every-200ms", 1, Map.of("flush.ms", "200"));
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "1"))) {
                long offset = producer.send(new ProducerRecord<>("every-record", "v".getBytes())).get().offset();
                assertThat(log(broker, "every-record").recoveryPoint()).isGreaterThan(offset);

                long timed = producer.send(new ProducerRecord<>("every-200ms", "v".getBytes())).get().offset();
                await().atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(log(broker, "every-200ms").recoveryPoint()).isGreaterThan(timed));
            }
        }
    }
}
