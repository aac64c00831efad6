package io.strata.broker.health;

import io.strata.broker.testing.TestCluster;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A broker of a three-broker cluster is not ready while it cannot reach a majority of the metadata voters. */
class ClusterReadinessTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aBrokerCutOffFromTheQuorumIsNotReadyUntilTheMajorityIsBack() throws Exception {
        try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
            BrokerReadinessCheck readiness = new BrokerReadinessCheck(null);
            assertThat(readiness.check(cluster.broker(3).broker(), HealthCheckResponse.named("kafka-listener"))
                    .getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

            cluster.broker(1).restart(() -> cluster.broker(2).restart(() ->
                    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                        HealthCheckResponse alone = readiness.check(cluster.broker(3).broker(),
                                HealthCheckResponse.named("kafka-listener"));
                        assertThat(alone.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
                        assertThat(alone.getData().orElseThrow().get("metadata").toString())
                                .contains("no quorum leader");
                    })));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(readiness.check(
                    cluster.broker(3).broker(), HealthCheckResponse.named("kafka-listener")).getStatus())
                    .isEqualTo(HealthCheckResponse.Status.UP));
        }
    }
}
