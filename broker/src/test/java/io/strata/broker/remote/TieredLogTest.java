package io.strata.broker.remote;

import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogFiles;
import io.strata.broker.partition.Partition;
import io.strata.broker.testing.TestBroker;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The tiered log of a real broker read back through the Kafka protocol: fetches and ListOffsets below
 * the local log, local retention of tiered segments, a partition restored from the bucket after losing
 * its disk, time and size retention across both tiers, and compaction in the bucket. Each subclass
 * runs it against one kind of object store.
 */
abstract class TieredLogTest {

    private static final TopicPartition TP = new TopicPartition("history", 0);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int RECORDS = 200;
    /** Compacted as soon as anything is dirty; tombstones and markers kept a second. */
    private static final Map<String, String> COMPACTED = Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.01",
            TopicConfig.DELETE_RETENTION_MS_CONFIG, "1000");

    @TempDir
    Path dataDir;

    /** The configuration keys that point the broker's tiering at the store under test. */
    protected abstract Map<String, String> storeConfig();

    /** The AWS SDK's environment for the store under test (endpoint, credentials), which no key holds. */
    protected abstract Map<String, String> storeEnvironment();

    /** A client of the store under test, as the broker sees it. */
    protected abstract ObjectStore openStore() throws Exception;

    private TestBroker start() {
        Map<String, String> config = new HashMap<>(Map.of(
                "strata.log.retention-check-interval", "100ms",
                "strata.log.cleaner-interval", "200ms",
                "strata.tiering.upload-interval", "100ms",
                "strata.tiering.removed-segment-delete-delay", "100ms",
                // Small chunks, so that reads span several of them and read ahead.
                "strata.tiering.chunk-size", "4096",
                "strata.tiering.cache-size", Integer.toString(64 * 1024)));
        config.putAll(storeConfig());
        return TestBroker.start(dataDir, config,
                settings -> settings.withTiering(settings.tiering().withEnvironment(storeEnvironment())));
    }

    /** A started broker with the partition's topic, tiered as {@link #tieredConfigs} says. */
    private TestBroker startWithTopic(Map<String, String> moreConfigs) {
        TestBroker broker = start();
        try {
            broker.createTopic(TP.topic(), 1, tieredConfigs(moreConfigs));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** Tiered, and deleted locally as soon as tiered. */
    private static Map<String, String> tieredConfigs(Map<String, String> more) {
        Map<String, String> configs = new HashMap<>(Map.of(
                TopicConfig.SEGMENT_BYTES_CONFIG, "2048",
                TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true",
                TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, "0"));
        configs.putAll(more);
        return configs;
    }

    @Test
    void historyBelowTheLocalLogIsReadFromTheBucketInOrder() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of())) {
            List<String> sent = produce(broker, 0, RECORDS, System.currentTimeMillis());
            Partition partition = awaitLocalStartAbove(broker, 0);

            assertThat(values(broker.readAll(List.of(TP), RECORDS, TIMEOUT))).containsExactlyElementsOf(sent);
            assertThat(offsetsOf(broker.readAll(List.of(TP), RECORDS, TIMEOUT)))
                    .containsExactlyElementsOf(range(0, RECORDS));

            RemoteManifest manifest = partition.tiered().manifest();
            try (Admin admin = broker.admin()) {
                assertThat(listOffset(admin, OffsetSpec.earliest())).isZero();
                assertThat(listOffset(admin, OffsetSpec.earliestLocal())).isEqualTo(partition.log().logStartOffset())
                        .isPositive();
                assertThat(listOffset(admin, OffsetSpec.latestTiered())).isEqualTo(manifest.lastOffset());
                assertThat(listOffset(admin, OffsetSpec.latest())).isEqualTo(RECORDS);
            }
        }
    }

    @Test
    void readCommittedReadsOfTheBucketSkipAbortedTransactions() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of())) {
            List<String> committed = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tiered-writer"))) {
                producer.initTransactions();
                for (int t = 0; t < 20; t++) {
                    producer.beginTransaction();
                    for (int i = 0; i < 5; i++) {
                        String value = "txn-" + t + "-" + i + "-" + "x".repeat(100);
                        producer.send(new ProducerRecord<>(TP.topic(), 0, null, value.getBytes(StandardCharsets.UTF_8)));
                        if (t % 2 == 0) {
                            committed.add(value);
                        }
                    }
                    producer.flush();
                    if (t % 2 == 0) {
                        producer.commitTransaction();
                    } else {
                        producer.abortTransaction();
                    }
                }
            }
            // 20 transactions of 5 records and a marker each, then enough records to close their segments.
            long transactionsEnd = 20 * 6;
            committed.addAll(produce(broker, 0, 60, System.currentTimeMillis()));
            Partition partition = awaitLocalStartAbove(broker, transactionsEnd);
            assertThat(partition.tiered().manifest().segments()).as("segments with aborts carry their index")
                    .anyMatch(RemoteSegment::hasTransactionIndex);

            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
                assertThat(TestBroker.readToEnd(consumer, List.of(TP), TIMEOUT))
                        .extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                        .containsExactlyElementsOf(committed);
            }
        }
    }

    @Test
    void timestampLookupsSearchTheTieredLogFirst() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of())) {
            long base = System.currentTimeMillis() - 100_000;
            // One millisecond apart: record i has timestamp base + i.
            produce(broker, 0, RECORDS, base);
            Partition partition = awaitLocalStartAbove(broker, 50);
            try (Admin admin = broker.admin()) {
                assertThat(listOffset(admin, OffsetSpec.forTimestamp(base + 17))).isEqualTo(17);
                assertThat(partition.logStartOffset()).as("17 is tiered").isLessThanOrEqualTo(17);
                assertThat(partition.localLogStartOffset()).as("17 is not local").isGreaterThan(17);
                // The last records are in the active segment, which stays local.
                assertThat(listOffset(admin, OffsetSpec.forTimestamp(base + RECORDS - 2))).isEqualTo(RECORDS - 2);
                assertThat(listOffset(admin, OffsetSpec.maxTimestamp())).isEqualTo(RECORDS - 1);
            }
        }
    }

    @Test
    void aPartitionThatLostItsDiskCarriesOnFromTheBucket() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of())) {
            List<String> sent = new ArrayList<>(produce(broker, 0, RECORDS, System.currentTimeMillis()));
            long tieredBefore = awaitLocalStartAbove(broker, 0).tiered().manifest().endOffset();

            Path partitionDir = dataDir.resolve("logs").resolve(LogFiles.partitionDirName(TP));
            broker.restart(() -> deleteRecursively(partitionDir));

            Partition restored = broker.broker().partitions().partition(TP).orElseThrow();
            // Uploads may have gone on until the stop: the log starts where the tiered log ended then.
            long tieredEnd = restored.tiered().manifest().endOffset();
            assertThat(tieredEnd).isGreaterThanOrEqualTo(tieredBefore);
            assertThat(restored.log().logStartOffset()).isEqualTo(tieredEnd);
            assertThat(restored.log().logEndOffset()).as("offsets never restart").isEqualTo(tieredEnd);
            sent = sent.subList(0, (int) tieredEnd);
            sent.addAll(produce(broker, (int) tieredEnd, 10, System.currentTimeMillis()));

            List<ConsumerRecord<byte[], byte[]>> read = broker.readAll(List.of(TP), sent.size(), TIMEOUT);
            assertThat(values(read)).containsExactlyElementsOf(sent);
            assertThat(offsetsOf(read)).containsExactlyElementsOf(range(0, sent.size()));
        }
    }

    @Test
    void deleteRecordsMovesTheStartOfBothTiers() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of())) {
            produce(broker, 0, RECORDS, System.currentTimeMillis());
            Partition partition = awaitLocalStartAbove(broker, 100);
            RemoteSegment first = partition.tiered().manifest().segments().get(0);
            long cut = first.lastOffset() + 5;
            try (Admin admin = broker.admin()) {
                long low = admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(cut))).all()
                        .thenApply(ignored -> cut).get();
                assertThat(low).isEqualTo(cut);
                assertThat(listOffset(admin, OffsetSpec.earliest())).isEqualTo(cut);
            }
            assertThat(partition.tiered().manifest().segments()).doesNotContain(first);
            assertThat(offsetsOf(broker.readAll(List.of(TP), RECORDS - (int) cut, TIMEOUT)))
                    .containsExactlyElementsOf(range(cut, RECORDS));
        }
    }

    @Test
    void timeRetentionDeletesTheOldestSegmentsFromBothTiers() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of())) {
            long hourAgo = System.currentTimeMillis() - 3_600_000;
            produce(broker, 0, RECORDS, hourAgo);
            produce(broker, RECORDS, 50, System.currentTimeMillis());
            Partition partition = awaitLocalStartAbove(broker, 0);
            try (Admin admin = broker.admin()) {
                // Half an hour: everything produced an hour ago goes, the rest stays.
                setConfig(admin, TopicConfig.RETENTION_MS_CONFIG, "1800000");
                await().atMost(TIMEOUT).until(() -> partition.logStartOffset() >= RECORDS - 20);
                long start = partition.logStartOffset();
                assertThat(start).isLessThanOrEqualTo(RECORDS);
                assertThat(partition.tiered().manifest().segments())
                        .allSatisfy(segment -> assertThat(segment.lastOffset()).isGreaterThanOrEqualTo(start));
                assertThat(listOffset(admin, OffsetSpec.earliest())).isEqualTo(start);
            }
            // A consumer at offset 0 is out of range; auto.offset.reset=earliest takes it to the new start.
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
                consumer.assign(List.of(TP));
                consumer.seek(TP, 0);
                List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (read.size() < RECORDS + 50 - partition.logStartOffset() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(read::add);
                }
                assertThat(offsetsOf(read)).containsExactlyElementsOf(range(partition.logStartOffset(), RECORDS + 50));
            }
            // Retention may have emptied the manifest before the newer closed segments were uploaded.
            await().atMost(TIMEOUT).until(() -> !partition.tiered().manifest().segments().isEmpty());
            long firstKept = partition.tiered().manifest().segments().get(0).baseOffset();
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(segmentObjects())
                    .as("the deleted segments' objects go too")
                    .allSatisfy(name -> assertThat(segmentBaseOffset(name)).isGreaterThanOrEqualTo(firstKept)));
        }
    }

    @Test
    void sizeRetentionBoundsBothTiersTogether() throws Exception {
        try (TestBroker broker = startWithTopic(Map.of(TopicConfig.RETENTION_BYTES_CONFIG, "8192",
                    TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, "4096"))) {
            produce(broker, 0, RECORDS, System.currentTimeMillis());
            Partition partition = broker.broker().partitions().partition(TP).orElseThrow();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                RemoteManifest manifest = partition.tiered().manifest();
                long local = partition.log().segments().stream()
                        .filter(segment -> segment.baseOffset() > manifest.lastOffset())
                        .mapToLong(segment -> segment.size()).sum();
                // Within the limit plus the one segment whose removal would take the log below it.
                assertThat(manifest.sizeInBytes() + local).isLessThanOrEqualTo(8192 + 2048);
                assertThat(partition.logStartOffset()).isPositive();
            });
            long start = partition.logStartOffset();
            assertThat(offsetsOf(broker.readAll(List.of(TP), (int) (RECORDS - start), TIMEOUT)))
                    .containsExactlyElementsOf(range(start, RECORDS));
        }
    }

    @Test
    void tieredSegmentsOfACompactedTopicAreCompactedInTheBucket() throws Exception {
        try (TestBroker broker = startWithTopic(COMPACTED)) {
            Map<String, String> model = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < 300; i++) {
                    String key = "k" + (i % 10);
                    String value = "value-" + i + "-" + "x".repeat(60);
                    send(producer, key, value);
                    model.put(key, value);
                }
                for (int k = 0; k < 5; k++) {
                    send(producer, "k" + k, null);
                    model.remove("k" + k);
                }
                // Unique keys push every k-record into closed segments, which are tiered.
                for (int f = 0; f < 40; f++) {
                    String value = "filler-" + f + "-" + "x".repeat(60);
                    send(producer, "f" + f, value);
                    model.put("f" + f, value);
                }
            }
            Partition partition = broker.broker().partitions().partition(TP).orElseThrow();
            long end = partition.log().logEndOffset();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                List<ConsumerRecord<byte[], byte[]>> read = readUntil(broker, end);
                Map<String, String> latest = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : read) {
                    String key = new String(record.key(), StandardCharsets.UTF_8);
                    if (record.value() == null) {
                        latest.remove(key);
                    } else {
                        latest.put(key, new String(record.value(), StandardCharsets.UTF_8));
                    }
                }
                assertThat(latest).isEqualTo(model);
                // Only the latest value of each k-key is left, and the tombstones went after delete.retention.ms.
                assertThat(read).filteredOn(record -> new String(record.key(), StandardCharsets.UTF_8).startsWith("k"))
                        .extracting(record -> record.value() == null ? "<tombstone>"
                                : new String(record.value(), StandardCharsets.UTF_8))
                        .containsExactlyInAnyOrderElementsOf(model.entrySet().stream()
                                .filter(entry -> entry.getKey().startsWith("k")).map(Map.Entry::getValue).toList());
                assertThat(read).extracting(ConsumerRecord::offset).isSorted().doesNotHaveDuplicates();
            });
            // The replaced segments' objects are deleted once the swap is committed.
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(segmentObjects())
                    .hasSameSizeAs(partition.tiered().manifest().segments()));
        }
    }

    @Test
    void compactionInTheBucketRemovesAbortedTransactionsWithTheirMarkersAndIndexEntries() throws Exception {
        try (TestBroker broker = startWithTopic(COMPACTED)) {
            Map<String, String> model = new HashMap<>();
            List<String> aborted = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "compacted-writer"))) {
                producer.initTransactions();
                // Ends with a commit, so that no aborted batch is the producer's last, which would stay as a header.
                for (int t = 0; t <= 10; t++) {
                    producer.beginTransaction();
                    for (int i = 0; i < 3; i++) {
                        String key = "t" + t + "-" + i;
                        String value = "txn-" + t + "-" + i + "-" + "x".repeat(60);
                        send(producer, key, value);
                        if (t % 2 == 0) {
                            model.put(key, value);
                        } else {
                            aborted.add(value);
                        }
                    }
                    if (t % 2 == 0) {
                        producer.commitTransaction();
                    } else {
                        producer.abortTransaction();
                    }
                }
            }
            long transactionsEnd = 11 * 4;
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int f = 0; f < 40; f++) {
                    String value = "filler-" + f + "-" + "x".repeat(60);
                    send(producer, "f" + f, value);
                    model.put("f" + f, value);
                }
            }
            Partition partition = awaitLocalStartAbove(broker, transactionsEnd);
            long end = partition.log().logEndOffset();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(readUntil(broker, end)).extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
                        .as("even read_uncommitted").doesNotContainAnyElementsOf(aborted)
                        .containsExactlyInAnyOrderElementsOf(model.values());
                assertThat(batchesBelow(partition, transactionsEnd)).filteredOn(RecordBatch::isControlBatch)
                        .as("the commit markers, whose records stay").hasSize(6);
                assertThat(partition.tiered().manifest().segments()).noneMatch(RemoteSegment::hasTransactionIndex);
            });
        }
    }

    /** Every batch below {@code end} from the partition's start, control batches included, through its read door. */
    private static List<RecordBatch> batchesBelow(Partition partition, long end) throws Exception {
        List<RecordBatch> batches = new ArrayList<>();
        long offset = partition.logStartOffset();
        while (offset < end) {
            long next = offset;
            for (RecordBatch batch : partition.read(offset, 1 << 20, true, FetchIsolation.HIGH_WATERMARK).get()
                    .records().batches()) {
                if (batch.lastOffset() >= offset && batch.baseOffset() < end) {
                    batches.add(batch);
                }
                next = batch.nextOffset();
            }
            if (next == offset) {
                break;
            }
            offset = next;
        }
        return batches;
    }

    // ----

    private static void send(KafkaProducer<byte[], byte[]> producer, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(TP.topic(), 0, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8))).get();
    }

    /** Everything below {@code end}, from the earliest offset, with the offsets compaction left. */
    private static List<ConsumerRecord<byte[], byte[]>> readUntil(TestBroker broker, long end) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (consumer.position(TP) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** Sends one record per batch, with timestamps one millisecond apart from {@code firstTimestamp}. */
    private static List<String> produce(TestBroker broker, int first, int count, long firstTimestamp) throws Exception {
        List<String> values = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = first; i < first + count; i++) {
                String value = "record-" + i + "-" + "x".repeat(100);
                producer.send(new ProducerRecord<>(TP.topic(), 0, firstTimestamp + i - first, null,
                        value.getBytes(StandardCharsets.UTF_8))).get();
                values.add(value);
            }
        }
        return values;
    }

    /** Waits until tiering and local retention have moved the local log's start above {@code offset}. */
    private static Partition awaitLocalStartAbove(TestBroker broker, long offset) {
        Partition partition = broker.broker().partitions().partition(TP).orElseThrow();
        await().atMost(TIMEOUT).until(() -> partition.log().logStartOffset() > offset);
        return partition;
    }

    private static long listOffset(Admin admin, OffsetSpec spec) throws Exception {
        return admin.listOffsets(Map.of(TP, spec)).partitionResult(TP).get().offset();
    }

    private static void setConfig(Admin admin, String name, String value) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TP.topic());
        admin.incrementalAlterConfigs(Map.of(topic, List.of(new AlterConfigOp(new ConfigEntry(name, value),
                AlterConfigOp.OpType.SET)))).all().get();
    }

    private static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(record -> new String(record.value(), StandardCharsets.UTF_8)).toList();
    }

    private static List<Long> offsetsOf(Collection<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(ConsumerRecord::offset).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> offsets = new ArrayList<>();
        for (long offset = from; offset < to; offset++) {
            offsets.add(offset);
        }
        return offsets;
    }

    /** The names of the segments' {@code .log} objects in the store. */
    private List<String> segmentObjects() throws Exception {
        try (ObjectStore store = openStore()) {
            return store.list(new ObjectKey("tiered")).get().stream()
                    .map(key -> key.value().substring(key.value().lastIndexOf('/') + 1))
                    .filter(name -> name.endsWith(".log")).toList();
        }
    }

    /** Objects are named {@code <20-digit base offset>-<segment id>.log}. */
    private static long segmentBaseOffset(String objectName) {
        return Long.parseLong(objectName.substring(0, 20));
    }

    private static void deleteRecursively(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
