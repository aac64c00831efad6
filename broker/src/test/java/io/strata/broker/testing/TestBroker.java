package io.strata.broker.testing;

import io.strata.broker.group.GroupConfig;
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
import java.util.function.Consumer;

/**
 * A real broker on a real loopback socket for a test, with kafka-clients factories pointed at it.
 * Either started by the test ({@link #start}) or shared by the tests of a class ({@link #perClass}).
 * Not thread-safe: the test thread starts and stops it.
 */
public final class TestBroker implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    private Path dataDir;
    private final Consumer<BrokerSettings.Builder> customizer;
    private Broker broker;

    private TestBroker(Path dataDir, Consumer<BrokerSettings.Builder> customizer) {
        this.dataDir = dataDir;
        this.customizer = customizer;
    }

    public static TestBroker start(Path dataDir) {
        return start(dataDir, builder -> { });
    }

    public static TestBroker start(Path dataDir, Consumer<BrokerSettings.Builder> customizer) {
        TestBroker testBroker = new TestBroker(dataDir, customizer);
        testBroker.startBroker(0);
        return testBroker;
    }

    /**
     * A broker for every test of a class, over a temporary data directory: started before the class's
     * {@code @BeforeAll} methods, closed and deleted after its {@code @AfterAll} methods. Register it
     * with {@code @RegisterExtension} on a static field.
     */
    public static TestBroker perClass() {
        return perClass(builder -> { });
    }

    public static TestBroker perClass(Consumer<BrokerSettings.Builder> customizer) {
        return new TestBroker(null, customizer);
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
        BrokerSettings.Builder builder = BrokerSettings.builder(dataDir).ioThreads(2).kafkaPort(port)
                .groups(GroupConfig.builder().initialRebalanceDelayMs(0).build());
        customizer.accept(builder);
        broker = Broker.start(builder.build());
        // Tests look at the partitions right after a restart; the early port is tested with a broker process.
        broker.partitions().loaded().join();
    }

    /** Stops the broker cleanly and starts it again on the same port and data. */
    public void restart() {
        restart(() -> { });
    }

    /** Stops the broker cleanly, runs {@code whileStopped}, and starts it again on the same port. */
    public void restart(Runnable whileStopped) {
        int port = broker.kafkaAddress().getPort();
        broker.close();
        whileStopped.run();
        startBroker(port);
    }

    public Broker broker() {
        return broker;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
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
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
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
