package io.strata.broker.it;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One broker process with 10,000 partitions (the {@code strata.scale.partitions} system property): every
 * partition is written to and read back completely, after a clean stop and restart and after a SIGKILL,
 * with no acknowledged record lost. In the {@code scale} profile, not the default suite.
 */
@Tag("scale")
class ScaleTest {

    private static final int PARTITIONS = Integer.getInteger("strata.scale.partitions", 10_000);
    private static final String TOPIC = "scale";
    private static final Duration BOUND = Duration.ofMinutes(3);

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @Test
    void everyPartitionKeepsItsRecordsAcrossACleanRestartAndAKill() throws Exception {
        Map<Integer, List<String>> acknowledged = new HashMap<>();
        int port;
        try (BrokerProcess broker = BrokerProcess.start(dataDir, FreePorts.take(1)[0], logs.resolve("first.log"))) {
            port = broker.port();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all()
                        .get(BOUND.toSeconds(), TimeUnit.SECONDS);
            }
            produceToEveryPartition(broker.bootstrapServers(), "first", acknowledged);
            assertThat(consumeAll(broker.bootstrapServers(), acknowledged)).isEqualTo(acknowledged);
            broker.stop(BOUND);
        }

        try (BrokerProcess broker = BrokerProcess.start(dataDir, port, logs.resolve("second.log"))) {
            assertThat(consumeAll(broker.bootstrapServers(), acknowledged)).isEqualTo(acknowledged);
            produceToEveryPartition(broker.bootstrapServers(), "second", acknowledged);
            broker.kill();
        }
        assertThat(Files.readString(logs.resolve("second.log")))
                .contains("Loaded " + PARTITIONS + " partition log(s) (0 new)", "0 needed recovery");

        try (BrokerProcess broker = BrokerProcess.start(dataDir, port, logs.resolve("third.log"))) {
            assertThat(consumeAll(broker.bootstrapServers(), acknowledged)).isEqualTo(acknowledged);
            broker.stop(BOUND);
        }
        assertThat(Files.readString(logs.resolve("third.log"))).contains("Loaded " + PARTITIONS + " partition log(s)");
    }

    /** Sends one record to each partition, adding it to {@code acknowledged} once the broker acknowledged it. */
    private static void produceToEveryPartition(String bootstrap, String round, Map<Integer, List<String>> acknowledged)
            throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) BOUND.toMillis(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>(PARTITIONS);
            for (int p = 0; p < PARTITIONS; p++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, p, null, round + "-" + p)));
            }
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(sends.get(p).get(BOUND.toSeconds(), TimeUnit.SECONDS).partition()).isEqualTo(p);
                acknowledged.computeIfAbsent(p, key -> new ArrayList<>()).add(round + "-" + p);
            }
        }
    }

    /** Reads every partition from its start until it holds as many records as {@code expected} says, or the bound passes. */
    private static Map<Integer, List<String>> consumeAll(String bootstrap, Map<Integer, List<String>> expected) {
        int wanted = expected.values().stream().mapToInt(List::size).sum();
        Map<Integer, List<String>> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            List<TopicPartition> partitions = new ArrayList<>(PARTITIONS);
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(TOPIC, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + BOUND.toNanos();
            int count = 0;
            while (count < wanted && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    read.computeIfAbsent(record.partition(), key -> new ArrayList<>()).add(record.value());
                    count++;
                }
            }
        }
        return read;
    }
}
