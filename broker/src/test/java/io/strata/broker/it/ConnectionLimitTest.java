package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code max.connections.per.ip} on a real listener: the connection over the limit is closed, the others served. */
class ConnectionLimitTest {

    @Test
    void aConnectionOverTheLimitOfItsAddressIsClosedAndTheOthersAreServed(@TempDir Path dir) throws Exception {
        try (TestBroker broker = TestBroker.start(dir, Map.of("strata.kafka.max-connections-per-ip", "2"))) {
            InetSocketAddress address = broker.broker().kafkaAddress();
            try (KafkaWire first = new KafkaWire(address); KafkaWire second = new KafkaWire(address)) {
                assertThat(first.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())).isNotNull();
                assertThat(second.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())).isNotNull();
                try (KafkaWire third = new KafkaWire(address)) {
                    third.socket().setSoTimeout(10_000);
                    assertThat(third.socket().getInputStream().read()).as("closed by the broker").isEqualTo(-1);
                }
            }
            // Both closed: a new connection has room again (the broker learns of the close asynchronously).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (true) {
                try (KafkaWire again = new KafkaWire(address)) {
                    again.socket().setSoTimeout(10_000);
                    assertThat(again.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())).isNotNull();
                    break;
                } catch (java.io.IOException e) {
                    assertThat(System.nanoTime()).as("a connection is served again").isLessThan(deadline);
                    Thread.sleep(50);
                }
            }
        }
    }
}
