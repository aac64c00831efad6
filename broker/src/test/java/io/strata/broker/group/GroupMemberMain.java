package io.strata.broker.group;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A group member in a JVM of its own, so a test can kill it without a LeaveGroup:
 * {@code <bootstrap> <group> <topic> <clientId>}. Prints {@code P <value>} for each record it
 * processed, before committing it, and {@code A <partitions>} whenever its assignment changes.
 */
public final class GroupMemberMain {

    private GroupMemberMain() {
    }

    public static void main(String[] args) {
        Map<String, Object> props = new HashMap<>(GroupTests.consumerProps(args[3], args[1]));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(args[2]));
            String lastAssignment = null;
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                StringBuilder out = new StringBuilder();
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    out.append("P ").append(new String(record.value(), StandardCharsets.UTF_8)).append('\n');
                }
                String assignment = consumer.assignment().toString();
                if (!assignment.equals(lastAssignment)) {
                    out.append("A ").append(assignment).append('\n');
                    lastAssignment = assignment;
                }
                System.out.print(out);
                System.out.flush();
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        }
    }
}
