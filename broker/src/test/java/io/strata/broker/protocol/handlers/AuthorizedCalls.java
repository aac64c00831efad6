package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.ClientSession;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Calls handlers as one principal whose requests a test authorizer judges, and answers as the router does: a
 * failed stage becomes the API's own error response.
 */
final class AuthorizedCalls {

    static final KafkaPrincipal PRINCIPAL = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");

    private final List<ApiHandler<?>> handlers;

    AuthorizedCalls(List<ApiHandler<?>> handlers) {
        this.handlers = handlers;
    }

    /** Allows everything except {@code operation} on the resource of {@code type} named {@code name}. */
    static Authorizer denying(AclOperation operation, ResourceType type, String name) {
        return (principal, host, op, resourceType, resourceName) ->
                !(op == operation && resourceType == type && resourceName.equals(name));
    }

    /** Allows only what each of {@code authorizers} allows. */
    static Authorizer all(Authorizer... authorizers) {
        return (principal, host, operation, type, name) -> List.of(authorizers).stream()
                .allMatch(authorizer -> authorizer.allowed(principal, host, operation, type, name));
    }

    /** The response to {@code request}, sent at its version by {@link #PRINCIPAL} under {@code authorizer}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    <T extends ApiMessage> T call(Authorizer authorizer, AbstractRequest request) throws Exception {
        ApiHandler handler = handlers.stream().filter(h -> h.apiKey() == request.apiKey()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no handler of " + request.apiKey()));
        RequestContext context = new RequestContext(
                new RequestHeader(request.apiKey(), request.version(), "client", 1),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000), null,
                new ClientSession("PLAINTEXT", null, () -> PRINCIPAL, authorizer));
        try {
            return (T) handler.handle(context, request).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (T) request.getErrorResponse(0, e.getCause()).data();
        }
    }
}
