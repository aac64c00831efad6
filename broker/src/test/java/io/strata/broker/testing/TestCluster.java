package io.strata.broker.testing;

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
 * metadata quorum. They start together, since none finishes starting before a majority has.
 */
public final class TestCluster implements AutoCloseable {

    private final List<TestBroker> brokers;

    private TestCluster(List<TestBroker> brokers) {
        this.brokers = brokers;
    }

    /** {@code size} brokers under {@code dir}, each with {@code config} besides its own identity and ports. */
    public static TestCluster start(Path dir, int size, Map<String, String> config) throws Exception {
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (TestBroker broker : started) {
            while (broker.broker().metadataImage().liveBrokers().size() < size) {
                if (System.nanoTime() > deadline) {
                    started.forEach(TestBroker::close);
                    throw new IllegalStateException("broker " + broker.bootstrapServers() + " does not see all " + size
                            + " brokers: " + broker.broker().metadataImage().brokers());
                }
                Thread.sleep(5);
            }
        }
        return new TestCluster(started);
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
     * Waits (10 s at most) until every broker has applied the newest metadata change that touched
     * {@code topic}, as any of them knows it, and opened the partitions it holds: clients may ask any
     * broker, and a follower of the metadata quorum applies a change a moment after its leader.
     */
    public void awaitMetadataOf(String topic) throws Exception {
        long version = brokers.stream().mapToLong(broker -> broker.broker().metadataImage().version()).max().orElseThrow();
        for (TestBroker broker : brokers) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (broker.broker().metadataImage().version() < version
                    || broker.broker().metadataImage().topic(topic).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker " + broker.bootstrapServers() + " did not reach metadata version "
                            + version + " with topic " + topic);
                }
                Thread.sleep(5);
            }
            broker.broker().partitions().reconciled(version).get(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        brokers.forEach(TestBroker::close);
    }
}
