package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kafka Streams application with {@code processing.guarantee=exactly_once_v2}, unmodified, against one broker: it
 * counts words into a changelogged store and writes the counts, each commit a transaction of its output, its
 * changelog and its input offsets. A read_committed consumer of the output ends at the exact counts, and the
 * application's committed offsets reach the end of its input; a second instance with an empty state directory
 * restores the counts from the changelog and carries on exactly.
 */
class KafkaStreamsExactlyOnceTest {

    private static final String INPUT = "words";
    private static final String OUTPUT = "word-counts";
    private static final String APPLICATION = "word-count";
    private static final List<String> WORDS = List.of("ledger", "broker", "segment", "bucket", "replica");

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of("strata.groups.initial-rebalance-delay-ms", "0"));

    @BeforeAll
    static void createTopics() {
        broker.createTopic(INPUT, 2, Map.of());
        broker.createTopic(OUTPUT, 2, Map.of());
    }

    @Test
    void countsAreExactCommittedWithTheirInputAndRestoredFromTheChangelog(@TempDir Path firstStateDir,
                                                                          @TempDir Path emptyStateDir) throws Exception {
        Map<String, Long> expected = new HashMap<>();
        produceWords(0, 200, expected);
        countUntilExact(firstStateDir, expected, 200);

        // Another instance, on a machine without the state: it restores the counts from their changelog.
        produceWords(200, 100, expected);
        countUntilExact(emptyStateDir, expected, 300);
    }

    /**
     * Runs the word count until the output holds {@code expected} for read_committed readers and the group's offsets
     * cover the first {@code records} input records.
     */
    private static void countUntilExact(Path stateDir, Map<String, Long> expected, long records) throws Exception {
        try (KafkaStreams streams = wordCount(stateDir)) {
            streams.start();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(latestCounts()).isEqualTo(expected));
            awaitInputCommitted(records);
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }
    }

    private static void produceWords(int from, int count, Map<String, Long> expected) {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = from; i < from + count; i++) {
                String word = WORDS.get((i * 7) % WORDS.size());
                expected.merge(word, 1L, Long::sum);
                producer.send(new ProducerRecord<>(INPUT, word.getBytes(StandardCharsets.UTF_8),
                        word.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    /** The word count, its internal topics created with the broker's default replication factor (-1). */
    private static KafkaStreams wordCount(Path stateDir) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.as(Stores.inMemoryKeyValueStore("counts")))
                .toStream()
                .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Streams stays in its group on close, for a restart to resume: the next instance waits for the session.
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        return new KafkaStreams(builder.build(), config);
    }

    private static void awaitInputCommitted(long records) throws Exception {
        try (Admin admin = broker.admin()) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(APPLICATION)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                long consumed = committed.entrySet().stream().filter(e -> e.getKey().topic().equals(INPUT))
                        .mapToLong(e -> e.getValue().offset()).sum();
                assertThat(consumed).isEqualTo(records);
            });
        }
    }

    /** The last count of each word in the output, as a read_committed consumer sees it. */
    private static Map<String, Long> latestCounts() {
        Map<String, Long> counts = new HashMap<>();
        List<TopicPartition> partitions = List.of(new TopicPartition(OUTPUT, 0), new TopicPartition(OUTPUT, 1));
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            for (ConsumerRecord<byte[], byte[]> record : TestBroker.readToEnd(consumer, partitions, Duration.ofSeconds(10))) {
                counts.put(new String(record.key(), StandardCharsets.UTF_8), ByteBuffer.wrap(record.value()).getLong());
            }
        }
        return counts;
    }
}
