package io.strata.broker.it;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.testing.TestBroker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A broker that leaves the cluster is fenced by the metadata quorum: clients are no longer told of it and
 * its partitions have no leader; when it comes back it leads them again, in a new leader epoch, and
 * clients use them as before.
 */
class BrokerFencingTest {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(3);

    @Test
    void aBrokerThatLeavesIsFencedAndLeadsAgainWhenItIsBack() throws Exception {
        TestBroker first = cluster.broker(1);
        try (Admin admin = first.admin()) {
            admin.createTopics(List.of(new NewTopic("on-three", Map.of(0, List.of(3))))).all().get();
        }
        cluster.awaitMetadataOf("on-three");
        TopicPartition tp = new TopicPartition("on-three", 0);
        send(cluster, tp, "before");

        cluster.broker(3).restart(() -> {
            MetadataImage fenced = first.awaitMetadata(image -> image.broker(3).orElseThrow().fenced());
            cluster.broker(2).awaitMetadata(image -> image.broker(3).orElseThrow().fenced()); // the admin client asks either
            assertThat(partition(fenced)).isEqualTo(new PartitionImage(List.of(3), List.of(3), PartitionImage.NO_LEADER, 1));
            try (Admin admin = first.admin()) {
                assertThat(admin.describeCluster().nodes().get()).extracting(Node::id).containsExactlyInAnyOrder(1, 2);
                TopicDescription topic = admin.describeTopics(List.of("on-three")).allTopicNames().get().get("on-three");
                assertThat(topic.partitions().get(0).leader()).isNull();
                // kafka-cluster unregister: a live broker is refused, the fenced one is forgotten until it is back.
                assertThatThrownBy(() -> admin.unregisterBroker(2).all().get())
                        .hasCauseInstanceOf(InvalidRequestException.class);
                assertThatThrownBy(() -> admin.unregisterBroker(9).all().get())
                        .hasCauseInstanceOf(BrokerIdNotRegisteredException.class);
                admin.unregisterBroker(3).all().get();
                first.awaitMetadata(image -> image.broker(3).isEmpty());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        MetadataImage back = first.awaitMetadata(image -> partition(image).leader() == 3);
        // Registered again as it started, and leading where it was the last in-sync replica, as after a fence.
        assertThat(back.broker(3).orElseThrow().fenced()).isFalse();
        assertThat(partition(back).leaderEpoch()).isEqualTo(2);
        cluster.awaitMetadataOf("on-three");
        assertThat(cluster.broker(3).broker().partitions().leading(tp).orElseThrow().leaderEpoch()).isEqualTo(2);

        // Clients that learnt the new epoch from Metadata produce and fetch with it.
        send(cluster, tp, "after");
        assertThat(first.readAll(List.of(tp), 2, Duration.ofSeconds(30)))
                .extracting(record -> new String(record.value())).containsExactly("before", "after");
    }

    private static void send(TestCluster cluster, TopicPartition tp, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                "acks", "all", "key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer",
                "value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"))) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value.getBytes())).get(30, TimeUnit.SECONDS);
        }
    }

    private static PartitionImage partition(MetadataImage image) {
        return image.topic("on-three").orElseThrow().partition(0);
    }
}
