package io.strata.broker.server;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.RaftMetadataLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A running broker keeps its place in the metadata: found fenced or unregistered, it registers again. */
class BrokerRegistrationTest {

    private static final BrokerImage ENDPOINT = new BrokerImage(1,
            List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9092)), null, false);

    @TempDir
    Path dir;

    @Test
    void aRunningBrokerUnregisteredWhileItWasFencedRegistersAgain() throws Exception {
        try (RaftMetadataLog metadata = new RaftMetadataLog(RaftMetadataLog.Settings.alone(dir.resolve("metadata"),
                ENDPOINT.nodeId(), "127.0.0.1", 0))) {
            metadata.start();
            BrokerRegistration registration = new BrokerRegistration(metadata, null, ENDPOINT);
            // Not registered yet: a registration missing is no reason to register from the metadata's side.
            registration.onImage(metadata.image());
            assertThat(metadata.image().broker(ENDPOINT.nodeId())).isEmpty();
            registration.register();

            // Cut off from the quorum for a while: fenced by the controller, then unregistered by an operator.
            metadata.submit(new MetadataCommand.SetBrokerFenced(ENDPOINT.nodeId(), true)).join();
            metadata.submit(new MetadataCommand.UnregisterBroker(ENDPOINT.nodeId())).join();
            registration.onImage(metadata.image());

            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.image().broker(ENDPOINT.nodeId())
                    .filter(broker -> !broker.fenced()).isPresent());
        }
    }
}
