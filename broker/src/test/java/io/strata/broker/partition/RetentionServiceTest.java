package io.strata.broker.partition;

import io.strata.broker.log.LogFiles;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retention over a real broker, whose rounds run every 200 ms. */
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

    private static List<Path> deletedFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(LogFiles.DELETED_SUFFIX)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
