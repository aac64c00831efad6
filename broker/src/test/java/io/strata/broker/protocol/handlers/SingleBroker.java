package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.remote.RemoteLogReader;
import io.strata.broker.remote.TieredLog;
import io.strata.broker.testing.Directories;
import io.strata.tiered.LocalDirectoryObjectStore;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The state a handler works on, without a listener in front of it: a one-member metadata log with this broker (node 1)
 * registered, its partitions with logs opened for every topic, and topic administration. Started afresh for each test,
 * under a temporary directory, before the test's {@code @BeforeEach} methods; closed and deleted after its
 * {@code @AfterEach} methods. Registered with {@code @RegisterExtension}.
 */
final class SingleBroker implements BeforeEachCallback, AfterEachCallback {

    static final int NODE_ID = 1;

    /** Whether the partitions' start-up load is over, as in a started broker, or never ends ({@link #loading()}). */
    private final boolean started;

    RaftMetadataLog metadata;
    PartitionManager partitions;
    TopicAdmin admin;
    Path logsDir;
    private Path dir;
    private LocalDirectoryObjectStore store;

    SingleBroker() {
        this(true);
    }

    private SingleBroker(boolean started) {
        this.started = started;
    }

    /** A broker still loading its partitions at start-up, for as long as the test runs. */
    static SingleBroker loading() {
        return new SingleBroker(false);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("single-broker-");
        metadata = new RaftMetadataLog(RaftMetadataLog.Settings.alone(dir.resolve("metadata"), NODE_ID, "127.0.0.1", 0));
        metadata.start();
        metadata.submit(new RegisterBroker(NODE_ID, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), null))
                .join();
        store = new LocalDirectoryObjectStore(dir.resolve("bucket"));
        RemoteLogReader reader = new RemoteLogReader(store, 1024, 1 << 20, 1 << 20);
        logsDir = dir.resolve("logs");
        partitions = new PartitionManager(NODE_ID, logsDir, new TopicConfigCatalog(), Map.of(), Time.SYSTEM,
                (topicId, partition) -> new TieredLog(topicId, partition, metadata, reader), -1);
        admin = new TopicAdmin(metadata, new TopicConfigCatalog(), Map.of(), 1, (short) 1);
        if (started) {
            partitions.load(metadata.image()).get(10, TimeUnit.SECONDS);
        }
    }

    /** Creates a topic of one partition and opens its log here. */
    TopicImage createTopic(String name) throws Exception {
        TopicImage topic = admin.createTopic(name, 1, (short) 1, Map.of(), false).get(10, TimeUnit.SECONDS);
        partitions.reconcile(metadata.image());
        return topic;
    }

    Partition partition(String topic) {
        return partitions.partition(new TopicPartition(topic, 0)).orElseThrow();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        // Each closed even when another, or the set-up, failed: nothing keeps a port or threads into the next test.
        Utils.closeQuietly(partitions, "partitions");
        Utils.closeQuietly(store, "object store");
        Utils.closeQuietly(metadata, "metadata log");
        if (dir != null) {
            Directories.delete(dir);
        }
    }
}
