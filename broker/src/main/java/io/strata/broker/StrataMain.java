package io.strata.broker;

import io.micrometer.core.instrument.Metrics;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.strata.broker.metrics.KafkaRequestMetrics;
import io.strata.broker.server.ConfigurationCheck;
import io.strata.broker.server.EarlyBroker;

import java.time.Duration;

/**
 * The broker's entry point: checks the configuration (see {@link ConfigurationCheck}) and only then starts the
 * application. Checking in an observer of start-up would be too late: by then the HTTP server listens, and Quarkus
 * logs that it started before it stops again. The broker itself starts next, and Quarkus boots once it has, or after
 * {@code BROKER_HEAD_START} (see {@link EarlyBroker}).
 */
@QuarkusMain
public final class StrataMain {

    /** Longer than a broker takes to start on its own, so only one waiting for its quorum's peers exceeds it. */
    private static final Duration BROKER_HEAD_START = Duration.ofSeconds(3);

    private StrataMain() {
    }

    public static void main(String... args) {
        // The same sources, profiles and converters as the configuration the application will run with. Quarkus'
        // Prometheus registry joins Micrometer's global one when it starts, meters made before included.
        ConfigurationCheck.Outcome outcome = ConfigurationCheck.check(ConfigUtils::configBuilder,
                new KafkaRequestMetrics(Metrics.globalRegistry));
        if (outcome instanceof ConfigurationCheck.Refused refused) {
            System.err.println("Invalid setting, not starting: " + refused.problem());
            System.exit(1);
        }
        // Dev mode runs this again on every reload: there the application starts the broker, after the last one stopped.
        if (outcome instanceof ConfigurationCheck.Accepted accepted && LaunchMode.current() != LaunchMode.DEVELOPMENT) {
            EarlyBroker.start(accepted.settings());
            EarlyBroker.awaitStart(BROKER_HEAD_START);
        }
        Quarkus.run(args);
    }
}
