package io.strata.broker.testing;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerSettings;
import io.strata.broker.tiering.TieringSettings;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A broker in a process of its own, so a test can kill it with SIGKILL or stop it with SIGTERM:
 * {@code <dataDir> <port>}.
 * Prints {@code READY <port>} once it accepts connections. It tiers and applies retention every
 * 20 ms, so that a kill is likely to land in the middle of an upload of a tiered topic's segment.
 */
public final class StandaloneBroker {

    private StandaloneBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        Broker broker = Broker.start(BrokerSettings.builder(Path.of(args[0])).kafkaPort(Integer.parseInt(args[1]))
                .ioThreads(2)
                .retentionCheckInterval(Duration.ofMillis(20))
                .tiering(TieringSettings.builder().uploadInterval(Duration.ofMillis(20)).build())
                .build());
        // SIGTERM closes the broker as the application does; SIGKILL skips this.
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println("READY " + broker.kafkaAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
