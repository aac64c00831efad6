package io.strata.broker.it;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.strata.broker.testing.Directories;
import io.strata.broker.testing.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Gives the packaged application, which runs with the prod profile, free Kafka and Raft ports and a
 * throwaway data directory, and tells the test where its Kafka listener is through a
 * {@link KafkaBootstrap} field. The application binds the ports itself, so they are chosen free
 * just before it starts.
 */
public class PackagedBrokerResource implements QuarkusTestResourceLifecycleManager {

    /** Marks the test's {@code String} field that receives the broker's bootstrap servers. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface KafkaBootstrap {
    }

    private Path dataDir;
    private String bootstrapServers;

    @Override
    public Map<String, String> start() {
        try {
            dataDir = Files.createTempDirectory("strata-packaged-");
            int[] ports = FreePorts.take(2);
            bootstrapServers = "127.0.0.1:" + ports[0];
            return Map.of(
                    "strata.data-dir", dataDir.toString(),
                    "strata.kafka.port", Integer.toString(ports[0]),
                    "strata.raft.port", Integer.toString(ports[1]),
                    // Prod binds every interface and would advertise this machine's name, which a CI runner may not resolve.
                    "strata.advertised.host", "127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException("preparing the packaged broker's ports and data directory", e);
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(bootstrapServers,
                new TestInjector.AnnotatedAndMatchesType(KafkaBootstrap.class, String.class));
    }

    /**
     * Quarkus may stop this resource while the packaged broker is still shutting down and writing files there, so a
     * directory emptied a moment ago can be non-empty again: the deletion is retried for a few seconds.
     */
    @Override
    public void stop() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                Directories.delete(dataDir);
                return;
            } catch (DirectoryNotEmptyException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("deleting " + dataDir, e);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            } catch (IOException e) {
                throw new UncheckedIOException("deleting " + dataDir, e);
            }
        }
    }

}
