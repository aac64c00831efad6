package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the metadata is loaded and the Kafka listener accepts connections. */
@Readiness
@ApplicationScoped
public class BrokerReadinessCheck implements HealthCheck {

    private final BrokerLifecycle lifecycle;

    public BrokerReadinessCheck(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            return HealthCheckResponse.named("kafka-listener").down().withData("reason", "starting").build();
        }
        return HealthCheckResponse.named("kafka-listener").up()
                .withData("bootstrap", broker.bootstrapServers())
                .withData("topics", broker.metadataImage().topics().size())
                .build();
    }
}
