package io.strata.broker.server;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quarkus.runtime.configuration.ConfigUtils;

import java.util.Optional;

/**
 * The broker's entry point: checks the configuration (see {@link ConfigurationCheck}) and only then
 * starts the application. Checking in an observer of start-up would be too late: by then the HTTP
 * server listens, and Quarkus logs that it started before it stops again.
 */
@QuarkusMain
public final class StrataMain {

    private StrataMain() {
    }

    public static void main(String... args) {
        // The same sources, profiles and converters as the configuration the application will run with.
        Optional<String> problem = ConfigurationCheck.problem(ConfigUtils.configBuilder());
        if (problem.isPresent()) {
            System.err.println("Invalid setting, not starting: " + problem.get());
            System.exit(1);
        }
        Quarkus.run(args);
    }
}
