package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The broker's rack reaches clients through DescribeCluster and Metadata. */
class BrokerRackTest {

    @TempDir
    Path dataDir;

    @Test
    void clientsSeeTheConfiguredRack() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir, Map.of("strata.rack", "eu-west-1a"))) {
            assertRack(broker, "eu-west-1a");
            broker.createTopic("racked", 1, Map.of());
            try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
                List<PartitionInfo> partitions = consumer.partitionsFor("racked", Duration.ofSeconds(10));
                assertThat(partitions).singleElement().satisfies(p -> assertThat(p.leader().rack()).isEqualTo("eu-west-1a"));
            }
        }
    }

    @Test
    void noRackIsReportedAsNone() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir)) {
            assertRack(broker, null);
        }
    }

    private static void assertRack(TestBroker broker, String rack) throws Exception {
        try (Admin admin = broker.admin()) {
            Collection<Node> nodes = admin.describeCluster().nodes().get();
            assertThat(nodes).singleElement().satisfies(node -> {
                assertThat(node.rack()).isEqualTo(rack);
                assertThat(node.hasRack()).isEqualTo(rack != null);
            });
        }
    }
}
