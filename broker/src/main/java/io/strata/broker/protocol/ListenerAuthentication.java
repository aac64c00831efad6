package io.strata.broker.protocol;

import io.strata.broker.security.Authorizer;
import io.strata.broker.security.SaslAuthenticator;
import io.strata.broker.security.SaslMechanisms;
import io.strata.broker.security.SaslSettings;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.util.function.Supplier;

/**
 * How the connections of a listener authenticate: with SASL, by {@code mechanisms} and the bounds of
 * {@code settings}, or not at all; and the authorizer that decides what their principals may do. Immutable.
 */
public record ListenerAuthentication(SaslMechanisms mechanisms, SaslSettings settings, Authorizer authorizer) {

    /** No authentication and no authorization: every connection acts as the anonymous principal, allowed anything. */
    public static final ListenerAuthentication NONE = new ListenerAuthentication(null, null, Authorizer.ALLOW_ALL);

    public boolean usesSasl() {
        return mechanisms != null;
    }

    /** The session of a new connection to {@code listener}, whose transport gives {@code transportPrincipal}. */
    ClientSession newSession(String listener, Supplier<KafkaPrincipal> transportPrincipal) {
        return new ClientSession(listener,
                usesSasl() ? new SaslAuthenticator(mechanisms, settings.connectionsMaxReauthMs()) : null,
                transportPrincipal, authorizer);
    }
}
