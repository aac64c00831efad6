package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslServer;
import java.util.List;
import java.util.function.Supplier;

/**
 * The SASL mechanisms a listener serves, each checked against the SCRAM credentials of the replicated metadata:
 * SCRAM-SHA-256 and SCRAM-SHA-512 by their exchange, PLAIN by deriving the stored key from the password it
 * carries. Thread-safe; each exchange it starts belongs to one connection.
 */
public final class SaslMechanisms {

    private final List<String> enabled;
    private final Supplier<SecurityImage> security;
    private final boolean strictScramNonce;

    public SaslMechanisms(List<String> enabled, Supplier<SecurityImage> security, boolean strictScramNonce) {
        this.enabled = List.copyOf(enabled);
        this.security = security;
        this.strictScramNonce = strictScramNonce;
    }

    /** The enabled mechanisms, as the handshake reports them. */
    public List<String> enabled() {
        return enabled;
    }

    /** A new exchange of an enabled mechanism. */
    SaslServer newServer(String mechanism) {
        if (!enabled.contains(mechanism)) {
            throw new IllegalArgumentException(mechanism + " is not enabled");
        }
        if (mechanism.equals(PlainSaslServer.PLAIN_MECHANISM)) {
            return new PlainSaslServer(this::checkPlain);
        }
        return new ScramServer(ScramMechanism.forMechanismName(mechanism), security, strictScramNonce);
    }

    /** PLAIN's callbacks: a user name, then the password to check against any of the user's SCRAM credentials. */
    private void checkPlain(Callback[] callbacks) throws UnsupportedCallbackException {
        String user = null;
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                user = name.getDefaultName();
            } else if (callback instanceof PlainAuthenticateCallback authenticate) {
                authenticate.authenticated(user != null && passwordMatches(user, new String(authenticate.password())));
            } else {
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private boolean passwordMatches(String user, String password) {
        SecurityImage image = security.get();
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            var credential = image.scramCredential(user, mechanism);
            if (credential.isPresent()) {
                return ScramCredentials.matches(mechanism, credential.get(), password);
            }
        }
        return false;
    }
}
