package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the metadata is loaded and the Kafka listener accepts connections. */
@Readiness
@Singleton
public class BrokerReadinessCheck extends BrokerHealthCheck {

    public BrokerReadinessCheck(BrokerLifecycle lifecycle) {
        super(lifecycle, "kafka-listener", false);
    }

    @Override
    HealthCheckResponse check(Broker broker, HealthCheckResponseBuilder response) {
        return response.up()
                .withData("bootstrap", broker.bootstrapServers())
                .withData("topics", broker.metadataImage().topics().size())
                .build();
    }
}
