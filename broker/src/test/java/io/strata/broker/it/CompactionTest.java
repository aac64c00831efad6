package io.strata.broker.it;

import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.partition.Partition;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Compaction seen by real clients: a compacted topic, keyless records, and __consumer_offsets. */
class CompactionTest {

    private static final String TOPIC = "profiles";
    /** The same records, never compacted: what the compacted topic would hold without the cleaner. */
    private static final String UNCOMPACTED = "profiles-as-written";

    // Segments roll every 100 ms of appends as well, so __consumer_offsets (100 MiB segments) rolls too.
    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of("strata.log.segment-ms", "100",
            "strata.log.cleaner-interval", "200ms",
            "strata.log.cleaner-dedupe-buffer-size", Long.toString(CleanerSettings.MIN_DEDUPE_BUFFER_BYTES)));

    /** One record as a consumer sees it: offset, key, value (null for a tombstone). */
    private record Entry(long offset, String key, String value) {
    }

    @BeforeAll
    static void start() {
        broker.createTopic(TOPIC, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "1024",
                "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "0"));
        broker.createTopic(UNCOMPACTED, 1, Map.of("segment.bytes", "1024"));
    }

    private static PartitionLog log(TopicPartition tp) {
        return broker.broker().partitions().partition(tp).orElseThrow().log();
    }

    private static String string(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Entry> consumeAll(TopicPartition tp) {
        long end = log(tp).logEndOffset();
        List<Entry> entries = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    entries.add(new Entry(record.offset(), string(record.key()), string(record.value())));
                }
            }
        }
        return entries;
    }

    /** Below the active segment the latest record of each key, tombstones gone; the active segment as written. */
    private static List<Entry> model(List<Entry> produced, long activeBaseOffset) {
        Map<String, Entry> latest = new LinkedHashMap<>();
        produced.stream().filter(e -> e.offset() < activeBaseOffset).forEach(e -> latest.put(e.key(), e));
        TreeMap<Long, Entry> expected = new TreeMap<>();
        latest.values().stream().filter(e -> e.value() != null).forEach(e -> expected.put(e.offset(), e));
        produced.stream().filter(e -> e.offset() >= activeBaseOffset).forEach(e -> expected.put(e.offset(), e));
        return new ArrayList<>(expected.values());
    }

    private static long activeBaseOffset(TopicPartition tp) {
        List<LogSegment> segments = log(tp).segments();
        return segments.get(segments.size() - 1).baseOffset();
    }

    @Test
    void consumersReadTheLatestValuePerKeyOnceTheTopicIsCompacted() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        List<Entry> produced = new ArrayList<>();
        Random random = new Random(11);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (int i = 0; i < 400; i++) {
                String key = "user-" + random.nextInt(25);
                String value = random.nextInt(10) == 0 ? null : "profile-" + i + "-" + "x".repeat(random.nextInt(40));
                long offset = producer.send(new ProducerRecord<>(TOPIC, bytes(key), bytes(value))).get().offset();
                produced.add(new Entry(offset, key, value));
                producer.send(new ProducerRecord<>(UNCOMPACTED, bytes(key), bytes(value))).get();
            }
        }
        // Measured on a twin topic: the cleaner already works on this one while the records arrive.
        long sizeWritten = log(new TopicPartition(UNCOMPACTED, 0)).size();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(consumeAll(tp)).isEqualTo(model(produced, activeBaseOffset(tp))));
        assertThat(log(tp).size()).isLessThan(sizeWritten / 2);
        assertThat(log(tp).logEndOffset()).isEqualTo(400);
    }

    @Test
    void aRecordWithoutAKeyIsRefusedWithInvalidRecord() throws Exception {
        TopicPartition tp = new TopicPartition("keyed-only", 0);
        broker.createTopic(tp.topic(), 1, Map.of("cleanup.policy", "compact,delete"));
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            producer.send(new ProducerRecord<>(tp.topic(), bytes("k"), bytes("v"))).get();
            long end = log(tp).logEndOffset();

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(tp.topic(), null, bytes("no key"))).get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(InvalidRecordException.class)
                    .hasMessageContaining("Compacted topic cannot accept message without key");
            assertThat(log(tp).logEndOffset()).isEqualTo(end);
        }
    }

    /** As Kafka answers (KIP-467): the producer fails the record without a key for it, the rest for its batch. */
    @Test
    void aBatchWithARecordWithoutAKeyIsRefusedNamingThatRecord() throws Exception {
        TopicPartition tp = new TopicPartition("keyed-batch", 0);
        broker.createTopic(tp.topic(), 1, Map.of("cleanup.policy", "compact"));
        Map<String, Object> oneBatch = Map.of(ProducerConfig.LINGER_MS_CONFIG, 60_000); // sent at the flush
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(oneBatch)) {
            Future<RecordMetadata> keyed = producer.send(new ProducerRecord<>(tp.topic(), bytes("k"), bytes("v")));
            Future<RecordMetadata> unkeyed = producer.send(new ProducerRecord<>(tp.topic(), null, bytes("no key")));
            producer.flush();

            assertThatThrownBy(unkeyed::get).cause().isInstanceOf(InvalidRecordException.class)
                    .hasMessage("Compacted topic cannot accept message without key in topic partition " + tp + ".");
            assertThatThrownBy(keyed::get).cause().isExactlyInstanceOf(KafkaException.class)
                    .hasMessageContaining("part of a batch which had one more more invalid records");
            assertThat(log(tp).logEndOffset()).isZero();
        }
    }

    @Test
    void consumerOffsetsAreCompactedAndCommittedOffsetsSurviveARestart() throws Exception {
        String group = "compacted-commits";
        TopicPartition tp = new TopicPartition("commits", 0);
        broker.createTopic(tp.topic(), 1, Map.of());
        int commits = 300;
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.assign(List.of(tp));
            for (int i = 1; i <= commits; i++) {
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(i, "meta-" + i)));
                if (i % 20 == 0) {
                    Thread.sleep(110); // lets the segment roll
                }
            }
        }
        Partition offsets = broker.broker().partitions().partitions().stream()
                .filter(p -> p.topicPartition().topic().equals(Topic.GROUP_METADATA_TOPIC_NAME))
                .max(Comparator.comparingLong(p -> p.log().logEndOffset())).orElseThrow();
        assertThat(offsets.log().logEndOffset()).isGreaterThanOrEqualTo(commits);
        assertThat(offsets.log().segments().size()).isGreaterThan(5);

        // Every commit has the same key: the closed segments shrink to the producer-less latest record.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(recordsBelowActiveSegment(offsets.log())).isLessThanOrEqualTo(2));

        broker.restart();
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            OffsetAndMetadata committed = consumer.committed(Set.of(tp), Duration.ofSeconds(20)).get(tp);
            assertThat(committed.offset()).isEqualTo(commits);
            assertThat(committed.metadata()).isEqualTo("meta-" + commits);
        }
    }

    private static int recordsBelowActiveSegment(PartitionLog log) {
        List<LogSegment> segments = log.segments();
        int count = 0;
        for (LogSegment segment : segments.subList(0, segments.size() - 1)) {
            for (Record ignored : segment.log().records()) {
                count++;
            }
        }
        return count;
    }
}
