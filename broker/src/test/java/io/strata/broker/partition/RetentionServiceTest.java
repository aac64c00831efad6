package io.strata.broker.partition;

import io.strata.broker.log.LogFiles;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retention, and the expiration of idle producers, over a real broker whose rounds run every 200 ms. */
@Timeout(90)
class RetentionServiceTest {

    @TempDir
    Path dataDir;

    @Test
    void segmentsRetentionRemovedFromAnIdlePartitionLeaveTheDiskOnceTheirDelayHasPassed() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("strata.log.retention-check-interval", "200ms"))) {
            // Records an hour old, a second apart, so each starts a segment (segment.ms counts in record
            // time); all but the active segment are past a one-minute retention.
            broker.createTopic("idle", 1, Map.of("retention.ms", "60000", "segment.ms", "1", "file.delete.delay.ms", "1000"));
            long anHourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
                for (int i = 0; i < 3; i++) {
                    producer.send(new ProducerRecord<>("idle", 0, anHourAgo + i * 1000L, null, ("r" + i).getBytes())).get();
                }
            }
            Path partitionDir = dataDir.resolve("logs").resolve(LogFiles.partitionDirName(new TopicPartition("idle", 0)));

            await().atMost(Duration.ofSeconds(30)).until(() -> !deletedFiles(partitionDir).isEmpty());
            // No append follows: only the retention rounds can delete them, once the delay has passed.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> deletedFiles(partitionDir).isEmpty());
            assertThat(broker.broker().partitions().partition(new TopicPartition("idle", 0)).orElseThrow()
                    .logStartOffset()).isEqualTo(2);
        }
    }

    @Test
    void producersIdleForTheExpirationAreForgottenAndOthersKept() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("strata.log.retention-check-interval", "200ms",
                "strata.transactions.producer-id-expiration", "10m"))) {
            broker.createTopic("producers", 1, Map.of());
            TopicPartition tp = new TopicPartition("producers", 0);
            produceOne(broker, tp, System.currentTimeMillis());
            produceOne(broker, tp, System.currentTimeMillis() - Duration.ofHours(1).toMillis());
            List<Long> writers = new ArrayList<>();
            broker.broker().partitions().partition(tp).orElseThrow().log().read(0, Integer.MAX_VALUE, true)
                    .records().batches().forEach(batch -> writers.add(batch.producerId()));
            assertThat(writers).as("two idempotent producers, the second stamping an hour ago").hasSize(2)
                    .doesNotHaveDuplicates();

            try (Admin admin = broker.admin()) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .untilAsserted(() -> assertThat(activeProducers(admin, tp))
                                .extracting(ProducerState::producerId).containsExactly(writers.get(0)));
            }
        }
    }

    /** One record stamped {@code timestamp}, from a new idempotent producer. */
    private static void produceOne(TestBroker broker, TopicPartition tp, long timestamp) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                "true"))) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), timestamp, null, "r".getBytes())).get();
        }
    }

    private static List<ProducerState> activeProducers(Admin admin, TopicPartition tp) throws Exception {
        return admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
    }

    private static List<Path> deletedFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(LogFiles.DELETED_SUFFIX)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
