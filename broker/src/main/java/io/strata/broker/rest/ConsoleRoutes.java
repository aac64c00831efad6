package io.strata.broker.rest;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The web console is static files under {@code META-INF/resources/console/}, served by Quarkus at
 * {@code /console/}; this sends {@code /console} there, so the page's relative links resolve. The
 * authentication route runs before it.
 */
@ApplicationScoped
public class ConsoleRoutes {

    void install(@Observes Router router) {
        // A plain path route would also match "/console/"; the regex matches the path exactly.
        router.getWithRegex("/console").handler(context -> context.response()
                .setStatusCode(301)
                .putHeader(HttpHeaders.LOCATION, "/console/")
                .end());
    }
}
