package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A broker beyond the three voters of the metadata quorum ({@code strata.raft.voter=false}): it joins the
 * cluster, receives and submits metadata changes, holds and leads partitions like any broker, is reported as an
 * observer of the quorum, and never leads it, not even when the metadata leader stops.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NonVotingBrokerTest {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(3);

    @Test
    void aBrokerBeyondTheVotersFollowsTheMetadataHoldsPartitionsAndNeverLeadsTheQuorum() throws Exception {
        TestBroker observer = cluster.startNonVoter(4);
        assertThat(observer.broker().identity().clusterId())
                .isEqualTo(cluster.broker(1).broker().identity().clusterId());
        try (Admin admin = observer.admin()) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(admin.describeCluster().nodes().get()).extracting(Node::id)
                            .containsExactlyInAnyOrder(1, 2, 3, 4));
            // Submitted through the non-voter, which forwards it to the voters' leader.
            admin.createTopics(List.of(new NewTopic("beyond", Map.of(0, List.of(4, 1, 2))))).all().get();
            cluster.awaitMetadataOf("beyond");
            TopicPartition partition = new TopicPartition("beyond", 0);
            assertThat(observer.broker().partitions().leading(partition)).isPresent();
            try (KafkaProducer<byte[], byte[]> producer = observer.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("beyond", 0, null, Integer.toString(i).getBytes())).get();
                }
            }
            assertThat(cluster.broker(1).readAll(List.of(partition), 100, Duration.ofSeconds(30))).hasSize(100);

            QuorumInfo quorum = admin.describeMetadataQuorum().quorumInfo().get();
            assertThat(quorum.voters()).extracting(QuorumInfo.ReplicaState::replicaId).containsExactlyInAnyOrder(1, 2, 3);
            assertThat(quorum.observers()).extracting(QuorumInfo.ReplicaState::replicaId).contains(4);

            int leader = quorum.leaderId();
            cluster.broker(leader).close();
            String next = await().atMost(Duration.ofSeconds(30)).until(observer.broker()::metadataLeader,
                    elected -> elected != null && !elected.equals(Integer.toString(leader)));
            assertThat(next).as("a voter other than %d leads", leader).isIn(List.of("1", "2", "3"))
                    .isNotEqualTo(Integer.toString(leader));
            admin.createTopics(List.of(new NewTopic("after", 1, (short) 1))).all().get();
            observer.awaitMetadata(image -> image.topic("after").isPresent());
        }
    }
}
