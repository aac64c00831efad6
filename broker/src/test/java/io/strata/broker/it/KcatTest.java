package io.strata.broker.it;

import io.strata.broker.testing.Kcat;
import io.strata.broker.testing.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * librdkafka, through kcat (Debian package {@code kcat}), against a real broker: metadata,
 * keyed produce, compressed produce, consume from the beginning, and a balanced consumer group. Skipped, with the
 * reason shown, where kcat is not installed; the {@code clients} profile makes that a failure.
 */
class KcatTest {

    @TempDir
    static Path dataDir;
    static TestBroker broker;

    @BeforeAll
    static void start() {
        Kcat.assumeInstalled();
        broker = TestBroker.start(dataDir);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String kcat(String stdin, String... args) throws IOException, InterruptedException {
        return Kcat.run(broker.bootstrapServers(), stdin, args);
    }

    @Test
    void metadataProduceAndConsume() throws Exception {
        broker.createTopic("kcat-topic", 3, Map.of());
        assertThat(kcat(null, "-L")).contains("1 brokers:", "topic \"kcat-topic\" with 3 partitions");

        String input = IntStream.range(0, 30).mapToObj(i -> "key" + (i % 5) + ":value" + i).reduce("", (a, b) -> a + b + "\n");
        kcat(input, "-t", "kcat-topic", "-P", "-K:");

        String consumed = kcat(null, "-t", "kcat-topic", "-C", "-o", "beginning", "-e", "-f", "%k=%s@%p\\n");
        List<String> lines = consumed.lines().filter(line -> line.startsWith("key")).toList();
        assertThat(lines).hasSize(30);
        for (int k = 0; k < 5; k++) {
            String key = "key" + k;
            List<String> ofKey = lines.stream().filter(line -> line.startsWith(key + "=")).toList();
            assertThat(ofKey.stream().map(line -> line.substring(line.indexOf('@'))).distinct()).hasSize(1);
            assertThat(ofKey.stream().map(line -> Integer.parseInt(line.substring(line.indexOf("=value") + 6, line.indexOf('@')))))
                    .isSorted();
        }
    }

    /** librdkafka compresses with gzip, snappy and lz4 only for a broker that advertises Produce v0 (ApiRouter). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void batchesAreStoredAsTheClientCompressedThem(String codec) throws Exception {
        String topic = "kcat-" + codec;
        broker.createTopic(topic, 1, Map.of());
        kcat(IntStream.range(0, 200).mapToObj(i -> "a compressible record " + i).collect(Collectors.joining("\n", "", "\n")),
                "-t", topic, "-P", "-p", "0", "-z", codec);

        List<CompressionType> compression = new ArrayList<>();
        int records = 0;
        try (FileRecords log = FileRecords.open(dataDir.resolve("logs").resolve(topic + "-0")
                .resolve("00000000000000000000.log").toFile())) {
            for (RecordBatch batch : log.batches()) {
                compression.add(batch.compressionType());
                records += (int) (batch.nextOffset() - batch.baseOffset());
            }
        }
        assertThat(records).isEqualTo(200);
        assertThat(compression).isNotEmpty().containsOnly(CompressionType.forName(codec));
    }

    @Test
    void balancedConsumerGroup() throws Exception {
        broker.createTopic("kcat-group-topic", 4, Map.of());
        kcat(IntStream.range(0, 40).mapToObj(i -> "m" + i).reduce("", (a, b) -> a + b + "\n"), "-t", "kcat-group-topic", "-P");
        String consumed = kcat(null, "-G", "kcat-group", "-X", "auto.offset.reset=earliest", "-c", "40", "-f", "%s\\n", "kcat-group-topic");
        assertThat(consumed.lines().filter(line -> line.startsWith("m")))
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 40).mapToObj(i -> "m" + i).toList());
    }
}
