package io.strata.broker.group;

import io.strata.broker.testing.BrokerProcess;
import io.strata.broker.testing.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker process is killed with SIGKILL right after offsets were committed and a group formed;
 * restarted on the same data it has both.
 */
class GroupCrashRecoveryTest {

    private static final String TOPIC = "crash-offsets";

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @Test
    @Timeout(120)
    void commitsAndGroupsMadeBeforeAKillAreThereAfterTheRestart() throws Exception {
        TopicPartition p0 = new TopicPartition(TOPIC, 0);
        TopicPartition p1 = new TopicPartition(TOPIC, 1);
        int port;
        String memberId;
        KafkaConsumer<byte[], byte[]> member;
        try (BrokerProcess broker = BrokerProcess.start(dataDir, FreePorts.take(1)[0], logs.resolve("first.log"))) {
            port = broker.port();
            try (Admin admin = admin(broker)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            }
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 2, null, ("v" + i).getBytes())).get();
                }
            }
            // A consumer that assigns its partitions and only stores offsets.
            try (KafkaConsumer<byte[], byte[]> simple = consumer(broker.bootstrapServers(), "simple", "crash-simple")) {
                simple.assign(List.of(p0, p1));
                simple.commitSync(Map.of(p0, new OffsetAndMetadata(7, "seven"), p1, new OffsetAndMetadata(3)));
            }
            // A member of a group that stays up while the broker dies.
            member = consumer(broker.bootstrapServers(), "member", "crash-members");
            member.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (member.assignment().size() < 2 && System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(100));
            }
            assertThat(member.assignment()).containsExactlyInAnyOrder(p0, p1);
            member.commitSync(Map.of(p0, new OffsetAndMetadata(10), p1, new OffsetAndMetadata(9)));
            memberId = member.groupMetadata().memberId();
            broker.kill();
        }

        try (BrokerProcess broker = BrokerProcess.start(dataDir, port, logs.resolve("second.log"));
             Admin admin = admin(broker)) {
            Map<TopicPartition, OffsetAndMetadata> simple = admin.listConsumerGroupOffsets("crash-simple")
                    .partitionsToOffsetAndMetadata().get();
            assertThat(simple.get(p0)).isEqualTo(new OffsetAndMetadata(7, "seven"));
            assertThat(simple.get(p1).offset()).isEqualTo(3);
            Map<TopicPartition, OffsetAndMetadata> grouped = admin.listConsumerGroupOffsets("crash-members")
                    .partitionsToOffsetAndMetadata().get();
            assertThat(grouped.get(p0).offset()).isEqualTo(10);
            assertThat(grouped.get(p1).offset()).isEqualTo(9);

            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of("crash-members"))
                    .describedGroups().get("crash-members").get();
            assertThat(description.members()).extracting(MemberDescription::consumerId).containsExactly(memberId);

            // The member carries on as itself and commits again. If its heartbeat landed while the
            // reloaded group was rebalancing, the commit is refused until poll() has rejoined it,
            // which is what any client application does.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean committed = false;
            while (!committed && System.nanoTime() < deadline) {
                member.poll(Duration.ofMillis(200));
                try {
                    member.commitSync(Map.of(p0, new OffsetAndMetadata(10)), Duration.ofSeconds(10));
                    committed = true;
                } catch (RebalanceInProgressException e) {
                    // rejoining: poll again
                }
            }
            assertThat(committed).isTrue();
            assertThat(member.groupMetadata().memberId()).isEqualTo(memberId);
            member.close(Duration.ofSeconds(5));
            broker.kill();
        }
    }

    private static Admin admin(BrokerProcess broker) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String clientId, String groupId) {
        Map<String, Object> props = new HashMap<>(GroupTests.consumerProps(clientId, groupId));
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        // The broker is down for a while: a longer session keeps the member through the restart.
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        return new KafkaConsumer<>(props);
    }
}
