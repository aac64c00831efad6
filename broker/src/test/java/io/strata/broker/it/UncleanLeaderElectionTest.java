package io.strata.broker.it;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.EligibleLeadersNotAvailableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An unclean leader election, live: a partition's last in-sync replica is down, the other replica, which missed
 * the latest acknowledged records, is back, and once the topic allows unclean elections an ElectLeaders request
 * makes it the leader. Those records are lost, the partition serves again, and the old leader, when it is back,
 * truncates what only it had and follows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UncleanLeaderElectionTest {

    private static final String TOPIC = "unclean";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    /** The partition's replicas, A its preferred leader. */
    private static final int A = 2;
    private static final int B = 3;

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(1);

    @Test
    void anOutOfSyncReplicaLeadsOnceTheTopicAllowsItAndTheRecordsOnlyTheOldLeaderHadAreLost() throws Exception {
        // A and B are down together at one point. Were they two of three voters, the metadata quorum would lose its
        // majority and could neither fence them nor elect anyone; so broker 1, holding no replica, is the only voter
        // and stays up, and A and B are brokers outside the quorum.
        TestBroker controller = cluster.broker(1);
        TestBroker a = cluster.startNonVoter(A);
        TestBroker b = cluster.startNonVoter(B);
        try (Admin admin = controller.admin()) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(A, B)))
                    .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "1")))).all().get();
            cluster.awaitMetadataOf(TOPIC);
            List<String> committed = send(cluster.bootstrapServers(), "committed", 0);

            // B leaves the ISR; min.insync.replicas=1 lets A alone acknowledge acks=all records.
            b.stop();
            awaitPartition(controller, p -> p.isr().equals(List.of(A)));
            List<String> lost = send(cluster.bootstrapServersExcept(B), "lost", 5);

            // A, the last in-sync replica, stays in the ISR with nobody leading: only it has every record.
            a.stop();
            PartitionImage leaderless = awaitPartition(controller, p -> p.leader() == PartitionImage.NO_LEADER);
            assertThat(leaderless.isr()).containsExactly(A);
            // B comes back out of sync, so it does not lead; nor may an unclean election make it lead yet.
            b.start();
            controller.awaitMetadata(image -> !image.broker(B).orElseThrow().fenced());
            assertThat(partition(controller.broker().metadataImage())).isEqualTo(leaderless);
            assertThat(admin.electLeaders(ElectionType.UNCLEAN, Set.of(TP)).partitions().get().get(TP))
                    .containsInstanceOf(EligibleLeadersNotAvailableException.class);

            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC), List.of(
                    new AlterConfigOp(new ConfigEntry(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "true"),
                            AlterConfigOp.OpType.SET)))).all().get();
            controller.awaitMetadata(image -> "true".equals(image.topic(TOPIC)
                    .orElseThrow().configs().get(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG)));
            // Strata holds an unclean election only when ElectLeaders asks for one: the config change alone
            // elects nobody.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> partition(controller.broker().metadataImage()).equals(leaderless));
            assertThat(admin.electLeaders(ElectionType.UNCLEAN, Set.of(TP)).partitions().get().get(TP)).isEmpty();
            PartitionImage unclean = awaitPartition(controller, p -> p.leader() == B);
            assertThat(unclean.isr()).containsExactly(B);
            assertThat(unclean.leaderEpoch()).isGreaterThan(leaderless.leaderEpoch());

            // B serves again, from its own log: the new records take the offsets the lost ones had.
            List<String> after = send(cluster.bootstrapServersExcept(A), "after", 5);
            List<String> survivors = Stream.concat(committed.stream(), after.stream()).toList();
            assertThat(values(b, survivors.size())).containsExactlyElementsOf(survivors)
                    .doesNotContainAnyElementsOf(lost);
            assertThat(endOffset(admin)).isEqualTo(survivors.size());

            // A comes back, truncates the lost records (B's log has no more of epoch 0 than the committed
            // ones) and copies B's new ones; led by A again, the partition holds exactly what B held.
            a.start();
            awaitPartition(controller, p -> p.isr().equals(List.of(A, B)));
            assertThat(admin.electLeaders(ElectionType.PREFERRED, Set.of(TP)).partitions().get().get(TP)).isEmpty();
            awaitPartition(controller, p -> p.leader() == A);
            assertThat(values(a, survivors.size())).containsExactlyElementsOf(survivors);
            assertThat(endOffset(admin)).isEqualTo(survivors.size());
        }
    }

    /**
     * Sends five records {@code prefix-0} to {@code prefix-4} with acks=all, one at a time, checks each was
     * acknowledged at the next offset from {@code firstOffset}, and returns their values.
     */
    private static List<String> send(String bootstrap, String prefix, long firstOffset) throws Exception {
        List<String> values = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            for (int i = 0; i < 5; i++) {
                String value = prefix + "-" + i;
                offsets.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, value.getBytes()))
                        .get(20, TimeUnit.SECONDS).offset());
                values.add(value);
            }
        }
        assertThat(offsets).containsExactlyElementsOf(LongStream.range(firstOffset, firstOffset + 5).boxed().toList());
        return values;
    }

    /** The values of the partition's first {@code expected} records, read through {@code broker}. */
    private static List<String> values(TestBroker broker, int expected) {
        return broker.readAll(List.of(TP), expected, Duration.ofSeconds(20)).stream()
                .map(ConsumerRecord::value).map(String::new).toList();
    }

    /** The partition's log end offset, as its leader answers ListOffsets. */
    private static long endOffset(Admin admin) throws Exception {
        return admin.listOffsets(Map.of(TP, OffsetSpec.latest())).partitionResult(TP).get().offset();
    }

    private static PartitionImage partition(MetadataImage image) {
        return image.topic(TOPIC).orElseThrow().partition(0);
    }

    /** The partition as {@code broker}'s metadata has it, once it satisfies {@code condition}. */
    private static PartitionImage awaitPartition(TestBroker broker, Predicate<PartitionImage> condition) {
        return partition(broker.awaitMetadata(image -> condition.test(partition(image))));
    }
}
