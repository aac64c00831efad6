package io.strata.broker.rest;

import io.strata.broker.security.AuditLog;
import io.strata.broker.security.Authorizer;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Asks the broker's authorizer whether the current REST request may do an operation, as the Kafka API it stands
 * for would ask: for the principal {@link BasicAuthFilter} authenticated ({@code User:ANONYMOUS} when HTTP
 * authentication is off) and the client's address. A refusal is a 403 naming the principal, the operation and the
 * resource, with Kafka's authorization error. Everything is allowed while the authorizer is off.
 */
@ApplicationScoped
public class RestAuthorization {

    private final BrokerAccess access;
    private final RoutingContext request;

    /** @param request the current request's context: a proxy, resolved at each call */
    public RestAuthorization(BrokerAccess access, RoutingContext request) {
        this.access = access;
        this.request = request;
    }

    /** Refuses the request with 403 unless it may do {@code operation} on the resource; a refusal is audited. */
    public void require(AclOperation operation, ResourceType type, String name) {
        Caller caller = caller();
        if (!caller.allowed(operation, type, name)) {
            AuditLog.denied(requestLine(request), caller.principal(),
                    caller.host(), operation, type, name);
            throw KafkaErrors.toRest(Authorizer.denied(type), caller.principal() + " is not authorized to "
                    + operation.name() + " " + type.name().toLowerCase(Locale.ROOT) + " " + name + ".");
        }
    }

    /**
     * Whether the request may do {@code operation} on the resource, not audited: for a broader permission tried
     * before the one {@link #require} then insists on.
     */
    public boolean allowed(AclOperation operation, ResourceType type, String name) {
        return caller().allowed(operation, type, name);
    }

    /**
     * The items whose resource, named by {@code name}, the request may do {@code operation} on, in their order: a
     * listing leaves the others out without a refusal to audit.
     */
    public <T> List<T> filter(Collection<T> items, AclOperation operation, ResourceType type, Function<T, String> name) {
        Caller caller = caller();
        return items.stream().filter(item -> caller.allowed(operation, type, name.apply(item))).toList();
    }

    private Caller caller() {
        return new Caller(access.broker().authorizer(), principal(request), host(request.request().remoteAddress()));
    }

    /** The principal {@link BasicAuthFilter} signed in, {@code User:ANONYMOUS} when HTTP authentication is off. */
    static KafkaPrincipal principal(RoutingContext request) {
        KafkaPrincipal principal = request.get(BasicAuthFilter.PRINCIPAL);
        return principal == null ? KafkaPrincipal.ANONYMOUS : principal;
    }

    /** The request as the audit log names it: its method and path. */
    static String requestLine(RoutingContext request) {
        return request.request().method() + " " + request.request().path();
    }

    /** The client's address, as the authorizer and the audit log take it. */
    static InetAddress host(SocketAddress remote) {
        try {
            // An address literal, never looked up.
            return InetAddress.getByName(remote.hostAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("The client address " + remote.hostAddress() + " is not an IP address", e);
        }
    }


    /** Who asks, from where, and who answers: resolved once for a filter over many resources. */
    private record Caller(Authorizer authorizer, KafkaPrincipal principal, InetAddress host) {

        boolean allowed(AclOperation operation, ResourceType type, String name) {
            return authorizer.allowed(principal, host, operation, type, name);
        }
    }
}
