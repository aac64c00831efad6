package io.strata.broker.it;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.strata.broker.server.BrokerLifecycle;
import io.strata.broker.testing.ChildJvm;
import jakarta.inject.Inject;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The README's shell examples, run as a reader runs them: each block marked
 * {@code <!-- readme-test: <name> [needs <command>...] -->} goes to bash, in the README's order, against
 * a real broker, with the Kafka command-line tools on the {@code PATH} under their script names (small
 * wrappers that run Kafka's own tool classes from the test classpath). The README's addresses,
 * {@code 127.0.0.1:9092} and {@code localhost:8080}, are replaced by those of the test's broker. A
 * block fails the test if any of its commands fails or outlasts {@link #BLOCK_TIMEOUT_SECONDS}, if a
 * REST call is answered with an error, or if its key output is missing; a block needing a command
 * that is not installed (kcat) is skipped, saying so on the console (with the {@code clients}
 * profile, a missing kcat fails it). Runs its blocks one after the other: they build on each other.
 */
@QuarkusTest
@TestProfile(ReadmeExamplesTest.OwnBroker.class)
class ReadmeExamplesTest {

    /**
     * A broker of its own: the README's topics and groups ({@code orders}, {@code billing},
     * {@code __consumer_offsets}) stay out of the other tests' broker. Its groups rebalance without delay.
     */
    public static class OwnBroker implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("strata.groups.initial-rebalance-delay-ms", "0");
        }
    }

    private static final Path README = Path.of("..", "README.md");
    private static final long BLOCK_TIMEOUT_SECONDS = 120;
    private static final Pattern BLOCK = Pattern.compile(
            "<!-- readme-test: (\\S+)((?: needs \\S+)*) -->\\n```bash\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern REST_ERROR = Pattern.compile("\"error_code\":\\s*[45]\\d\\d");

    /** The tool classes behind the scripts of Kafka's {@code bin/} directory that the README uses. */
    private static final Map<String, String> KAFKA_TOOLS = Map.of(
            "kafka-topics.sh", "org.apache.kafka.tools.TopicCommand",
            "kafka-console-producer.sh", "org.apache.kafka.tools.ConsoleProducer",
            "kafka-console-consumer.sh", "org.apache.kafka.tools.consumer.ConsoleConsumer",
            "kafka-consumer-groups.sh", "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            "kafka-configs.sh", "kafka.admin.ConfigCommand");

    /** What each block must print, besides succeeding: the README and this map name the same blocks. */
    private static final Map<String, List<String>> KEY_OUTPUT = Map.of(
            "kafka-cli", List.of("Created topic orders.", "PartitionCount: 6", "Partition:4\torder-1\t{\"amount\":42}",
                    "Completed updating config for topic orders."),
            "kcat", List.of("orders", "order-1 {\"amount\":7} (partition 4"),
            "groups", List.of("billing", "CURRENT-OFFSET", "NEW-OFFSET"),
            "kcat-group", List.of("order-1"),
            "rest", List.of("\"topic_name\":\"payments\"", "\"partitions_count\":8", "\"key\":{\"type\":\"STRING\"",
                    "\"consumer_group_id\":\"billing\"", "\"next_offset\""));

    @Inject
    BrokerLifecycle lifecycle;

    @TestHTTPResource("/")
    URL http;

    @TempDir
    Path workDir;

    /** A marked block of the README. */
    private record Block(String name, List<String> needs, String script) {
    }

    @TestFactory
    Stream<DynamicTest> everyMarkedBlockRunsAsWritten() throws IOException {
        List<Block> blocks = blocks(Files.readString(README));
        assertThat(blocks).extracting(Block::name).containsExactlyInAnyOrderElementsOf(KEY_OUTPUT.keySet());
        Path bin = kafkaToolScripts();
        return blocks.stream().map(block -> DynamicTest.dynamicTest(block.name(), () -> run(block, bin)));
    }

    private static List<Block> blocks(String readme) {
        List<Block> blocks = new ArrayList<>();
        Matcher matcher = BLOCK.matcher(readme);
        while (matcher.find()) {
            List<String> needs = Stream.of(matcher.group(2).split(" needs ")).filter(s -> !s.isBlank()).toList();
            blocks.add(new Block(matcher.group(1), needs, matcher.group(3)));
        }
        return blocks;
    }

    private void run(Block block, Path bin) throws IOException, InterruptedException {
        for (String command : block.needs()) {
            if (!onPath(command)) {
                String reason = "README block '" + block.name() + "' skipped: " + command + " is not installed";
                // The clients profile makes a missing client tool a failure, as KcatTest does.
                assertThat(command.equals("kcat") && Boolean.getBoolean("strata.clients.required"))
                        .as(reason + ", and the clients profile requires it").isFalse();
                System.err.println(reason);
                assumeTrue(false, reason);
            }
        }
        String script = block.script()
                .replace("127.0.0.1:9092", lifecycle.broker().bootstrapServers())
                .replace("localhost:8080", "localhost:" + http.getPort());
        assertThat(script).as("README block '%s' uses only the addresses the test replaces", block.name())
                .doesNotContain(":9092", ":8080");

        Path output = workDir.resolve(block.name() + ".out");
        ProcessBuilder bash = new ProcessBuilder("bash", "-e", "-o", "pipefail", "-c", script)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        bash.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        Process process = bash.start();
        boolean finished = process.waitFor(BLOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String printed = Files.readString(output);
        assertThat(finished).as("README block '%s' did not finish within %d s; it printed:%n%s", block.name(),
                BLOCK_TIMEOUT_SECONDS, printed).isTrue();
        assertThat(process.exitValue()).as("exit code of README block '%s'; it printed:%n%s", block.name(), printed)
                .isZero();
        assertThat(printed).as("README block '%s'", block.name()).doesNotContainPattern(REST_ERROR)
                .contains(KEY_OUTPUT.get(block.name()));
    }

    /** One script per Kafka tool, named as in Kafka's {@code bin/}, running it in a JVM of its own. */
    private Path kafkaToolScripts() throws IOException {
        Path bin = Files.createDirectories(workDir.resolve("bin"));
        for (Map.Entry<String, String> tool : KAFKA_TOOLS.entrySet()) {
            String java = ChildJvm.command(tool.getValue(), List.of()).command().stream()
                    .map(ReadmeExamplesTest::shellQuoted).collect(Collectors.joining(" "));
            Path script = bin.resolve(tool.getKey());
            Files.writeString(script, "#!/bin/sh\nexec " + java + " \"$@\"\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    private static String shellQuoted(String argument) {
        return "'" + argument.replace("'", "'\\''") + "'";
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
