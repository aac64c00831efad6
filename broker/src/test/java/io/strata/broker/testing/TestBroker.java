package io.strata.broker.testing;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A real broker on a real loopback socket for a test, with kafka-clients factories pointed at it.
 * Either started by the test ({@link #start}) or shared by the tests of a class ({@link #perClass}).
 * Its settings are the declared defaults, two event loops and no initial rebalance delay, and then the
 * configuration keys the test gives ({@code strata.log.fsync-before-ack}, ...).
 * Not thread-safe: the test thread starts and stops it.
 */
public final class TestBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private Path dataDir;
    private final Map<String, String> config;
    private final UnaryOperator<BrokerSettings> beyondConfig;
    private Broker broker;

    private TestBroker(Path dataDir, Map<String, String> config, UnaryOperator<BrokerSettings> beyondConfig) {
        this.dataDir = dataDir;
        this.config = Map.copyOf(config);
        this.beyondConfig = beyondConfig;
    }

    public static TestBroker start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    public static TestBroker start(Path dataDir, Map<String, String> config) {
        return start(dataDir, config, UnaryOperator.identity());
    }

    /** A broker whose settings {@code beyondConfig} changes where no configuration key can say it. */
    public static TestBroker start(Path dataDir, Map<String, String> config, UnaryOperator<BrokerSettings> beyondConfig) {
        TestBroker testBroker = new TestBroker(dataDir, config, beyondConfig);
        testBroker.startBroker(0);
        return testBroker;
    }

    /**
     * A broker for every test of a class, over a temporary data directory: started before the class's
     * {@code @BeforeAll} methods, closed and deleted after its {@code @AfterAll} methods. Register it
     * with {@code @RegisterExtension} on a static field.
     */
    public static TestBroker perClass() {
        return perClass(Map.of());
    }

    public static TestBroker perClass(Map<String, String> config) {
        return new TestBroker(null, config, UnaryOperator.identity());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("strata-" + context.getRequiredTestClass().getSimpleName() + "-");
        startBroker(0);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        Directories.delete(dataDir);
    }

    private void startBroker(int port) {
        // No initial rebalance delay: a new group in a test would otherwise wait 3 s for more members.
        Map<String, String> settings = new HashMap<>(Map.of("strata.kafka.io-threads", "2",
                "strata.groups.initial-rebalance-delay-ms", "0", "strata.kafka.port", Integer.toString(port)));
        settings.putAll(config);
        broker = Broker.start(beyondConfig.apply(BrokerSettings.of(dataDir, settings)));
        // Tests look at the partitions right after a restart; the early port is tested with a broker process.
        broker.partitions().loaded().join();
    }

    /** Stops the broker cleanly and starts it again on the same port and data. */
    public void restart() {
        restart(() -> { });
    }

    /**
     * Stops the broker cleanly, runs {@code whileStopped}, and starts it again on the same port; what
     * {@code whileStopped} throws is rethrown, unchecked, without the restart.
     */
    public void restart(WhileStopped whileStopped) {
        stop();
        try {
            whileStopped.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        start();
    }

    /**
     * Stops the broker cleanly until {@link #start}, for a test whose brokers' stops and starts do not nest as
     * {@link #restart(WhileStopped)} nests them.
     */
    public void stop() {
        broker.close();
    }

    /** Starts the broker {@link #stop} stopped, on the same port and data. */
    public void start() {
        startBroker(broker.kafkaAddress().getPort());
    }

    /** What a test does while its broker is down: assertions, and clients of the other brokers. */
    @FunctionalInterface
    public interface WhileStopped {
        void run() throws Exception;
    }

    public Broker broker() {
        return broker;
    }

    /** This broker's metadata once it satisfies {@code condition}, which it must within 30 s. */
    public MetadataImage awaitMetadata(Predicate<MetadataImage> condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        MetadataImage image = broker.metadataImage();
        while (!condition.test(image)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("broker " + broker.identity().nodeId()
                        + "'s metadata did not get there within 30 s; last: " + image);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            image = broker.metadataImage();
        }
        return image;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public Admin admin() {
        return admin(Map.of());
    }

    /** An admin client of this broker with {@code overrides}, such as a login and bounds on its calls. */
    public Admin admin(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.putAll(overrides);
        return Admin.create(props);
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
            // The logs open after the metadata change; tests look at them next.
            broker.partitions().reconciled(broker.metadataImage().version()).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("creating topic " + name, e);
        }
    }

    public KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putAll(overrides);
        return new KafkaProducer<>(props);
    }

    public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(overrides);
        return new KafkaConsumer<>(props);
    }

    /**
     * Reads partitions from the beginning with an unmanaged consumer until {@code expected}
     * records arrived or {@code timeout} passed, and returns what arrived in order.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(List<TopicPartition> partitions, int expected, Duration timeout) {
        return readAll(Map.of(), partitions, expected, timeout);
    }

    /** {@link #readAll(List, int, Duration)} with a consumer that has {@code overrides}, such as a login. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(Map<String, Object> overrides, List<TopicPartition> partitions,
                                                        int expected, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(overrides)) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Reads {@code partitions} from the beginning with {@code consumer} until it reached the end offsets it was told at
     * the start (the last stable offsets when it reads committed records) or {@code timeout} passed, and returns what
     * arrived in order.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readToEnd(KafkaConsumer<byte[], byte[]> consumer,
                                                                 List<TopicPartition> partitions, Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
