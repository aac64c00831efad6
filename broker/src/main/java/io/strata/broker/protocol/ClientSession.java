package io.strata.broker.protocol;

import io.strata.broker.security.Authorizer;
import io.strata.broker.security.SaslAuthenticator;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Who is at the other end of one connection and what it may do: the listener it came in on, the SASL state when
 * that listener authenticates with SASL, the principal its requests act as (the one SASL authenticated, else the one
 * its transport gives, a TLS client certificate's), and the authorizer that decides for that principal; and the
 * quota throttle its handlers ask for. The SASL state changes on the connection's event loop only; handlers
 * completing on other threads read the principal and ask for throttles, which is safe.
 */
public final class ClientSession {

    private final String listener;
    private final SaslAuthenticator sasl;
    private final Supplier<KafkaPrincipal> transportPrincipal;
    private final Authorizer authorizer;
    /** How long the connection is not to be read once the responses now due are sent; set by handlers on any thread. */
    private final AtomicLong throttleMs = new AtomicLong();

    /**
     * A session of a connection to {@code listener} that authenticates with {@code sasl}, or with nothing when it is
     * null; {@code transportPrincipal} is asked when there is no SASL.
     */
    public ClientSession(String listener, SaslAuthenticator sasl, Supplier<KafkaPrincipal> transportPrincipal,
                         Authorizer authorizer) {
        this.listener = listener;
        this.sasl = sasl;
        this.transportPrincipal = transportPrincipal;
        this.authorizer = authorizer;
    }

    /**
     * A session of a listener named {@code PLAINTEXT} that authenticates and authorizes no one: the anonymous principal
     * may do anything.
     */
    public static ClientSession anonymous() {
        return new ClientSession(SecurityProtocol.PLAINTEXT.name, null, () -> KafkaPrincipal.ANONYMOUS,
                Authorizer.ALLOW_ALL);
    }

    /**
     * The name of the listener the connection came in on: the brokers a client is told of are the endpoints they
     * have on that listener, as Kafka answers.
     */
    public String listener() {
        return listener;
    }

    /** The connection's SASL state; empty when its listener does not use SASL. */
    public Optional<SaslAuthenticator> sasl() {
        return Optional.ofNullable(sasl);
    }

    /** The principal the connection's requests act as. */
    public KafkaPrincipal principal() {
        return sasl == null ? transportPrincipal.get() : sasl.principal();
    }

    /** Throttles the client for {@code ms} after the response (a quota's {@code throttle_time_ms}); 0 for none. */
    public void throttle(long ms) {
        throttleMs.accumulateAndGet(ms, Math::max);
    }

    /** The longest throttle asked for since the last call, and no more. */
    long takeThrottle() {
        return throttleMs.getAndSet(0);
    }

    /** Whether this session's principal, connected from {@code host}, may do {@code operation} on the resource. */
    public boolean allowed(InetAddress host, AclOperation operation, ResourceType type, String name) {
        return authorizer.allowed(principal(), host, operation, type, name);
    }

    /** Whether this session's principal may do {@code operation} on some resource of the type. */
    public boolean allowedOnAny(InetAddress host, AclOperation operation, ResourceType type) {
        return authorizer.allowedOnAny(principal(), host, operation, type);
    }
}
