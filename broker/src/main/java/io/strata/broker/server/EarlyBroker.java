package io.strata.broker.server;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker the packaged application's entry point starts before Quarkus boots, on a thread of its own: the Kafka
 * listener opens before Quarkus sets up the HTTP side, which a Kafka client does not wait for, and
 * {@link BrokerLifecycle} adopts the broker once the application is up. A start-up without that entry point (the
 * tests' Quarkus application, dev mode) finds none and starts the broker itself. The handover is static because the
 * entry point runs before the container that holds the application's beans exists.
 *
 * <p>The broker is either adopted or, when the JVM exits first (a stop during boot, or Quarkus failing to start), left
 * behind and closed by a shutdown hook, never both: the first of the two to claim it wins.
 */
public final class EarlyBroker {

    private static final Logger LOG = Logger.getLogger(EarlyBroker.class);
    /** How long an exiting JVM waits for a broker still starting, to close it cleanly. */
    private static final long ABANDON_WAIT_SECONDS = 30;

    /** Who holds the broker being started. */
    private enum Claim { NONE, STARTING, ADOPTED, ABANDONED }

    private static Claim claim = Claim.NONE;
    private static CompletableFuture<Broker> starting;

    private EarlyBroker() {
    }

    /** Starts the broker with {@code settings}. */
    public static synchronized void start(BrokerSettings settings) {
        if (claim != Claim.NONE) {
            throw new IllegalStateException("the broker has already been started");
        }
        CompletableFuture<Broker> future = new CompletableFuture<>();
        starting = future;
        claim = Claim.STARTING;
        Thread starter = new Thread(() -> {
            try {
                future.complete(Broker.start(settings));
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "strata-broker-start");
        starter.start();
        Runtime.getRuntime().addShutdownHook(new Thread(EarlyBroker::closeIfAbandoned, "strata-broker-abandoned"));
    }

    /**
     * Waits until the broker started, failed to start, or {@code atMost} passed. Quarkus booting alongside would take
     * a core from it on a small machine: on two cores the Kafka listener opened a third later. The bound is for a
     * broker that waits on its metadata quorum's peers, which may take long: Quarkus boots meanwhile, and its
     * HTTP side opens as soon as {@link BrokerLifecycle} has adopted the started broker. A failed start is left for
     * the application to report, when it adopts the broker.
     */
    public static void awaitStart(Duration atMost) {
        CompletableFuture<Broker> future;
        synchronized (EarlyBroker.class) {
            future = starting;
        }
        if (future == null) {
            return;
        }
        try {
            future.get(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debugf("The application boots while the broker has not started: %s", e);
        }
    }

    /** The handover to the application. */
    sealed interface Handover {
    }

    /** No broker was started early: the application starts one. */
    record NotStarted() implements Handover {
    }

    /** The broker being started early, now the application's. */
    record Adopted(CompletableFuture<Broker> broker) implements Handover {
    }

    /** The JVM is exiting and closes the broker itself: the application must not start another. */
    record Abandoned() implements Handover {
    }

    /** Claims the broker being started for the application, once. */
    static synchronized Handover adopt() {
        return switch (claim) {
            case NONE, ADOPTED -> new NotStarted();
            case ABANDONED -> new Abandoned();
            case STARTING -> {
                claim = Claim.ADOPTED;
                yield new Adopted(starting);
            }
        };
    }

    private static void closeIfAbandoned() {
        CompletableFuture<Broker> left;
        synchronized (EarlyBroker.class) {
            if (claim != Claim.STARTING) {
                return;
            }
            claim = Claim.ABANDONED;
            left = starting;
        }
        try {
            left.get(ABANDON_WAIT_SECONDS, TimeUnit.SECONDS).close();
        } catch (TimeoutException e) {
            LOG.warnf("The broker was still starting %d s after the application stopped; it exits without closing "
                    + "its logs, which the next start recovers", ABANDON_WAIT_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Its start failed: nothing to close.
            LOG.debugf("The broker the application left behind had not started: %s", e);
        }
    }
}
