package io.strata.broker.protocol;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Requests forwarded to a real broker over its Kafka listener: answered on one connection kept open between them,
 * answered again after the broker restarted (the connection found closed is replaced once), and failed with a
 * NetworkException naming the broker while it is down.
 */
class RequestForwarderTest {

    @TempDir
    Path dataDir;

    @Test
    void requestsAreAnsweredAcrossARestartOfTheBrokerAndFailWhileItIsDown() throws Exception {
        TestBroker broker = TestBroker.start(dataDir);
        try (RequestForwarder forwarder = new RequestForwarder(
                new InterBrokerClients(InterBrokerSettings.PLAINTEXT), Duration.ofSeconds(5))) {
            InetSocketAddress address = broker.broker().kafkaAddress();
            assertThat(apiVersions(forwarder, address)).isEqualTo(Errors.NONE);
            assertThat(apiVersions(forwarder, address)).isEqualTo(Errors.NONE);

            broker.stop();
            broker.start();
            assertThat(apiVersions(forwarder, address)).as("on a new connection").isEqualTo(Errors.NONE);

            broker.stop();
            assertThatThrownBy(() -> apiVersions(forwarder, address)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(NetworkException.class).hasMessageContaining(":" + address.getPort());
        } finally {
            broker.close();
        }
    }

    private static Errors apiVersions(RequestForwarder forwarder, InetSocketAddress broker) throws Exception {
        AbstractResponse response = forwarder.send(broker.getHostString(), broker.getPort(),
                new ApiVersionsRequest.Builder(), ApiKeys.API_VERSIONS.latestVersion()).get(10, TimeUnit.SECONDS);
        return Errors.forCode(((ApiVersionsResponse) response).data().errorCode());
    }
}
