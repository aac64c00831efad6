package io.strata.broker.group;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A subscribed {@link KafkaConsumer} polling on a thread of its own: it adds every record value to
 * {@code sink} and commits synchronously after processing each batch. {@link #close()} stops it and
 * closes the consumer, which leaves the group.
 */
final class PollingConsumer implements AutoCloseable {

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Set<String> sink;
    private final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    PollingConsumer(TestBroker broker, String clientId, String groupId, String topic, Map<String, Object> overrides,
                    Set<String> sink) {
        Map<String, Object> props = new HashMap<>(GroupTests.consumerProps(clientId, groupId));
        props.putAll(overrides);
        this.consumer = broker.consumer(props);
        this.sink = sink;
        this.thread = new Thread(() -> run(topic), "consumer-" + clientId);
        thread.setDaemon(true);
        thread.start();
    }

    static Map<String, Object> noCommit() {
        return Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    }

    private void run(String topic) {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    sink.add(new String(record.value(), StandardCharsets.UTF_8));
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
                assignment.set(Set.copyOf(consumer.assignment()));
            }
        } catch (RuntimeException e) {
            if (running) {
                failure.set(e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(10));
        }
    }

    /** The partitions this consumer held after its last poll. */
    Set<TopicPartition> assignment() {
        return assignment.get();
    }

    Throwable failure() {
        return failure.get();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(20_000);
    }
}
