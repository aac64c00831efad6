package io.strata.broker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.strata.broker.server.BrokerLifecycle;
import io.strata.broker.txn.TransactionCoordinator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.function.ToDoubleFunction;

/**
 * The transaction coordinator's meters, read at each scrape: {@code strata_transactions_open} (transactions open
 * or ending among the transactional ids this broker coordinates) and {@code strata_transactions_total{result}}
 * (transactions this broker's coordinator committed or aborted since start, timed-out ones included).
 */
@ApplicationScoped
public class TransactionMetrics {

    private final BrokerLifecycle lifecycle;
    private final MeterRegistry registry;

    public TransactionMetrics(BrokerLifecycle lifecycle, MeterRegistry registry) {
        this.lifecycle = lifecycle;
        this.registry = registry;
    }

    void register(@Observes StartupEvent event) {
        Gauge.builder("strata.transactions.open", lifecycle, stat(TransactionCoordinator.Stats::open))
                .description("Transactions open or ending among the transactional ids this broker coordinates")
                .register(registry);
        FunctionCounter.builder("strata.transactions", lifecycle, stat(TransactionCoordinator.Stats::committed))
                .description("Transactions ended by this broker's coordinator since start").tag("result", "commit")
                .register(registry);
        FunctionCounter.builder("strata.transactions", lifecycle, stat(TransactionCoordinator.Stats::aborted))
                .description("Transactions ended by this broker's coordinator since start").tag("result", "abort")
                .register(registry);
    }

    private static ToDoubleFunction<BrokerLifecycle> stat(ToDoubleFunction<TransactionCoordinator.Stats> value) {
        return RunningBroker.value(broker -> value.applyAsDouble(broker.transactionCoordinator().stats()));
    }
}
