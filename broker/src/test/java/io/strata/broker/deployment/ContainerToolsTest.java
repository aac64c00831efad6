package io.strata.broker.deployment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.strata.broker.deployment.DeploymentFiles.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What only Docker can say about the deployment files: Compose accepts them, and the JVM image builds and reports
 * healthy. Skipped, saying why, where the Compose plugin or a Docker engine is missing (as on the machines this
 * project is built on; ComposeFilesTest checks the files against the Compose schema there).
 */
class ContainerToolsTest {

    private static final Path REPOSITORY = DeploymentFiles.DEPLOYMENT.getParent();

    @Test
    void composeAcceptsEveryComposeFile(@TempDir Path vm) throws Exception {
        assumeTrue(succeeds(Duration.ofSeconds(30), "docker", "compose", "version"),
                "the docker compose plugin is not installed: compose files not checked by Compose");
        assertThat(run(Duration.ofSeconds(60), "docker", "compose", "-f", path("compose.yaml").toString(), "config", "-q"))
                .isZero();
        // The per-VM file reads broker.env, which a user writes from the example.
        Files.copy(path("vm/compose.yaml"), vm.resolve("compose.yaml"));
        Files.copy(path("vm/broker.env.example"), vm.resolve("broker.env"));
        assertThat(run(Duration.ofSeconds(60), "docker", "compose", "-f", vm.resolve("compose.yaml").toString(), "config", "-q"))
                .isZero();
    }

    @Test
    void theJvmImageBuildsAndBecomesHealthy() throws Exception {
        assumeTrue(succeeds(Duration.ofSeconds(30), "docker", "info"),
                "no Docker engine answers (docker info): the JVM image is not built");
        assumeTrue(Files.isRegularFile(REPOSITORY.resolve("broker/target/quarkus-app/quarkus-run.jar")),
                "broker/target/quarkus-app is not packaged (./mvnw package): the JVM image is not built");
        String image = "strata-test:jvm";
        String container = "strata-image-test";
        assertThat(run(Duration.ofMinutes(10), "docker", "build", "-f", path("Dockerfile.jvm").toString(), "-t", image,
                REPOSITORY.toString())).isZero();
        try {
            assertThat(run(Duration.ofSeconds(60), "docker", "run", "-d", "--name", container, image)).isZero();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            String health = "";
            while (System.nanoTime() < deadline && !health.equals("healthy")) {
                Thread.sleep(2_000);
                health = output("docker", "inspect", "--format", "{{.State.Health.Status}}", container).strip();
            }
            assertThat(health).as("the image's HEALTHCHECK on /q/health/live").isEqualTo("healthy");
        } finally {
            run(Duration.ofSeconds(60), "docker", "rm", "-f", container);
        }
    }

    private static boolean succeeds(Duration timeout, String... command) {
        try {
            return run(timeout, command) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static int run(Duration timeout, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    private static String output(String... command) throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of(command));
        Process process = new ProcessBuilder(arguments).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
