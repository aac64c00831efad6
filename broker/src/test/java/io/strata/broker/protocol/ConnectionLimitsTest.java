package io.strata.broker.protocol;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLimitsTest {

    private final AtomicLong now = new AtomicLong(5_000);

    @Test
    void anAddressMayHoldAtMostItsConnectionsAndGetsOneBackWhenOneCloses() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(2, Integer.MAX_VALUE, Duration.ofMinutes(1), now::get);
        InetAddress client = InetAddress.getByName("10.0.0.1");
        assertThat(limits.admit(client)).isNull();
        assertThat(limits.admit(client)).isNull();
        assertThat(limits.admit(client)).contains("max.connections.per.ip");
        assertThat(limits.admit(InetAddress.getByName("10.0.0.2"))).as("another address").isNull();
        limits.closed(client);
        assertThat(limits.admit(client)).isNull();
    }

    @Test
    void newConnectionsBeyondTheRateAreRefusedUntilTheNextSecond() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(Integer.MAX_VALUE, 3, Duration.ofMinutes(1), now::get);
        InetAddress client = InetAddress.getByName("10.0.0.1");
        for (int i = 0; i < 3; i++) {
            assertThat(limits.admit(client)).isNull();
        }
        assertThat(limits.admit(client)).contains("max.connection.creation.rate");
        now.addAndGet(1_000);
        assertThat(limits.admit(client)).isNull();
    }
}
