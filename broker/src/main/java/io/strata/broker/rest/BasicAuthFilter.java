package io.strata.broker.rest;

import io.quarkus.runtime.Quarkus;
import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.HttpAuthConfig;
import io.strata.broker.config.KafkaListenerConfig;
import io.strata.broker.config.SaslConfig;
import io.strata.broker.protocol.BrokerListeners;
import io.strata.broker.security.AuditLog;
import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The one authentication switch: with {@code strata.http.auth.enabled}, every request to {@code /v3} or
 * {@code /console} must carry HTTP basic credentials, else it is answered 401 before it reaches any resource.
 * Accepted are the user configured by {@code strata.http.auth.username} and {@code password}, and, when a Kafka
 * listener uses SASL, every user of the cluster with the password of one of its SCRAM credentials, and, when a listener
 * takes OAUTHBEARER, a bearer token it would accept. The request then
 * acts as the principal {@code User:<name>}, kept in its routing context under {@link #PRINCIPAL} for
 * {@link RestAuthorization}. Health ({@code /q/health}), metrics ({@code /q/metrics}) and the OpenAPI document stay
 * open. A Vert.x route rather than a JAX-RS filter, so that static console files are covered too.
 */
@ApplicationScoped
public class BasicAuthFilter {

    /** The routing context key of the authenticated request's {@link KafkaPrincipal}. */
    static final String PRINCIPAL = "strata.principal";

    private static final Logger LOG = Logger.getLogger(BasicAuthFilter.class);
    private static final String PROTECTED_PATHS = "^/(v3|console)(/.*)?$";
    private static final String CHALLENGE = "Basic realm=\"strata\", charset=\"UTF-8\"";
    private static final String BEARER = "Bearer ";
    private static final String UNAUTHORIZED_BODY = "{\"error_code\":401,\"message\":\"Authentication required.\"}";
    private static final String STARTING_BODY = "{\"error_code\":503,\"message\":\"The broker is starting.\"}";
    /** Enough for every user of a cluster signing in from a few clients each. */
    private static final int REMEMBERED_PASSWORDS = 1000;

    private final HttpAuthConfig config;
    private final KafkaListenerConfig kafka;
    private final BrokerConfig broker;
    private final SaslConfig sasl;
    private final BrokerLifecycle lifecycle;
    private final ScramPasswordCheck scramPasswords = new ScramPasswordCheck(REMEMBERED_PASSWORDS);

    public BasicAuthFilter(HttpAuthConfig config, KafkaListenerConfig kafka, BrokerConfig broker, SaslConfig sasl,
                           BrokerLifecycle lifecycle) {
        this.config = config;
        this.kafka = kafka;
        this.broker = broker;
        this.sasl = sasl;
        this.lifecycle = lifecycle;
    }

    void install(@Observes Router router) {
        if (!config.enabled()) {
            return;
        }
        BrokerListeners listeners;
        try {
            listeners = BrokerListeners.from(kafka, broker.advertised());
        } catch (IllegalArgumentException e) {
            refuseToStart(router, e.getMessage());
            return;
        }
        boolean saslUsers = listeners.usesSasl();
        Optional<String> problem = HttpAuthConfig.problem(config, saslUsers);
        if (problem.isPresent()) {
            refuseToStart(router, problem.get());
            return;
        }
        Optional<byte[]> configured = config.username().filter(user -> !user.isEmpty())
                .map(user -> (user + ":" + config.password().orElseThrow()).getBytes(StandardCharsets.UTF_8));
        router.routeWithRegex(PROTECTED_PATHS).order(Integer.MIN_VALUE)
                .handler(context -> authenticate(context, configured, saslUsers));
        LOG.infof("HTTP basic authentication is required for /v3 and /console, by %s",
                saslUsers ? "the SASL users' SCRAM passwords" + (configured.isPresent() ? " and the configured user" : "")
                        : "the configured user");
    }

    /**
     * The packaged application refuses bad settings before it starts (see StrataMain); this guards the start-ups that
     * skip that check, such as dev mode.
     */
    private static void refuseToStart(Router router, String problem) {
        LOG.errorf("Invalid setting, not starting: %s", problem);
        Quarkus.asyncExit(1);
        // Until the exit completes, nothing protected is served.
        router.routeWithRegex(PROTECTED_PATHS).order(Integer.MIN_VALUE).handler(context -> context.fail(503));
    }

    private void authenticate(RoutingContext context, Optional<byte[]> configured, boolean saslUsers) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (saslUsers && header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            authenticateBearer(context, header.substring(BEARER.length()).strip());
            return;
        }
        Optional<BasicCredentials> given = BasicCredentials.parse(header);
        if (given.isEmpty()) {
            if (header != null) {
                audit(context, "HTTP basic");
            }
            refuse(context);
            return;
        }
        BasicCredentials credentials = given.get();
        // Constant time, so the answer's timing does not tell how much of a guess was right.
        if (configured.isPresent() && MessageDigest.isEqual(credentials.decoded(), configured.get())) {
            accept(context, credentials.user());
            return;
        }
        if (!saslUsers) {
            audit(context, "HTTP basic");
            refuse(context);
            return;
        }
        Broker broker = lifecycle.broker();
        if (broker == null) {
            answer(context, 503, STARTING_BODY);
            return;
        }
        SecurityImage security = broker.metadataImage().security();
        if (scramPasswords.remembered(security, credentials.user(), credentials.password())) {
            accept(context, credentials.user());
            return;
        }
        // Deriving the salted password takes milliseconds: never on the event loop. Quarkus holds the request body
        // back until a later handler reads it, so none is lost meanwhile.
        context.vertx().<Boolean>executeBlocking(
                () -> scramPasswords.verify(security, credentials.user(), credentials.password()), false)
                .onComplete(checked -> {
                    if (checked.failed()) {
                        context.fail(checked.cause());
                    } else if (checked.result()) {
                        accept(context, credentials.user());
                    } else {
                        refuseAfterDelay(context, "HTTP basic");
                    }
                });
    }

    /**
     * A bearer token, checked as an OAUTHBEARER token on the Kafka listeners (the same key set, issuer, audience and
     * principal claim), off the event loop, since the key set may have to be fetched.
     */
    private void authenticateBearer(RoutingContext context, String token) {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            answer(context, 503, STARTING_BODY);
            return;
        }
        context.vertx().<Optional<String>>executeBlocking(() -> broker.tokenPrincipal(token), false)
                .onComplete(checked -> {
                    if (checked.failed()) {
                        context.fail(checked.cause());
                    } else if (checked.result().isPresent()) {
                        accept(context, checked.result().get());
                    } else {
                        refuseAfterDelay(context, "HTTP bearer");
                    }
                });
    }

    /**
     * As a SASL failure: wrong credentials are audited and answered only after the failed-authentication delay, which
     * slows down guessing.
     */
    private void refuseAfterDelay(RoutingContext context, String mechanism) {
        audit(context, mechanism);
        context.vertx().setTimer(Math.max(1, sasl.failedAuthenticationDelayMs()), timer -> refuse(context));
    }

    private static void accept(RoutingContext context, String user) {
        context.put(PRINCIPAL, new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user));
        context.next();
    }

    /** Audits credentials that were given and are wrong or unreadable; a request without any is only asked for them. */
    private static void audit(RoutingContext context, String mechanism) {
        AuditLog.authenticationFailed(RestAuthorization.requestLine(context),
                RestAuthorization.host(context.request().remoteAddress()), mechanism);
    }

    private static void refuse(RoutingContext context) {
        context.response().putHeader("WWW-Authenticate", CHALLENGE);
        answer(context, 401, UNAUTHORIZED_BODY);
    }

    private static void answer(RoutingContext context, int status, String body) {
        context.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(body);
    }
}
