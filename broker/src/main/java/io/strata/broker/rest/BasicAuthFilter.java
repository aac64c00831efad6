package io.strata.broker.rest;

import io.quarkus.runtime.Quarkus;
import io.strata.broker.config.HttpAuthConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * The one authentication switch: with {@code strata.http.auth.enabled}, every request to {@code /v3}
 * or {@code /console} must carry the configured user and password as HTTP basic credentials, else it
 * is answered 401 before it reaches any resource. Health ({@code /q/health}), metrics ({@code /q/metrics})
 * and the OpenAPI document stay open. A Vert.x route rather than a JAX-RS filter, so that static
 * console files are covered too.
 */
@ApplicationScoped
public class BasicAuthFilter {

    private static final Logger LOG = Logger.getLogger(BasicAuthFilter.class);
    private static final String PROTECTED_PATHS = "^/(v3|console)(/.*)?$";
    private static final String CHALLENGE = "Basic realm=\"strata\", charset=\"UTF-8\"";
    private static final String UNAUTHORIZED_BODY = "{\"error_code\":401,\"message\":\"Authentication required.\"}";

    private final HttpAuthConfig config;

    public BasicAuthFilter(HttpAuthConfig config) {
        this.config = config;
    }

    void install(@Observes Router router) {
        if (!config.enabled()) {
            return;
        }
        Optional<String> problem = HttpAuthConfig.problem(config);
        if (problem.isPresent()) {
            // The packaged application refuses these settings before it starts (see StrataMain); this
            // guards the start-ups that skip that check, such as dev mode.
            LOG.errorf("Invalid setting, not starting: %s", problem.get());
            Quarkus.asyncExit(1);
            // Until the exit completes, nothing protected is served.
            router.routeWithRegex(PROTECTED_PATHS).order(Integer.MIN_VALUE).handler(context -> context.fail(503));
            return;
        }
        byte[] expected = (config.username().get() + ":" + config.password().get()).getBytes(StandardCharsets.UTF_8);
        router.routeWithRegex(PROTECTED_PATHS).order(Integer.MIN_VALUE).handler(context -> authenticate(context, expected));
        LOG.infof("HTTP basic authentication is required for /v3 and /console");
    }

    private static void authenticate(RoutingContext context, byte[] expected) {
        if (matches(context.request().getHeader(HttpHeaders.AUTHORIZATION), expected)) {
            context.next();
            return;
        }
        context.response()
                .setStatusCode(401)
                .putHeader("WWW-Authenticate", CHALLENGE)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(UNAUTHORIZED_BODY);
    }

    private static boolean matches(String authorization, byte[] expected) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        // Constant time, so the answer's timing does not tell how much of a guess was right.
        return MessageDigest.isEqual(given, expected);
    }
}
