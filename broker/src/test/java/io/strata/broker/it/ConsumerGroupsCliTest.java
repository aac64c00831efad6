package io.strata.broker.it;

import io.strata.broker.testing.ChildJvm;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kafka-consumer-groups} from Apache Kafka's own tools jar, run in a JVM of its own as a
 * user runs it, against a group with known offsets. The steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsumerGroupsCliTest {

    private static final String TOOL = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    private static final String TOPIC = "cli-topic";
    private static final String GROUP = "cli-group";

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    static KafkaConsumer<byte[], byte[]> member;

    @BeforeAll
    static void start() throws Exception {
        broker.createTopic(TOPIC, 3, Map.of());
        produce(10);
        member = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.CLIENT_ID_CONFIG, "cli-client",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        member.subscribe(List.of(TOPIC));
        int seen = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (seen < 30 && System.nanoTime() < deadline) {
            seen += member.poll(Duration.ofMillis(200)).count();
        }
        assertThat(seen).isEqualTo(30);
        member.commitSync();
        produce(5);
    }

    @AfterAll
    static void stop() {
        if (member != null) {
            member.close();
        }
    }

    private static void produce(int perPartition) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, p, null, ("v" + i).getBytes())).get();
                }
            }
        }
    }

    private static String groups(String... args) throws Exception {
        return ChildJvm.kafkaTool(TOOL, broker.bootstrapServers(), 60, args);
    }

    /** The data lines of a table the tool printed: one row per line, columns split on blanks. */
    private static List<List<String>> rows(String output, String firstColumn) {
        return output.lines().map(String::trim).filter(line -> line.startsWith(firstColumn + " "))
                .map(line -> List.of(line.split("\\s+"))).toList();
    }

    @Test
    @Order(1)
    void listShowsTheGroup() throws Exception {
        assertThat(groups("--list").lines().map(String::trim)).contains(GROUP);
    }

    @Test
    @Order(2)
    void describeShowsOffsetsAndLagPerPartition() throws Exception {
        String output = groups("--describe", "--group", GROUP);
        assertThat(output).contains("CURRENT-OFFSET", "LOG-END-OFFSET", "LAG");
        List<List<String>> rows = rows(output, GROUP);
        assertThat(rows).hasSize(3);
        for (List<String> row : rows) {
            assertThat(row.get(1)).isEqualTo(TOPIC);
            assertThat(row.subList(3, 6)).containsExactly("10", "15", "5");
            assertThat(row).contains("cli-client");
        }
        assertThat(groups("--describe", "--offsets", "--group", GROUP)).contains("LAG");
    }

    @Test
    @Order(3)
    void describeMembersAndState() throws Exception {
        List<List<String>> members = rows(groups("--describe", "--members", "--group", GROUP), GROUP);
        assertThat(members).hasSize(1);
        assertThat(members.get(0)).contains("cli-client");
        assertThat(members.get(0).get(members.get(0).size() - 1)).isEqualTo("3");

        String state = groups("--describe", "--state", "--group", GROUP);
        assertThat(state).contains("ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
        List<String> row = rows(state, GROUP).get(0);
        assertThat(row).contains("Stable", "range");
        assertThat(row.get(row.size() - 1)).isEqualTo("1");
    }

    @Test
    @Order(4)
    void resetOffsetsDryRunChangesNothing() throws Exception {
        member.close();
        member = null;
        String output = groups("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-earliest", "--dry-run");
        assertThat(rows(output, GROUP)).hasSize(3).allSatisfy(row -> assertThat(row.get(3)).isEqualTo("0"));
        assertThat(currentOffsets()).containsOnly("10");
    }

    @Test
    @Order(5)
    void resetOffsetsExecuteInEveryMode() throws Exception {
        groups("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-earliest", "--execute");
        assertThat(currentOffsets()).containsOnly("0");
        groups("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-latest", "--execute");
        assertThat(currentOffsets()).containsOnly("15");
        groups("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--shift-by", "-4", "--execute");
        assertThat(currentOffsets()).containsOnly("11");
        groups("--reset-offsets", "--group", GROUP, "--topic", TOPIC + ":1", "--to-offset", "3", "--execute");
        assertThat(currentOffsets()).containsExactly("11", "3", "11");
        groups("--reset-offsets", "--group", GROUP, "--topic", TOPIC, "--to-datetime", "2000-01-01T00:00:00.000",
                "--execute");
        assertThat(currentOffsets()).containsOnly("0");
    }

    @Test
    @Order(6)
    void deleteOffsetsThenTheGroup() throws Exception {
        String output = groups("--delete-offsets", "--group", GROUP, "--topic", TOPIC);
        assertThat(output).containsPattern(Pattern.compile("(?i)succe"));
        assertThat(groups("--describe", "--group", GROUP)).doesNotContain(TOPIC + " ");

        String deleted = groups("--delete", "--group", GROUP);
        assertThat(deleted).contains("Deletion of requested consumer groups ('" + GROUP + "') was successful.");
        assertThat(groups("--list").lines().map(String::trim)).doesNotContain(GROUP);
    }

    /** CURRENT-OFFSET per partition, in partition order, as {@code --describe} prints them. */
    private static List<String> currentOffsets() throws Exception {
        return rows(groups("--describe", "--group", GROUP), GROUP).stream()
                .sorted((a, b) -> Integer.compare(Integer.parseInt(a.get(2)), Integer.parseInt(b.get(2))))
                .map(row -> row.get(3)).toList();
    }
}
