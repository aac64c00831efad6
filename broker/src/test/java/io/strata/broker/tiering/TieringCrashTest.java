package io.strata.broker.tiering;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.FreePorts;
import io.strata.broker.testing.TestBroker;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker process tiering and deleting locally every 20 ms is killed with SIGKILL, three times,
 * while a producer keeps writing: afterwards every acknowledged record reads back exactly once and in
 * order, from the bucket and the disk, and the sweeper leaves only the objects of committed segments.
 */
class TieringCrashTest {

    private static final TopicPartition TP = new TopicPartition("tiered-crash", 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @Test
    void killsDuringUploadsLoseNothingDuplicateNothingAndLeaveNoOrphans() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        int port = FreePorts.take(1)[0];   // below the ephemeral range: free again for each restart
        int next = 0;
        for (int cycle = 0; cycle < 3; cycle++) {
            try (BrokerProcess broker = BrokerProcess.start(dataDir, port, logs.resolve("broker-" + cycle + ".log"))) {
                port = broker.port();
                if (cycle == 0) {
                    createTopic(broker.bootstrapServers());
                }
                List<String> acked = produceThenKill(broker, next, 400);
                acknowledged.addAll(acked);
                next += 400;
            }
        }

        try (TestBroker broker = TestBroker.start(dataDir, Map.of("strata.tiering.upload-interval", "100ms",
                "strata.tiering.orphan-grace-period", "1s", "strata.tiering.orphan-sweep-interval", "200ms"))) {
            var partition = broker.broker().partitions().partition(TP).orElseThrow();
            assertThat(partition.localLogStartOffset()).as("the history starts in the bucket").isPositive();
            assertThat(partition.logStartOffset()).as("the history starts in the bucket").isZero();
            long end = partition.log().logEndOffset();
            List<ConsumerRecord<byte[], byte[]>> read = broker.readAll(List.of(TP), (int) end, TIMEOUT);
            List<String> values = read.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
            assertThat(read).extracting(ConsumerRecord::offset).as("every offset once, in order")
                    .containsExactlyElementsOf(Stream.iterate(0L, o -> o + 1).limit(end).toList());
            assertThat(new HashSet<>(values)).as("nothing written twice").hasSameSizeAs(values);
            assertThat(values).as("nothing acknowledged lost").containsAll(acknowledged);

            await().atMost(TIMEOUT).untilAsserted(() -> {
                Set<UUID> committed = partition.tiered().manifest().segments().stream()
                        .map(RemoteSegment::segmentId).collect(Collectors.toSet());
                assertThat(objectSegmentIds(dataDir.resolve("tiered"))).as("only committed segments' objects")
                        .isSubsetOf(committed);
            });
        }
    }

    private static void createTopic(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TP.topic(), 1, (short) 1).configs(Map.of(
                    TopicConfig.SEGMENT_BYTES_CONFIG, "1024",
                    TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true",
                    TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, "0")))).all().get();
        }
    }

    /**
     * Sends {@code count} records from {@code first} on, one batch each, and kills the broker while
     * the last of them are in flight; returns the values acknowledged before the kill.
     */
    private static List<String> produceThenKill(BrokerProcess broker, int first, int count) throws Exception {
        ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = first; i < first + count; i++) {
                String value = "value-" + i + "-" + "x".repeat(150);
                producer.send(new ProducerRecord<>(TP.topic(), value.getBytes(StandardCharsets.UTF_8)),
                        (metadata, failure) -> {
                            if (failure == null) {
                                acked.add(value);
                            }
                        });
                Thread.sleep(1);
            }
            // Uploads run every 20 ms while segments of about 6 records roll: the kill lands among them,
            // with the last sends still unacknowledged.
            broker.kill();
            producer.flush();
        }
        return new ArrayList<>(acked);
    }

    /**
     * The segment ids in the names of the files under the store's directory, all of which must be
     * objects ({@code <20-digit base offset>-<uuid>.<suffix>}): an upload the kill cut short leaves a
     * temporary file, which the store deletes when it opens again.
     */
    private static Set<UUID> objectSegmentIds(Path store) throws IOException {
        if (!Files.exists(store)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.walk(store)) {
            List<String> names = files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).toList();
            assertThat(names).allMatch(name -> name.matches("\\d{20}-[0-9a-f-]{36}\\..+"));
            return names.stream().map(name -> UUID.fromString(name.substring(21, 57))).collect(Collectors.toSet());
        }
    }
}
