package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * A health check of the running broker. While the broker starts there is nothing to check: the answer
 * is up or down, as the check decides, with the reason "starting". Thread-safe when {@link #check} is.
 *
 * <p>The checks are {@code @Singleton} beans: an application-scoped bean's client proxy would need a
 * no-args constructor here.
 */
abstract class BrokerHealthCheck implements HealthCheck {

    private final BrokerLifecycle lifecycle;
    private final String name;
    private final boolean upWhileStarting;

    BrokerHealthCheck(BrokerLifecycle lifecycle, String name, boolean upWhileStarting) {
        this.lifecycle = lifecycle;
        this.name = name;
        this.upWhileStarting = upWhileStarting;
    }

    @Override
    public HealthCheckResponse call() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            return HealthCheckResponse.named(name).status(upWhileStarting).withData("reason", "starting").build();
        }
        return check(broker, HealthCheckResponse.named(name));
    }

    /** Checks the started broker, building on {@code response}, which is named already. */
    abstract HealthCheckResponse check(Broker broker, HealthCheckResponseBuilder response);
}
