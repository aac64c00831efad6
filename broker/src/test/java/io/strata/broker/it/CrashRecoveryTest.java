package io.strata.broker.it;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker process is killed with SIGKILL while it holds acknowledged records; restarted on the
 * same data directory it serves every one of them, also when the kill left a torn batch behind.
 */
class CrashRecoveryTest {

    private static final String TOPIC = "crash";

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @Test
    void acknowledgedRecordsSurviveAKillAndATornTail() throws Exception {
        List<String> acknowledged = new ArrayList<>();
        int port;
        try (BrokerProcess broker = BrokerProcess.start(dataDir, FreePorts.take(1)[0], logs.resolve("first.log"))) {
            port = broker.port();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
                // Answered by the leader once its log is open: produces start after that, not in the moment between
                // the metadata naming the leader and the log opening, which this test is not about.
                admin.listOffsets(Map.of(new TopicPartition(TOPIC, 0), OffsetSpec.latest())).all().get();
            }
            acknowledged.addAll(produce(broker.bootstrapServers(), 0, 5000));
            broker.kill();
        }

        tearTheTail();

        try (BrokerProcess broker = BrokerProcess.start(dataDir, port, logs.resolve("second.log"))) {
            assertThat(consume(broker.bootstrapServers(), acknowledged.size())).containsExactlyElementsOf(acknowledged);
            acknowledged.addAll(produce(broker.bootstrapServers(), 5000, 100));
            assertThat(consume(broker.bootstrapServers(), acknowledged.size())).containsExactlyElementsOf(acknowledged);
            broker.kill();
        }
        String restart = Files.readString(logs.resolve("second.log"));
        assertThat(restart).contains("crash-0");
        // Recovery is summed up in one line for the whole start, not a line per partition.
        assertThat(restart.lines().filter(line -> line.contains("needed recovery")))
                .singleElement().asString()
                .contains("Loaded 1 partition log(s) (0 new)", "1 needed recovery")
                .doesNotContain(" 0 bytes truncated");
    }

    /** Appends the first half of a copy of the last batch, as a kill in the middle of a write leaves it. */
    private void tearTheTail() throws IOException {
        Path partitionDir = dataDir.resolve("logs").resolve(TOPIC + "-0");
        Path segment;
        try (Stream<Path> files = Files.list(partitionDir)) {
            segment = files.filter(p -> p.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, 200));
            channel.read(tail, size - tail.capacity());
            tail.flip();
            tail.limit(tail.capacity() / 2);
            channel.write(tail, size);
        }
    }

    private static List<String> produce(String bootstrap, int from, int count) throws Exception {
        List<String> acknowledged = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = from; i < from + count; i++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, "record-" + i)));
            }
            for (int i = 0; i < sends.size(); i++) {
                sends.get(i).get();
                acknowledged.add("record-" + (from + i));
            }
        }
        return acknowledged;
    }

    private static List<String> consume(String bootstrap, int expected) {
        List<String> values = new ArrayList<>();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
