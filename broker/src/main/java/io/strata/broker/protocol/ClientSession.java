package io.strata.broker.protocol;

import io.strata.broker.security.SaslAuthenticator;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Who is at the other end of one connection: the SASL state when the listener authenticates with SASL, and the
 * principal its requests act as: the one SASL authenticated, else the one its transport gives (a TLS client
 * certificate's). Confined to the connection's event loop.
 */
public final class ClientSession {

    private final SaslAuthenticator sasl;
    private final Supplier<KafkaPrincipal> transportPrincipal;

    /**
     * A session that authenticates with {@code sasl}, or with nothing when it is null; {@code transportPrincipal}
     * is asked when there is no SASL.
     */
    public ClientSession(SaslAuthenticator sasl, Supplier<KafkaPrincipal> transportPrincipal) {
        this.sasl = sasl;
        this.transportPrincipal = transportPrincipal;
    }

    /** A session of a listener that authenticates no one: every request acts as the anonymous principal. */
    public static ClientSession anonymous() {
        return new ClientSession(null, () -> KafkaPrincipal.ANONYMOUS);
    }

    /** The connection's SASL state; empty when its listener does not use SASL. */
    public Optional<SaslAuthenticator> sasl() {
        return Optional.ofNullable(sasl);
    }

    /** The principal the connection's requests act as. */
    public KafkaPrincipal principal() {
        return sasl == null ? transportPrincipal.get() : sasl.principal();
    }
}
