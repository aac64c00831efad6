package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * KafkaJS 2.2.4, the Node.js client, against a real broker (src/test/node/kafkajs-clients.js): topic creation,
 * idempotent keyed produce with headers, a committed and an aborted transaction, and a read_committed consumer group
 * that commits its offsets. Needs Node.js and {@code npm ci --prefix broker/src/test/node} (which {@code .ci/run}
 * does); skipped, with the reason shown, without them, and failed instead under the {@code clients} profile.
 */
@Timeout(120)
class KafkaJsTest {

    private static final Path CLIENTS = Path.of("src", "test", "node");
    private static final String TOPIC = "kafkajs-topic";

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();

    /** A record the script's consumer read. */
    private record Seen(int partition, long offset, String keyValue, String header) {
    }

    @Test
    void produceTransactionsAndAConsumerGroup() throws Exception {
        assumeInstalled();
        List<String> output = runScript();

        List<Seen> seen = output.stream().filter(line -> line.startsWith("seen ")).map(line -> line.split(" "))
                .map(f -> new Seen(Integer.parseInt(f[1]), Long.parseLong(f[2]), f[3], f[4])).toList();
        assertThat(seen).extracting(Seen::keyValue).as("read_committed: the aborted write is not read")
                .containsExactlyInAnyOrder("a=1", "b=2", "a=3", "c=committed");
        List<Seen> keyA = seen.stream().filter(s -> s.keyValue().startsWith("a=")).toList();
        assertThat(keyA).extracting(Seen::keyValue).as("one key keeps its order").containsExactly("a=1", "a=3");
        assertThat(keyA).extracting(Seen::partition).as("one key, one partition").containsOnly(keyA.get(0).partition());
        assertThat(keyA).extracting(Seen::header).containsExactly("-", "x");

        try (Admin admin = broker.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("kafkajs-group")
                    .partitionsToOffsetAndMetadata().get();
            for (Seen record : seen) {
                TopicPartition tp = new TopicPartition(TOPIC, record.partition());
                assertThat(committed.get(tp).offset()).as("the group's offset of " + tp + ", as a Java client sees it")
                        .isGreaterThan(record.offset());
                assertThat(output).contains("committed " + record.partition() + " " + committed.get(tp).offset());
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            IntStream.range(0, 3).forEach(p -> latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest()));
            long end = admin.listOffsets(latest).all().get().values().stream()
                    .mapToLong(ListOffsetsResultInfo::offset).sum();
            // Five records, two markers: the abort really wrote its record, which read_uncommitted sees.
            List<String> uncommitted = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : broker.readAll(List.copyOf(latest.keySet()), 5,
                    Duration.ofSeconds(30))) {
                uncommitted.add(new String(record.value(), StandardCharsets.UTF_8));
            }
            assertThat(end).isEqualTo(7);
            assertThat(uncommitted).contains("aborted");
        }
    }

    private static List<String> runScript() throws Exception {
        Process process = new ProcessBuilder("node", CLIENTS.resolve("kafkajs-clients.js").toString(),
                broker.bootstrapServers(), TOPIC).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] bytes = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the script finished").isTrue();
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        assertThat(text.lines()).as(text).contains("ok");
        return text.lines().toList();
    }

    /** Skips the test unless Node.js and KafkaJS are installed (fails it instead under the {@code clients} profile). */
    private static void assumeInstalled() throws Exception {
        boolean node;
        try {
            node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            node = false;
        }
        boolean installed = node && Files.isDirectory(CLIENTS.resolve("node_modules").resolve("kafkajs"));
        if (Boolean.getBoolean("strata.clients.required")) {
            assertThat(installed).as("Node.js and KafkaJS are required by the clients profile").isTrue();
        }
        assumeTrue(installed, "Node.js or KafkaJS is missing (npm ci --prefix broker/src/test/node); kafkajs test skipped");
    }
}
