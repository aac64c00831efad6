package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Producer and consumer round trips with the real Java client against a real broker. */
class ProduceConsumeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    @Test
    void keyedRecordsKeepTheirPartitionAndOrder() throws Exception {
        broker.createTopic("keyed", 6, Map.of());
        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, List<Long>> offsetsOfKey = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                sends.add(producer.send(new ProducerRecord<>("keyed", bytes("key-" + (i % 20)), bytes("value-" + i))));
            }
            for (int i = 0; i < sends.size(); i++) {
                RecordMetadata metadata = sends.get(i).get();
                String key = "key-" + (i % 20);
                Integer previous = partitionOfKey.putIfAbsent(key, metadata.partition());
                assertThat(previous == null ? metadata.partition() : previous).isEqualTo(metadata.partition());
                offsetsOfKey.computeIfAbsent(key, k -> new ArrayList<>()).add(metadata.offset());
            }
        }
        offsetsOfKey.values().forEach(offsets -> assertThat(offsets).isSorted());

        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(partitions("keyed", 6), 600, TIMEOUT);
        assertThat(records).hasSize(600);
        Map<String, List<Integer>> valuesOfKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = string(record.key());
            assertThat(record.partition()).isEqualTo(partitionOfKey.get(key));
            valuesOfKey.computeIfAbsent(key, k -> new ArrayList<>())
                    .add(Integer.parseInt(string(record.value()).substring("value-".length())));
        }
        valuesOfKey.values().forEach(values -> assertThat(values).isSorted());
        assertThat(partitionOfKey.values().stream().distinct().count()).isGreaterThan(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksModeDelivers(String acks) throws Exception {
        String topic = "acks-" + acks;
        broker.createTopic(topic, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all")))) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("v" + i)));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(partitions(topic, 1), 100, TIMEOUT);
        assertThat(records).extracting(r -> string(r.value()))
                .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> "v" + i).toList());
        assertThat(records).extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(IntStream.range(0, 100).mapToObj(i -> (long) i).toList());
    }

    @Test
    void aTopicWithFewerReplicasThanMinInsyncReplicasTakesAcksAll() throws Exception {
        broker.createTopic("min-isr-over-replicas", 1, Map.of("min.insync.replicas", "2"));
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            RecordMetadata metadata = producer.send(new ProducerRecord<>("min-isr-over-replicas", bytes("v")))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(metadata.offset()).isZero();
        }
    }

    @Test
    void aTopicWithACompressionTypeStoresWhatProducersSendInItsCodec() throws Exception {
        broker.createTopic("stored-zstd", 1, Map.of("compression.type", "zstd"));
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip"))) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>("stored-zstd", bytes("key-" + i), bytes("a compressible value " + i)));
            }
            producer.flush();
        }
        List<CompressionType> stored = new ArrayList<>();
        try (FileRecords log = FileRecords.open(broker.broker().dataDir().resolve("logs").resolve("stored-zstd-0")
                .resolve("00000000000000000000.log").toFile())) {
            log.batches().forEach(batch -> stored.add(batch.compressionType()));
        }
        assertThat(stored).isNotEmpty().containsOnly(CompressionType.ZSTD);
        assertThat(broker.readAll(partitions("stored-zstd", 1), 200, TIMEOUT)).extracting(r -> string(r.value()))
                .containsExactlyElementsOf(IntStream.range(0, 200).mapToObj(i -> "a compressible value " + i).toList());
        // As Kafka: fetchers from before zstd (Fetch v9 and older) are refused a topic that stores it.
        assertThat(fetchError("stored-zstd", (short) 9)).isEqualTo(Errors.UNSUPPORTED_COMPRESSION_TYPE);
        assertThat(fetchError("stored-zstd", (short) 10)).isEqualTo(Errors.NONE);
    }

    private static Errors fetchError(String topic, short version) throws Exception {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setReplicaId(-1);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20))));
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            FetchResponse response = (FetchResponse) wire.send(ApiKeys.FETCH, version, data);
            return Errors.forCode(response.data().responses().get(0).partitions().get(0).errorCode());
        }
    }

    @Test
    void oneRequestInFlightKeepsSendOrder() throws Exception {
        broker.createTopic("in-flight-one", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "1"))) {
            for (int i = 0; i < 500; i++) {
                producer.send(new ProducerRecord<>("in-flight-one", bytes("v" + i)));
            }
            producer.flush();
        }
        assertThat(broker.readAll(partitions("in-flight-one", 1), 500, TIMEOUT)).extracting(r -> string(r.value()))
                .containsExactlyElementsOf(IntStream.range(0, 500).mapToObj(i -> "v" + i).toList());
    }

    @Test
    void headersTimestampsNullsAndLargeRecordsRoundTrip() throws Exception {
        broker.createTopic("shapes", 1, Map.of());
        byte[] large = new byte[900 * 1024];
        new Random(7).nextBytes(large);
        long timestamp = 1_700_000_000_000L;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            producer.send(new ProducerRecord<>("shapes", null, timestamp, bytes("k"), bytes("v"),
                    List.of(new RecordHeader("h1", bytes("one")), new RecordHeader("h2", (byte[]) null)))).get();
            producer.send(new ProducerRecord<>("shapes", null, bytes("no-key"))).get();
            producer.send(new ProducerRecord<>("shapes", bytes("tombstone"), null)).get();
            producer.send(new ProducerRecord<>("shapes", bytes("large"), large)).get();
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(partitions("shapes", 1), 4, TIMEOUT);
        assertThat(records).hasSize(4);
        ConsumerRecord<byte[], byte[]> first = records.get(0);
        assertThat(first.timestamp()).isEqualTo(timestamp);
        assertThat(first.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(string(first.headers().lastHeader("h1").value())).isEqualTo("one");
        assertThat(first.headers().lastHeader("h2").value()).isNull();
        assertThat(records.get(1).key()).isNull();
        assertThat(string(records.get(1).value())).isEqualTo("no-key");
        assertThat(records.get(2).value()).isNull();
        assertThat(records.get(3).value()).isEqualTo(large);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesRoundTrip(String codec) throws Exception {
        String topic = "codec-" + codec;
        broker.createTopic(topic, 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < 1000; i++) {
                producer.send(new ProducerRecord<>(topic, bytes("key" + i), bytes("compressible value " + i + " ".repeat(50))));
            }
            producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readAll(partitions(topic, 1), 1000, TIMEOUT);
        assertThat(records).hasSize(1000);
        assertThat(records).extracting(ConsumerRecord::offset)
                .containsExactlyElementsOf(IntStream.range(0, 1000).mapToObj(i -> (long) i).toList());
        assertThat(string(records.get(999).key())).isEqualTo("key999");
    }

    @Test
    void offsetsCanBeLookedUpByTimestamp() throws Exception {
        broker.createTopic("by-time", 1, Map.of());
        long base = System.currentTimeMillis() - 60_000;
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("by-time", 0, base + i * 1000L, null, bytes("v" + i))).get();
            }
        }
        TopicPartition tp = new TopicPartition("by-time", 0);
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(Map.of(tp, base + 4500L));
            assertThat(found.get(tp).offset()).isEqualTo(5);
            assertThat(found.get(tp).timestamp()).isEqualTo(base + 5000L);
            assertThat(consumer.offsetsForTimes(Map.of(tp, base + 20_000L)).get(tp)).isNull();
            assertThat(consumer.beginningOffsets(List.of(tp)).get(tp)).isZero();
            assertThat(consumer.endOffsets(List.of(tp)).get(tp)).isEqualTo(10);
        }
    }

    @Test
    void logAppendTimeTopicsStampRecordsWithTheBrokerClock() throws Exception {
        broker.createTopic("append-time", 1, Map.of("message.timestamp.type", "LogAppendTime"));
        long before = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            RecordMetadata metadata = producer.send(new ProducerRecord<>("append-time", 0, 42L, null, bytes("v"))).get();
            assertThat(metadata.timestamp()).isGreaterThanOrEqualTo(before);
        }
        ConsumerRecord<byte[], byte[]> record = broker.readAll(partitions("append-time", 1), 1, TIMEOUT).get(0);
        assertThat(record.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(record.timestamp()).isGreaterThanOrEqualTo(before);
    }
}
