package io.strata.broker.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a main class of the test classpath in a JVM of its own, as a user runs a tool or a server. */
public final class ChildJvm {

    private ChildJvm() {
    }

    public static ProcessBuilder command(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true",
                // Log through java.util.logging to stderr whatever logging jars the test classpath holds.
                "-Dorg.jboss.logging.provider=jdk",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        return new ProcessBuilder(command);
    }

    /** What a finished tool printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    /** Runs a command-line tool to completion, at most {@code timeoutSeconds}. */
    public static Result run(String mainClass, List<String> args, long timeoutSeconds) throws IOException, InterruptedException {
        return run(mainClass, args, Map.of(), timeoutSeconds);
    }

    /** {@link #run(String, List, long)} with these environment variables added to the test's own. */
    public static Result run(String mainClass, List<String> args, Map<String, String> environment, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder builder = command(mainClass, args);
        builder.environment().putAll(environment);
        return run(builder, timeoutSeconds);
    }

    /**
     * Runs {@code command} to its end, at most {@code timeoutSeconds}: its output, stdout and stderr together, goes to
     * a file, so a command that prints much cannot block and one that never closes its output cannot hang the test;
     * one still running at the bound is killed and fails the test with what it printed.
     */
    public static Result run(ProcessBuilder command, long timeoutSeconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile("child-process-", ".out");
        try {
            Process process = command.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(command.command() + " did not finish within " + timeoutSeconds
                        + " s:\n" + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Runs one of Apache Kafka's command-line tools with {@code --bootstrap-server bootstrapServers} and then
     * {@code args}, at most {@code timeoutSeconds}, and returns what it printed; fails the test, showing that
     * output, when the tool exits with an error.
     */
    public static String kafkaTool(String mainClass, String bootstrapServers, long timeoutSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("--bootstrap-server", bootstrapServers));
        all.addAll(List.of(args));
        Result result = run(mainClass, all, timeoutSeconds);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.output();
    }
}
