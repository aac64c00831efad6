package io.strata.broker.rest;

import io.strata.broker.rest.PartitionsResource.PartitionData;
import io.strata.broker.server.Broker;
import io.strata.broker.testing.TestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Across topics, the partitions with a replica on a stopped broker are under-replicated, and only they, until
 * it is back in sync. The endpoint's HTTP side is in {@link RestAdminTest}.
 */
class UnderReplicatedPartitionsTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void thePartitionsWithAReplicaOnAStoppedBrokerUntilItIsBackInSync() throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
            try (Admin admin = cluster.broker(1).admin()) {
                admin.createTopics(List.of(
                        new NewTopic("orders", Map.of(0, List.of(1, 2), 1, List.of(2, 3), 2, List.of(3, 1))),
                        new NewTopic("audit", Map.of(0, List.of(1, 3))))).all().get();
            }
            cluster.awaitMetadataOf("orders");
            cluster.awaitMetadataOf("audit");
            Broker survivor = cluster.broker(2).broker();
            assertThat(UnderReplicatedPartitionsResource.underReplicated(survivor)).isEmpty();

            cluster.broker(1).restart(() -> await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(UnderReplicatedPartitionsResource.underReplicated(survivor))
                            .extracting(PartitionData::topicName, PartitionData::partitionId, PartitionData::leaderId,
                                    PartitionData::replicas, PartitionData::isr)
                            .containsExactly(
                                    tuple("audit", 0, 3, List.of(1, 3), List.of(3)),
                                    tuple("orders", 0, 2, List.of(1, 2), List.of(2)),
                                    tuple("orders", 2, 3, List.of(3, 1), List.of(3)))));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(UnderReplicatedPartitionsResource.underReplicated(survivor)).isEmpty());
        }
    }
}
