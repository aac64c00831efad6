package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import io.strata.broker.tiering.ObjectStoreStatus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down while the object store does not answer the tiering service's probes, with the failure as the
 * reason: produce goes on meanwhile (up to {@code STRATA_LOG_LOCAL_DISK_LIMIT}), but nothing is tiered
 * and tiered offsets cannot be read.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreReadinessCheck implements HealthCheck {

    private final BrokerLifecycle lifecycle;

    public ObjectStoreReadinessCheck(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            return HealthCheckResponse.named("object-store").down().withData("reason", "starting").build();
        }
        ObjectStoreStatus status = broker.tiering().status();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("object-store")
                .status(status.reachable())
                .withData("store", broker.tiering().storeDescription())
                .withData("since", status.since().toString());
        status.reason().ifPresent(reason -> response.withData("reason", reason));
        return response.build();
    }
}
