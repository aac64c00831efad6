package io.strata.broker.server;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import io.strata.broker.protocol.RequestMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Starts the broker with the application, with the {@link BrokerSettings} the configuration gives, and
 * stops it with the application. The packaged application's entry point has checked the settings and started the
 * broker while Quarkus booted ({@link EarlyBroker}), and this adopts it; a start-up without that entry point, such as
 * dev mode, starts it here and is still stopped with one line naming a bad setting.
 */
@ApplicationScoped
public class BrokerLifecycle {

    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class);

    private final SmallRyeConfig config;
    private final RequestMetrics requestMetrics;
    private volatile Broker broker;

    public BrokerLifecycle(Config config, RequestMetrics requestMetrics) {
        this.config = config.unwrap(SmallRyeConfig.class);
        this.requestMetrics = requestMetrics;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            EarlyBroker.Handover handover = EarlyBroker.adopt();
            if (handover instanceof EarlyBroker.Adopted adopted) {
                broker = join(adopted.broker());
            } else if (handover instanceof EarlyBroker.NotStarted) {
                broker = Broker.start(BrokerSettings.from(config, requestMetrics));
            }
            // Abandoned: the JVM is exiting, and closes the broker the entry point started itself.
        } catch (IllegalArgumentException e) {
            LOG.errorf("Invalid setting, not starting: %s", e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    /** The broker the entry point started, once it is up; what failed its start fails the application's. */
    private static Broker join(CompletableFuture<Broker> starting) {
        try {
            return starting.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        Broker running = broker;
        if (running != null) {
            running.close();
        }
    }

    /** The running broker, or null before start-up finished. */
    public Broker broker() {
        return broker;
    }
}
