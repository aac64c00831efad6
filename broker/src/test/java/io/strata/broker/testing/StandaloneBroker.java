package io.strata.broker.testing;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerSettings;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A broker in a process of its own, so a test can kill it with SIGKILL or stop it with SIGTERM:
 * {@code <dataDir> <port> [key=value ...]}, the pairs being configuration keys such as {@code strata.node-id}.
 * Prints {@code READY <port>} once it accepts connections. It tiers and applies retention every
 * 20 ms, so that a kill is likely to land in the middle of an upload of a tiered topic's segment.
 */
public final class StandaloneBroker {

    private StandaloneBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> config = new HashMap<>(Map.of("strata.kafka.port", args[1],
                "strata.kafka.io-threads", "2", "strata.log.retention-check-interval", "20ms",
                "strata.tiering.upload-interval", "20ms"));
        for (int i = 2; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            config.put(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        Broker broker = Broker.start(BrokerSettings.of(Path.of(args[0]), config));
        // SIGTERM closes the broker as the application does; SIGKILL skips this.
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println("READY " + broker.kafkaAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
