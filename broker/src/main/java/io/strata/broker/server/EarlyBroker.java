package io.strata.broker.server;

import io.smallrye.config.SmallRyeConfig;
import io.strata.broker.protocol.RequestMetrics;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broker the packaged application's entry point starts before Quarkus boots, on a thread of its own: the Kafka
 * listener then opens while Quarkus sets up the HTTP side, which a Kafka client does not wait for, and
 * {@link BrokerLifecycle} adopts the broker once the application is up. A start-up without that entry point (dev
 * mode, the tests' Quarkus application) finds none and starts the broker itself. The handover is static because
 * the entry point runs before the container that holds the application's beans exists.
 */
public final class EarlyBroker {

    private static final AtomicReference<CompletableFuture<Broker>> STARTING = new AtomicReference<>();

    private EarlyBroker() {
    }

    /** Starts the broker with the settings {@code config} gives, counting its requests in {@code requestMetrics}. */
    public static void start(SmallRyeConfig config, RequestMetrics requestMetrics) {
        CompletableFuture<Broker> starting = new CompletableFuture<>();
        if (!STARTING.compareAndSet(null, starting)) {
            throw new IllegalStateException("the broker has already been started");
        }
        Thread starter = new Thread(() -> {
            try {
                starting.complete(Broker.start(BrokerSettings.from(config, requestMetrics)));
            } catch (Throwable e) {
                starting.completeExceptionally(e);
            }
        }, "strata-broker-start");
        starter.start();
        // Should the application fail to start, the broker it never adopted still closes its logs cleanly.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> take().ifPresent(unadopted ->
                unadopted.thenAccept(Broker::close)), "strata-broker-unadopted-close"));
    }

    /** The broker {@link #start} is starting, once; empty if none was started or it was taken already. */
    static Optional<CompletableFuture<Broker>> take() {
        return Optional.ofNullable(STARTING.getAndSet(null));
    }
}
