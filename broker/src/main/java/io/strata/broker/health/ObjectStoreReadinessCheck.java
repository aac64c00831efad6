package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import io.strata.broker.tiering.ObjectStoreStatus;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Down while the object store does not answer the tiering service's probes, with the failure as the
 * reason: produce goes on meanwhile (up to {@code STRATA_LOG_LOCAL_DISK_LIMIT}), but nothing is tiered
 * and tiered offsets cannot be read.
 */
@Readiness
@Singleton
public class ObjectStoreReadinessCheck extends BrokerHealthCheck {

    public ObjectStoreReadinessCheck(BrokerLifecycle lifecycle) {
        super(lifecycle, "object-store", false);
    }

    @Override
    HealthCheckResponse check(Broker broker, HealthCheckResponseBuilder response) {
        ObjectStoreStatus status = broker.tiering().status();
        response.status(status.reachable())
                .withData("store", broker.tiering().storeDescription())
                .withData("since", status.since().toString());
        status.reason().ifPresent(reason -> response.withData("reason", reason));
        return response.build();
    }
}
