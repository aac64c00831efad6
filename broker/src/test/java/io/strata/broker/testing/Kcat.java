package io.strata.broker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * librdkafka's command-line client kcat (Debian package {@code kcat}), run as a user runs it. Tests that need it
 * are skipped, with the reason shown, where it is not installed; the {@code clients} profile makes that a failure.
 */
public final class Kcat {

    private Kcat() {
    }

    /** Skips the calling test unless kcat is on the PATH (fails it instead under the {@code clients} profile). */
    public static void assumeInstalled() {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/kcat"))
                || System.getenv("PATH") != null && List.of(System.getenv("PATH").split(":")).stream()
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "kcat")));
        if (Boolean.getBoolean("strata.clients.required")) {
            assertThat(installed).as("kcat is required by the clients profile but is not on the PATH").isTrue();
        }
        assumeTrue(installed, "kcat is not installed (Debian: apt-get install kcat); librdkafka tests skipped");
    }

    /** Runs kcat against {@code bootstrap} with {@code stdin} (or none) and returns its output; it must succeed. */
    public static String run(String bootstrap, String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", bootstrap));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kcat " + args + " finished").isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }
}
