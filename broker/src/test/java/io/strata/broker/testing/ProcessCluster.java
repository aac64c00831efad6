package io.strata.broker.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Brokers in processes of their own on loopback, node ids 1..n, every one a metadata voter, each with its data
 * directory and log file under a test's directory; for tests that kill, pause or wipe a broker. Closing kills
 * every broker still running and copies their logs to {@code target/<logsName>}, which outlives the test's
 * temporary directory, for a failure to be read. Registered with {@code @RegisterExtension} on an instance field,
 * it gets a fresh temporary directory before each test and, after it, is closed and the directory deleted.
 */
public final class ProcessCluster implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    private final String logsName;
    private final int size;
    private final int[] raftPorts;
    private final int[] kafkaPorts;
    private final Map<Integer, BrokerProcess> processes = new ConcurrentHashMap<>();
    private Path dir;

    /** {@code size} brokers, none running until the test starts them. */
    public ProcessCluster(String logsName, int size) {
        this.logsName = logsName;
        this.size = size;
        this.raftPorts = FreePorts.take(size);
        this.kafkaPorts = FreePorts.take(size);
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("strata-" + logsName + "-");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
        Directories.delete(dir);
    }

    /** Starts every broker at once, as a cluster's first start does, and waits until each is ready. */
    public void startAll() throws Exception {
        List<CompletableFuture<BrokerProcess>> starting = new ArrayList<>();
        for (int nodeId = 1; nodeId <= size; nodeId++) {
            int id = nodeId;
            starting.add(CompletableFuture.supplyAsync(() -> start(id)));
        }
        for (CompletableFuture<BrokerProcess> process : starting) {
            process.get(90, TimeUnit.SECONDS);
        }
    }

    /** Starts broker {@code nodeId} on its data directory, which may be empty, and waits until it is ready. */
    public BrokerProcess start(int nodeId) {
        String peers = IntStream.rangeClosed(1, size).filter(id -> id != nodeId)
                .mapToObj(id -> id + "@127.0.0.1:" + raftPorts[id - 1]).collect(Collectors.joining(","));
        try {
            BrokerProcess process = BrokerProcess.start(dataDir(nodeId), kafkaPorts[nodeId - 1], log(nodeId),
                    Map.of("strata.node-id", Integer.toString(nodeId),
                            "strata.raft.port", Integer.toString(raftPorts[nodeId - 1]), "strata.raft.peers", peers));
            processes.put(nodeId, process);
            return process;
        } catch (Exception e) {
            throw new IllegalStateException("starting broker " + nodeId, e);
        }
    }

    /** The process of broker {@code nodeId} as last started. */
    public BrokerProcess process(int nodeId) {
        return processes.get(nodeId);
    }

    public Path dataDir(int nodeId) {
        return dir.resolve("broker-" + nodeId);
    }

    public Path log(int nodeId) {
        return dir.resolve("broker-" + nodeId + ".log");
    }

    public String bootstrap(int... nodeIds) {
        return Arrays.stream(nodeIds).mapToObj(id -> "127.0.0.1:" + kafkaPorts[id - 1]).collect(Collectors.joining(","));
    }

    /** An admin client of the brokers {@code nodeIds}, with short timeouts: a broker here may be down. */
    public Admin admin(int... nodeIds) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(nodeIds),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 8_000));
    }

    /**
     * The values of {@code tp} from its start, read through the brokers {@code nodeIds} until {@code expected}
     * of them came or 30 s passed.
     */
    public List<String> readValues(TopicPartition tp, int expected, int... nodeIds) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(nodeIds)), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    /** The brokers the cluster lists as live. */
    public static Set<Integer> nodes(Admin admin) throws Exception {
        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).stream().map(Node::id).collect(Collectors.toSet());
    }

    /**
     * Creates {@code topic}, or finds it created; {@code false} when the broker asked has not applied every
     * broker's registration yet and refuses the assignment, so the caller tries again.
     */
    public static boolean created(Admin admin, NewTopic topic) throws Exception {
        try {
            admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return true;
            }
            if (e.getCause() instanceof InvalidReplicaAssignmentException) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        for (BrokerProcess process : processes.values()) {
            process.kill();
        }
        Path logs = Path.of("target", logsName);
        Files.createDirectories(logs);
        for (int nodeId = 1; nodeId <= size; nodeId++) {
            if (Files.exists(log(nodeId))) {
                Files.copy(log(nodeId), logs.resolve("broker-" + nodeId + ".log"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
