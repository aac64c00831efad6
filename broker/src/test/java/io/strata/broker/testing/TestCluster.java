package io.strata.broker.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Brokers of one cluster in this JVM, each with its own data directory, Kafka port and Raft port on
 * loopback: node ids 1..n, racks alternating {@code a} and {@code b}, every broker a voter of the
 * metadata quorum. They start together, since none finishes starting before a majority has; brokers that do not
 * vote join later ({@link #startNonVoter}). Either started by the test ({@link #start}) or shared by the tests
 * of a class ({@link #perClass}).
 */
public final class TestCluster implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private final int size;
    private final Map<String, String> config;
    private final List<TestBroker> brokers = new ArrayList<>();
    /** Every voter as {@code nodeId@host:port}. */
    private String voters;
    private Path dir;

    private TestCluster(int size, Map<String, String> config) {
        this.size = size;
        this.config = Map.copyOf(config);
    }

    /** {@code size} brokers under {@code dir}, each with {@code config} besides its own identity and ports. */
    public static TestCluster start(Path dir, int size, Map<String, String> config) throws Exception {
        TestCluster cluster = new TestCluster(size, config);
        cluster.startBrokers(dir);
        return cluster;
    }

    /**
     * {@code size} brokers for every test of a class, under a temporary directory: started before the class's
     * {@code @BeforeAll} methods, closed and deleted after its {@code @AfterAll} methods. Register it with
     * {@code @RegisterExtension} on a static field.
     */
    public static TestCluster perClass(int size) {
        return perClass(size, Map.of());
    }

    /** {@link #perClass(int)} with {@code config} for every broker besides its own identity and ports. */
    public static TestCluster perClass(int size, Map<String, String> config) {
        return new TestCluster(size, config);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        startBrokers(Files.createTempDirectory("strata-" + context.getRequiredTestClass().getSimpleName() + "-"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        Directories.delete(dir);
    }

    private void startBrokers(Path dir) throws Exception {
        this.dir = dir;
        int[] raftPorts = FreePorts.take(size);
        List<CompletableFuture<TestBroker>> starting = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int nodeId = i + 1;
            String peers = IntStream.range(0, size).filter(j -> j != nodeId - 1)
                    .mapToObj(j -> (j + 1) + "@127.0.0.1:" + raftPorts[j]).collect(Collectors.joining(","));
            Map<String, String> own = new HashMap<>(config);
            own.put("strata.node-id", Integer.toString(nodeId));
            own.put("strata.rack", nodeId % 2 == 1 ? "a" : "b");
            own.put("strata.raft.port", Integer.toString(raftPorts[i]));
            own.put("strata.raft.peers", peers);
            Path dataDir = dir.resolve("broker-" + nodeId);
            starting.add(CompletableFuture.supplyAsync(() -> TestBroker.start(dataDir, own)));
        }
        List<TestBroker> started = new ArrayList<>();
        Exception failure = null;
        for (CompletableFuture<TestBroker> broker : starting) {
            try {
                started.add(broker.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            started.forEach(TestBroker::close);
            throw failure;
        }
        // Each broker registered through the leader; a follower applies the others' registrations a moment later,
        // and until then would place new partitions on fewer brokers.
        try {
            for (TestBroker broker : started) {
                broker.awaitMetadata(image -> image.liveBrokers().size() >= size);
            }
        } catch (AssertionError e) {
            started.forEach(TestBroker::close);
            throw e;
        }
        brokers.addAll(started);
        voters = IntStream.range(0, size).mapToObj(j -> (j + 1) + "@127.0.0.1:" + raftPorts[j])
                .collect(Collectors.joining(","));
    }

    /**
     * Starts broker {@code nodeId} (the next one) outside the voters, with {@code strata.raft.voter=false}: it
     * follows the metadata of the voters' leader. It belongs to the cluster from then on, closed with it.
     */
    public TestBroker startNonVoter(int nodeId) {
        if (nodeId != brokers.size() + 1) {
            throw new IllegalArgumentException("the next broker is " + (brokers.size() + 1) + ", not " + nodeId);
        }
        Map<String, String> own = new HashMap<>(config);
        own.put("strata.node-id", Integer.toString(nodeId));
        own.put("strata.rack", nodeId % 2 == 1 ? "a" : "b");
        own.put("strata.raft.port", Integer.toString(FreePorts.take(1)[0]));
        own.put("strata.raft.peers", voters);
        own.put("strata.raft.voter", "false");
        TestBroker broker = TestBroker.start(dir.resolve("broker-" + nodeId), own);
        brokers.add(broker);
        return broker;
    }

    /** The voters of the metadata Raft group as {@code nodeId@host:port}, comma-separated. */
    public String voters() {
        return voters;
    }

    /** Broker {@code nodeId} (1-based). */
    public TestBroker broker(int nodeId) {
        return brokers.get(nodeId - 1);
    }

    public List<TestBroker> brokers() {
        return brokers;
    }

    /** Every broker's Kafka address, as clients bootstrap from them. */
    public String bootstrapServers() {
        return brokers.stream().map(TestBroker::bootstrapServers).collect(Collectors.joining(","));
    }

    /** The Kafka addresses of every broker but {@code nodeId}, for clients while it is down. */
    public String bootstrapServersExcept(int nodeId) {
        return brokers.stream().filter(broker -> broker != broker(nodeId)).map(TestBroker::bootstrapServers)
                .collect(Collectors.joining(","));
    }

    /**
     * Waits until every broker has applied the newest metadata change that touched {@code topic}, as any of them
     * knows it, and opened the partitions it holds: clients may ask any broker, and a follower of the metadata
     * quorum applies a change a moment after its leader.
     */
    public void awaitMetadataOf(String topic) throws Exception {
        long version = brokers.stream().mapToLong(broker -> broker.broker().metadataImage().version()).max().orElseThrow();
        for (TestBroker broker : brokers) {
            broker.awaitMetadata(image -> image.version() >= version && image.topic(topic).isPresent());
            broker.broker().partitions().reconciled(version).get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Closes the brokers in reverse order: those outside the voters, started last, stop while the voters can still
     * commit their controlled shutdown.
     */
    @Override
    public void close() {
        for (int i = brokers.size() - 1; i >= 0; i--) {
            brokers.get(i).close();
        }
    }
}
