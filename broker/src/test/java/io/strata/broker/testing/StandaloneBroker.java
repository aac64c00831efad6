package io.strata.broker.testing;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerSettings;

import java.nio.file.Path;

/**
 * A broker in a process of its own, so a test can kill it with SIGKILL: {@code <dataDir> <port>}.
 * Prints {@code READY <port>} once it accepts connections.
 */
public final class StandaloneBroker {

    private StandaloneBroker() {
    }

    public static void main(String[] args) throws InterruptedException {
        Broker broker = Broker.start(BrokerSettings.builder(Path.of(args[0])).kafkaPort(Integer.parseInt(args[1]))
                .ioThreads(2).build());
        System.out.println("READY " + broker.kafkaAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
