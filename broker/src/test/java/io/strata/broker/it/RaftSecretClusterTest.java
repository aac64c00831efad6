package io.strata.broker.it;

import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.RaftMetadataLog.Member;
import io.strata.broker.cluster.RaftMetadataLog.Settings;
import io.strata.broker.testing.FreePorts;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Brokers configured with the same {@code strata.raft.secret} form one cluster, and a Raft member without the secret
 * never joins its metadata group.
 */
class RaftSecretClusterTest {

    @RegisterExtension
    static final TestCluster cluster = TestCluster.perClass(2, Map.of("strata.raft.secret", "the raft secret of this cluster"));

    @TempDir
    Path dir;

    @Test
    void brokersSharingTheSecretFormOneClusterThatAMemberWithoutItNeverJoins() throws Exception {
        try (Admin admin = cluster.broker(1).admin()) {
            assertThat(admin.describeCluster().nodes().get()).extracting(Node::id).containsExactlyInAnyOrder(1, 2);
            admin.createTopics(List.of(new NewTopic("replicated", 1, (short) 2))).all().get();
            cluster.awaitMetadataOf("replicated");
            assertThat(admin.describeTopics(List.of("replicated")).allTopicNames().get().get("replicated").partitions())
                    .flatExtracting(TopicPartitionInfo::replicas).extracting(Node::id).containsExactlyInAnyOrder(1, 2);
        }

        List<Member> voters = Arrays.stream(cluster.voters().split(",")).map(Member::parse).toList();
        RaftMetadataLog outsider = new RaftMetadataLog(new Settings(dir, 3, "127.0.0.1", FreePorts.take(1)[0], voters,
                Duration.ofSeconds(4), RaftMetadataLog.DEFAULT_TIMEOUT, RaftMetadataLog.DEFAULT_SNAPSHOT_EVERY_ENTRIES, true,
                Optional.empty()));
        try {
            assertThatThrownBy(outsider::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("No metadata Raft leader");
        } finally {
            outsider.close();
        }
    }
}
