package io.strata.broker.health;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the metadata is loaded, the Kafka listener accepts connections and the partitions the broker
 * started with are open: the listener opens first, and a restart with thousands of partitions recovers them
 * while it already answers. Not ready while the broker knows no metadata quorum leader (it is cut off from
 * the majority, or the majority is down): its metadata cannot move on, so what it answers may be stale.
 */
@Readiness
@Singleton
public class BrokerReadinessCheck extends BrokerHealthCheck {

    public BrokerReadinessCheck(BrokerLifecycle lifecycle) {
        super(lifecycle, "kafka-listener", false);
    }

    @Override
    HealthCheckResponse check(Broker broker, HealthCheckResponseBuilder response) {
        if (!broker.partitions().loaded().isDone()) {
            return response.down()
                    .withData("partitions", "loading: " + broker.partitions().partitions().size() + " open")
                    .build();
        }
        if (broker.metadataLeader() == null) {
            return response.down()
                    .withData("metadata", "no quorum leader: this broker cannot reach a majority of the voters")
                    .build();
        }
        return response.up()
                .withData("bootstrap", broker.bootstrapServers())
                .withData("topics", broker.metadataImage().topics().size())
                .build();
    }
}
