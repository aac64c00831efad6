package io.strata.broker.rest;

import io.strata.broker.security.AuditLog;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.net.InetAddress;
import java.util.concurrent.CompletionStage;

/**
 * Puts a REST change to a topic or its configs in the {@link AuditLog}, as the Kafka API it stands for is: the
 * principal, the client's address, the request, and the Kafka error the change ended with ({@code NONE} when it
 * succeeded).
 */
@ApplicationScoped
public class RestAudit {

    private final RoutingContext request;

    /** @param request the current request's context: a proxy, resolved at each call */
    public RestAudit(RoutingContext request) {
        this.request = request;
    }

    /** {@code change}, audited once it completes; {@code detail} says what it changes, without secrets. */
    public <T> CompletionStage<T> change(String resourceType, String resource, String detail, CompletionStage<T> change) {
        // Read now, on the request's thread: the change completes on another.
        String line = RestAuthorization.requestLine(request);
        KafkaPrincipal principal = RestAuthorization.principal(request);
        InetAddress client = RestAuthorization.host(request.request().remoteAddress());
        return change.whenComplete((ignored, failure) -> AuditLog.changed(line, principal, client, resourceType,
                resource, detail, failure == null ? Errors.NONE.name()
                        : Errors.forException(KafkaErrors.unwrap(failure)).name()));
    }
}
