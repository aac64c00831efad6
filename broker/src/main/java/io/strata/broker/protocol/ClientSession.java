package io.strata.broker.protocol;

import io.strata.broker.security.SaslAuthenticator;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.util.Optional;

/**
 * Who is at the other end of one connection: the SASL state when the listener authenticates with SASL, and the
 * principal its requests act as. Confined to the connection's event loop.
 */
public final class ClientSession {

    private final SaslAuthenticator sasl;

    /** A session of a listener that authenticates with {@code sasl}, or with nothing when it is null. */
    public ClientSession(SaslAuthenticator sasl) {
        this.sasl = sasl;
    }

    /** A session of a listener that authenticates no one: every request acts as the anonymous principal. */
    public static ClientSession anonymous() {
        return new ClientSession(null);
    }

    /** The connection's SASL state; empty when its listener does not use SASL. */
    public Optional<SaslAuthenticator> sasl() {
        return Optional.ofNullable(sasl);
    }

    /** The principal the connection's requests act as. */
    public KafkaPrincipal principal() {
        return sasl == null ? KafkaPrincipal.ANONYMOUS : sasl.principal();
    }
}
