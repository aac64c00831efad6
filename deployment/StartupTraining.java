import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The Kafka side of startup-cache.sh's training run: what a first client does (metadata, an idempotent produce, a
 * group join, fetches and an offset commit) on the topic the run created, so that the start-up cache holds the
 * classes of the requests a broker answers first, not only those of its REST API. startup-cache.sh runs it in
 * source-file mode with the broker's kafka-clients, its compression libraries and slf4j-api on the class path (no
 * logging binding, so SLF4J's no-op): java -cp CLASSPATH StartupTraining.java 127.0.0.1:9092 training
 */
public final class StartupTraining {

    private static final int RECORDS = 3;
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: StartupTraining <bootstrap servers> <topic>");
        }
        String topic = args[1];
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DEADLINE.toMillis());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "record " + i)).get();
            }
        }
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "training");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            int read = 0;
            // At least what this produced; the topic holds the REST records too.
            while (read < RECORDS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("read " + read + " of " + RECORDS + " records within " + DEADLINE);
                }
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                read += records.count();
            }
            consumer.commitSync();
        }
    }
}
