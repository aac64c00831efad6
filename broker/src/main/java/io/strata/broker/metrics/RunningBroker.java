package io.strata.broker.metrics;

import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;

import java.util.function.ToDoubleFunction;

/**
 * The values of the meters read from the broker at each scrape: 0 while no broker runs, before it has started
 * and once it has stopped.
 */
final class RunningBroker {

    private RunningBroker() {
    }

    /** {@code value} of the running broker, else 0. */
    static ToDoubleFunction<BrokerLifecycle> value(ToDoubleFunction<Broker> value) {
        return lifecycle -> {
            Broker broker = lifecycle.broker();
            return broker == null ? 0 : value.applyAsDouble(broker);
        };
    }
}
