package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.testing.S3ProxyBucket;
import io.strata.broker.testing.TestBroker;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.ObjectStores;
import io.strata.tiered.RemoteSegment;
import io.strata.tiered.SegmentFileType;
import io.strata.tiered.SegmentIds;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** Closed segments of a real broker's partitions are uploaded and committed to the replicated manifest. */
class TieringTest {

    private static final Map<String, String> TIERED = Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1024",
            TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    /** A broker uploading every 100 ms, with {@code more} configuration. */
    private TestBroker start(Map<String, String> more) {
        return TestBroker.start(dataDir, fastTiering(more));
    }

    /** A broker tiering to {@code bucket} under {@code cluster-1}, uploading every 100 ms, with {@code more}. */
    private TestBroker startOn(S3ProxyBucket bucket, Map<String, String> more) {
        Map<String, String> config = new HashMap<>(Map.of("strata.tiering.url", bucket.url("cluster-1").toString(),
                "strata.tiering.s3-path-style", "true"));
        config.putAll(more);
        return TestBroker.start(dataDir, fastTiering(config),
                settings -> settings.withTiering(settings.tiering().withEnvironment(bucket.environment())));
    }

    private static Map<String, String> fastTiering(Map<String, String> more) {
        Map<String, String> config = new HashMap<>(Map.of("strata.tiering.upload-interval", "100ms"));
        config.putAll(more);
        return config;
    }

    @Test
    void closedSegmentsAreUploadedCommittedAndSurviveARestartUntilTheTopicIsDeleted() throws Exception {
        try (TestBroker broker = start(Map.of())) {
            broker.createTopic("tiered", 1, TIERED);
            broker.createTopic("local", 1, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1024"));
            produce(broker, "tiered", 60);
            produce(broker, "local", 60);

            List<RemoteSegment> manifest = awaitManifestCoversClosedSegments(broker, "tiered");
            assertThat(manifest).hasSizeGreaterThanOrEqualTo(5);
            Path store = dataDir.resolve("tiered");
            PartitionLog log = log(broker, "tiered");
            for (RemoteSegment segment : manifest) {
                Path object = store.resolve(segment.key(SegmentFileType.LOG).value());
                assertThat(Files.readAllBytes(object)).as("segment %d", segment.baseOffset())
                        .isEqualTo(Files.readAllBytes(LogFiles.logFile(log.dir(), segment.baseOffset())));
                assertThat(store.resolve(segment.key(SegmentFileType.OFFSET_INDEX).value())).isRegularFile();
            }
            assertThat(log(broker, "local").segments()).hasSizeGreaterThan(5);
            assertThat(image(broker).remoteManifest(topicId(broker, "local"), 0).segments()).isEmpty();
            assertThat(filesUnder(store)).allMatch(file -> file.toString().contains("tiered-"));

            broker.restart();
            assertThat(image(broker).remoteManifest(topicId(broker, "tiered"), 0).segments()).containsExactlyElementsOf(manifest);

            try (Admin admin = broker.admin()) {
                admin.deleteTopics(List.of("tiered")).all().get();
            }
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(filesUnder(store)).isEmpty());
        }
    }

    @Test
    void theBrokerWideDefaultTiersNewTopicsButNotTheOffsetsTopic() throws Exception {
        try (TestBroker broker = start(Map.of("strata.log.remote-storage-enable", "true"))) {
            broker.createTopic("tiered", 1, Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1024"));
            produce(broker, "tiered", 20);
            assertThat(awaitManifestCoversClosedSegments(broker, "tiered")).isNotEmpty();
            try (Admin admin = broker.admin()) {
                // Creates __consumer_offsets, compacted and so never tiered.
                assertThat(admin.listConsumerGroupOffsets("a-group").partitionsToOffsetAndMetadata().get()).isEmpty();
            }
            await().atMost(TIMEOUT).until(() -> image(broker).topic("__consumer_offsets").isPresent());
        }
    }

    @Test
    void orphanedObjectsAreSweptAndCommittedOnesKept() throws Exception {
        try (TestBroker broker = start(Map.of("strata.tiering.orphan-grace-period", "1m",
                "strata.tiering.orphan-sweep-interval", "200ms"))) {
            broker.createTopic("tiered", 1, TIERED);
            produce(broker, "tiered", 20);
            List<RemoteSegment> manifest = awaitManifestCoversClosedSegments(broker, "tiered");
            RemoteSegment committed = manifest.get(0);
            // What an upload interrupted an hour ago by a crash leaves behind.
            UUID crashedUpload = new SegmentIds(Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC)).next();
            ObjectKey orphanKey = committed.layout().segmentFile(committed.partition(), committed.baseOffset(),
                    crashedUpload, SegmentFileType.LOG);
            Path store = dataDir.resolve("tiered");
            Path orphan = store.resolve(orphanKey.value());
            Files.write(orphan, new byte[] {1, 2, 3});

            await().atMost(TIMEOUT).until(() -> !Files.exists(orphan));
            assertThat(store.resolve(committed.key(SegmentFileType.LOG).value())).isRegularFile();
        }
    }

    @Test
    void theSweepLeavesRemovedSegmentsToTheirDelayedDeletion() throws Exception {
        Duration gracePeriod = Duration.ofSeconds(2);
        try (TestBroker broker = start(Map.of("strata.tiering.orphan-grace-period", gracePeriod.toMillis() + "ms",
                "strata.tiering.orphan-sweep-interval", "100ms", "strata.tiering.removed-segment-delete-delay", "5m"))) {
            broker.createTopic("tiered", 1, TIERED);
            produce(broker, "tiered", 20);
            List<RemoteSegment> manifest = awaitManifestCoversClosedSegments(broker, "tiered");
            RemoteSegment removed = manifest.get(0);
            // Old enough for the sweep to take the segment's objects for orphans once no manifest names them.
            Thread.sleep(gracePeriod.plusMillis(500).toMillis());
            try (Admin admin = broker.admin()) {
                admin.deleteRecords(Map.of(new TopicPartition("tiered", 0),
                        RecordsToDelete.beforeOffset(manifest.get(1).baseOffset()))).all().get();
            }
            Uuid topicId = topicId(broker, "tiered");
            await().atMost(TIMEOUT).until(() -> !image(broker).remoteManifest(topicId, 0).contains(removed.segmentId()));

            Path store = dataDir.resolve("tiered");
            // Two whole sweeps after the removal: each deletes an orphan written once the one before was gone.
            for (int sweep = 0; sweep < 2; sweep++) {
                UUID crashedUpload = new SegmentIds(Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC)).next();
                Path orphan = store.resolve(removed.layout().segmentFile(removed.partition(), removed.baseOffset(),
                        crashedUpload, SegmentFileType.LOG).value());
                Files.write(orphan, new byte[] {1, 2, 3});
                await().atMost(TIMEOUT).until(() -> !Files.exists(orphan));
            }
            for (ObjectKey key : removed.keys()) {
                assertThat(store.resolve(key.value())).isRegularFile();
            }
        }
    }

    @Test
    void uploadsToAnS3StoreOverHttp() throws Exception {
        try (S3ProxyBucket bucket = S3ProxyBucket.start()) {
            URI url = bucket.url("cluster-1");
            try (TestBroker broker = startOn(bucket, Map.of());
                 ObjectStore store = ObjectStores.open(url, Map.of(ObjectStores.S3_PATH_STYLE, "true"),
                         bucket.environment())) {
                broker.createTopic("tiered", 1, TIERED);
                produce(broker, "tiered", 30);

                List<RemoteSegment> manifest = awaitManifestCoversClosedSegments(broker, "tiered");
                assertThat(manifest).isNotEmpty();
                PartitionLog log = log(broker, "tiered");
                for (RemoteSegment segment : manifest) {
                    ByteBuffer object = store.get(segment.key(SegmentFileType.LOG), 0, Integer.MAX_VALUE).get();
                    byte[] bytes = new byte[object.remaining()];
                    object.get(bytes);
                    assertThat(bytes).isEqualTo(Files.readAllBytes(LogFiles.logFile(log.dir(), segment.baseOffset())));
                }
            }
        }
    }

    @Test
    void produceGoesOnWhileTheBucketIsDownUntilTheDiskLimitAndUploadsCatchUpAfter() throws Exception {
        try (S3ProxyBucket bucket = S3ProxyBucket.start()) {
            Map<String, String> configs = Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1024",
                    TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true", TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, "0");
            try (TestBroker broker = startOn(bucket, Map.of("strata.log.retention-check-interval", "100ms",
                    "strata.log.local-disk-limit", Integer.toString(24 * 1024)))) {
                broker.createTopic("tiered", 1, configs);
                produce(broker, "tiered", 20);
                awaitClosedSegmentsTiered(broker, "tiered");
                TieringService service = broker.broker().tiering();
                assertThat(service.status().reachable()).isTrue();

                bucket.stop();
                await().atMost(TIMEOUT).until(() -> !service.status().reachable());
                assertThat(service.status().reason()).hasValueSatisfying(reason -> assertThat(reason).isNotBlank());
                long tieredEnd = broker.broker().partitions().partition(new TopicPartition("tiered", 0)).orElseThrow()
                        .tiered().manifest().endOffset();
                produce(broker, "tiered", 40);
                PartitionLog log = log(broker, "tiered");
                assertThat(log.logStartOffset()).as("nothing untiered is deleted locally").isLessThanOrEqualTo(tieredEnd);
                await().atMost(TIMEOUT).until(() -> service.uploadStats().lagBytes() > 0);

                // Past the disk limit, produce fails with a retriable error rather than filling the disk.
                // No retries, so that the error itself surfaces rather than a delivery timeout.
                try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.RETRIES_CONFIG, 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false))) {
                    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(catchThrowable(() ->
                            producer.send(new ProducerRecord<>("tiered", new byte[200])).get()))
                            .hasCauseInstanceOf(KafkaStorageException.class));
                }

                bucket.restart();
                await().atMost(TIMEOUT).until(() -> service.status().reachable());
                awaitClosedSegmentsTiered(broker, "tiered");
                await().atMost(TIMEOUT).until(() -> service.uploadStats().lagBytes() == 0
                        && broker.broker().partitions().diskLimitReached().isEmpty());
                produce(broker, "tiered", 1);
                // Everything acknowledged reads back, from the bucket and the disk: 61 records and those the
                // producer above got in before the limit.
                int end = (int) log.logEndOffset();
                assertThat(end).isGreaterThan(61);
                assertThat(broker.readAll(List.of(new TopicPartition("tiered", 0)), end, TIMEOUT))
                        .extracting(ConsumerRecord::offset)
                        .containsExactlyElementsOf(LongStream.range(0, end).boxed().toList());
            }
        }
    }

    /** Sends one record at a time, so that each is a batch of its own and segments roll often. */
    private static void produce(TestBroker broker, String topic, int records) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            byte[] value = new byte[200];
            for (int i = 0; i < records; i++) {
                Arrays.fill(value, (byte) i);
                producer.send(new ProducerRecord<>(topic, value.clone())).get();
            }
        }
    }

    /** Waits until every closed local segment of partition 0 is in the manifest, local retention or not. */
    private static void awaitClosedSegmentsTiered(TestBroker broker, String topic) {
        Uuid topicId = topicId(broker, topic);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(image(broker).remoteManifest(topicId, 0).segments())
                .extracting(RemoteSegment::baseOffset).containsAll(closedSegmentBases(broker, topic)));
    }

    /** Waits until every closed segment of partition 0 is in the manifest, and returns the manifest. */
    private static List<RemoteSegment> awaitManifestCoversClosedSegments(TestBroker broker, String topic) {
        Uuid topicId = topicId(broker, topic);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(image(broker).remoteManifest(topicId, 0).segments())
                .extracting(RemoteSegment::baseOffset).containsExactlyElementsOf(closedSegmentBases(broker, topic)));
        return image(broker).remoteManifest(topicId, 0).segments();
    }

    /** The base offsets of partition 0's closed local segments: all but the active one. */
    private static List<Long> closedSegmentBases(TestBroker broker, String topic) {
        List<LogSegment> segments = log(broker, topic).segments();
        return segments.subList(0, segments.size() - 1).stream().map(LogSegment::baseOffset).toList();
    }

    private static MetadataImage image(TestBroker broker) {
        return broker.broker().metadataImage();
    }

    private static Uuid topicId(TestBroker broker, String topic) {
        return image(broker).topic(topic).orElseThrow().topicId();
    }

    private static PartitionLog log(TestBroker broker, String topic) {
        return broker.broker().partitions().partition(new TopicPartition(topic, 0)).orElseThrow().log();
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
