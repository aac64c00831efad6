package io.strata.broker.protocol;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ClientLogTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final ClientLog log = new ClientLog(Logger.getLogger(ClientLogTest.class), now::get);
    private final InetSocketAddress noisy = new InetSocketAddress("10.0.0.1", 40_000);

    @Test
    void anAddressGetsTenLinesAMinuteAndTheNextMinuteSaysHowManyWereLeftOut() {
        for (int i = 0; i < ClientLog.LINES_PER_WINDOW; i++) {
            // Another port of the same address shares its lines.
            assertThat(log.line(new InetSocketAddress("10.0.0.1", 40_000 + i), "garbage %d", i)).isEqualTo("garbage " + i);
        }
        for (int i = 0; i < 39_990; i++) {
            assertThat(log.line(noisy, "garbage %d", i)).isNull();
        }
        assertThat(log.line(new InetSocketAddress("10.0.0.2", 1), "other client")).as("another address").isNotNull();
        now.addAndGet(ClientLog.WINDOW_MS);
        assertThat(log.line(noisy, "garbage again"))
                .isEqualTo("garbage again (39990 more such lines about 10.0.0.1 were left out in the last minute)");
        assertThat(log.line(noisy, "and again")).isEqualTo("and again");
    }
}
