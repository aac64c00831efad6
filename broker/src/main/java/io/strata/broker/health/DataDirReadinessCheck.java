package io.strata.broker.health;

import io.strata.broker.config.BrokerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Ready while a small file can be created in, written to and deleted from the data directory: with
 * the directory read-only (a remounted disk, changed permissions) partitions cannot roll segments or
 * take writes, so the reason is the I/O error that the probe met.
 */
@Readiness
@ApplicationScoped
public class DataDirReadinessCheck implements HealthCheck {

    static final String PROBE_FILE = ".strata-health-probe";
    private static final String NAME = "data-dir";
    private static final byte[] PROBE = "probe".getBytes(StandardCharsets.US_ASCII);

    private final Path dataDir;

    public DataDirReadinessCheck(BrokerConfig config) {
        this.dataDir = config.dataDir().toAbsolutePath();
    }

    @Override
    public HealthCheckResponse call() {
        Path probe = dataDir.resolve(PROBE_FILE);
        try {
            Files.write(probe, PROBE);
            Files.deleteIfExists(probe);
        } catch (IOException | SecurityException e) {
            return HealthCheckResponse.named(NAME).down()
                    .withData("path", dataDir.toString())
                    .withData("reason", "not writable: " + e)
                    .build();
        }
        return HealthCheckResponse.named(NAME).up().withData("path", dataDir.toString()).build();
    }
}
