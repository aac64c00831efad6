package io.strata.broker.health;

import io.quarkus.test.junit.QuarkusTest;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

/**
 * Liveness answers from the Kafka event loops; readiness goes down, with the reason, when the data dir
 * turns read-only and when the object store stops answering, and comes back up after.
 */
@QuarkusTest
class HealthChecksTest {

    @Inject
    BrokerLifecycle lifecycle;

    @Test
    void livenessReportsTheKafkaEventLoops() {
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("kafka-event-loops"));
    }

    @Test
    void readinessIsDownWithTheReasonWhileTheDataDirIsReadOnlyAndUpAgainAfter() throws Exception {
        Path dataDir = lifecycle.broker().dataDir().toAbsolutePath();
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'data-dir' }.status", equalTo("UP"));

        ReadOnly readOnly = ReadOnly.make(dataDir);
        try {
            given().get("/q/health/ready").then().statusCode(503)
                    .body("status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'data-dir' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'data-dir' }.data.path", equalTo(dataDir.toString()))
                    .body("checks.find { it.name == 'data-dir' }.data.reason",
                            containsString(dataDir.resolve(DataDirReadinessCheck.PROBE_FILE).toString()));
        } finally {
            readOnly.undo();
        }
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'data-dir' }.status", equalTo("UP"));
    }

    @Test
    void readinessIsDownWithTheReasonWhileTheObjectStoreDoesNotAnswer() throws Exception {
        // The test profile's store is a local directory: replaced by a file, every request to it fails,
        // as requests to a stopped bucket do.
        Path store = lifecycle.broker().dataDir().toAbsolutePath().resolve("tiered");
        Path aside = store.resolveSibling("tiered-aside");
        Files.move(store, aside);
        try {
            Files.writeString(store, "not a directory");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/ready").then()
                    .statusCode(503)
                    .body("checks.find { it.name == 'object-store' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'object-store' }.data.reason", containsString("strata-probe")));
        } finally {
            Files.deleteIfExists(store);
            Files.move(aside, store);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200)
                .body("checks.find { it.name == 'object-store' }.status", equalTo("UP")));
    }

    /**
     * A directory made read-only: by its permissions for an ordinary user, with the immutable attribute
     * ({@code chattr +i}) for root, whom permissions do not stop. Skipped, with the reason, where
     * neither takes effect.
     */
    private record ReadOnly(Path dir, boolean immutable, Set<PosixFilePermission> before) {

        static ReadOnly make(Path dir) throws Exception {
            boolean root = "root".equals(System.getProperty("user.name"));
            ReadOnly readOnly;
            if (root) {
                Assumptions.assumeTrue(run("chattr", "+i", dir.toString()) == 0,
                        "running as root, and chattr +i is not available to make " + dir + " read-only");
                readOnly = new ReadOnly(dir, true, null);
            } else {
                readOnly = new ReadOnly(dir, false, Files.getPosixFilePermissions(dir));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
            }
            Path check = dir.resolve("check-read-only");
            try {
                Files.createFile(check);
                Files.delete(check);
                readOnly.undo();
                Assumptions.abort(dir + " is still writable after it was made read-only");
            } catch (IOException expected) {
                // Read-only as intended.
            }
            return readOnly;
        }

        void undo() throws Exception {
            if (immutable) {
                if (run("chattr", "-i", dir.toString()) != 0) {
                    throw new IllegalStateException("chattr -i " + dir + " failed");
                }
            } else {
                Files.setPosixFilePermissions(dir, before);
            }
        }

        private static int run(String... command) throws Exception {
            try {
                return new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            } catch (IOException e) {
                return -1;
            }
        }
    }
}
