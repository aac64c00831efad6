package io.strata.broker.it;

import io.strata.broker.partition.Partition;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A follower that falls behind what its leader has tiered and freed locally starts over where the tiered log
 * ends (Kafka's OFFSET_MOVED_TO_TIERED_STORAGE) instead of copying what the bucket holds, joins the in-sync
 * replicas, and as leader serves the whole history, its older part from the bucket.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TieredFollowerTest {

    private static final String TOPIC = "behind";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);
    private static final int RECORDS = 1500;
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aFollowerBehindTheLeadersLocalLogStartsWhereTheBucketEnds() throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3, Map.of(
                "strata.tiering.url", dir.resolve("bucket").toUri().toString(),
                "strata.tiering.upload-interval", "100ms",
                "strata.log.retention-check-interval", "100ms"));
             Admin admin = cluster.broker(1).admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(1))).configs(Map.of(
                    TopicConfig.SEGMENT_BYTES_CONFIG, "65536",
                    TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1")))).all().get();
            try (KafkaProducer<byte[], byte[]> producer = cluster.broker(1).producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, ByteBuffer.allocate(1024).putInt(0, i).array()));
                }
            }
            // Broker 2 joins as a new replica, throttled to 1 B/s while it is not in sync: it copies a first
            // fetch's worth (1 MiB of the 1.5), then falls behind while broker 1 tiers everything and frees its disk.
            ConfigResource broker2 = new ConfigResource(ConfigResource.Type.BROKER, "2");
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
            admin.incrementalAlterConfigs(Map.of(
                    broker2, List.of(set("follower.replication.throttled.rate", "1")),
                    topic, List.of(set("follower.replication.throttled.replicas", "*")))).all().get();
            admin.alterPartitionReassignments(Map.of(PARTITION,
                    Optional.of(new NewPartitionReassignment(List.of(1, 2))))).all().get();
            await().atMost(WITHIN).until(() -> cluster.broker(2).broker().partitions().partition(PARTITION)
                    .filter(copy -> copy.logEndOffset() > 0).isPresent());
            Partition follower = cluster.broker(2).broker().partitions().partition(PARTITION).orElseThrow();
            Partition leader = cluster.broker(1).broker().partitions().partition(PARTITION).orElseThrow();
            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    set(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, "true"),
                    set(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, "1")))).all().get();
            await().atMost(WITHIN).until(() -> leader.localLogStartOffset() > follower.logEndOffset());
            long followerEnd = follower.logEndOffset();

            admin.incrementalAlterConfigs(Map.of(broker2, List.of(
                    new AlterConfigOp(new ConfigEntry("follower.replication.throttled.rate", null),
                            AlterConfigOp.OpType.DELETE)))).all().get();
            await().atMost(WITHIN).until(() -> admin.listPartitionReassignments().reassignments().get().isEmpty());
            Partition caughtUp = cluster.broker(2).broker().partitions().partition(PARTITION).orElseThrow();
            assertThat(caughtUp.localLogStartOffset()).as("it skipped what the bucket holds")
                    .isGreaterThan(followerEnd);
            assertThat(caughtUp.logEndOffset()).isEqualTo(RECORDS);
            await().atMost(WITHIN).until(() -> caughtUp.state().isr().equals(List.of(1, 2)));

            cluster.broker(1).close();
            await().atMost(WITHIN).until(() -> cluster.broker(2).broker().partitions().leading(PARTITION).isPresent());
            List<ConsumerRecord<byte[], byte[]>> read = cluster.broker(2).readAll(List.of(PARTITION), RECORDS,
                    Duration.ofSeconds(30));
            assertThat(read).hasSize(RECORDS);
            for (int i = 0; i < RECORDS; i++) {
                assertThat(read.get(i).offset()).isEqualTo(i);
                assertThat(ByteBuffer.wrap(read.get(i).value()).getInt()).isEqualTo(i);
            }
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }
}
