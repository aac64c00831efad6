package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerSaslServer;
import org.apache.kafka.common.security.plain.PlainAuthenticateCallback;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.SaslServer;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The SASL mechanisms a listener serves: SCRAM-SHA-256 and SCRAM-SHA-512 by their exchange against the SCRAM
 * credentials of the replicated metadata, PLAIN by deriving the stored key from the password it carries, and
 * OAUTHBEARER by checking the client's JWT against the identity provider's keys. Thread-safe; each exchange it
 * starts belongs to one connection.
 */
public final class SaslMechanisms {

    private final List<String> enabled;
    private final Supplier<SecurityImage> security;
    private final boolean strictScramNonce;
    private final AuthenticateCallbackHandler oauthBearer;

    /** {@code oauthBearer} checks OAUTHBEARER tokens; null when that mechanism is not enabled. */
    public SaslMechanisms(List<String> enabled, Supplier<SecurityImage> security, boolean strictScramNonce,
                          AuthenticateCallbackHandler oauthBearer) {
        if (enabled.contains(OAuthBearerLoginModule.OAUTHBEARER_MECHANISM) && oauthBearer == null) {
            throw new IllegalArgumentException("OAUTHBEARER is enabled without a token check");
        }
        this.enabled = List.copyOf(enabled);
        this.security = security;
        this.strictScramNonce = strictScramNonce;
        this.oauthBearer = oauthBearer;
    }

    /** The mechanisms {@code settings} enable; OAUTHBEARER's key set, if enabled, is loaded now. */
    public static SaslMechanisms of(SaslSettings settings, Supplier<SecurityImage> security) {
        return new SaslMechanisms(settings.mechanisms(), security, settings.scramStrictNonce(),
                settings.oauthBearer().map(JwtCallbackHandler::of).orElse(null));
    }

    /** The enabled mechanisms, as the handshake reports them. */
    public List<String> enabled() {
        return enabled;
    }

    /**
     * The principal name of an OAUTHBEARER token, checked as the mechanism checks one (the REST API's bearer tokens);
     * empty when the token is refused or OAUTHBEARER is not enabled. May block while the key set is fetched.
     */
    public Optional<String> tokenPrincipal(String token) {
        if (oauthBearer == null) {
            return Optional.empty();
        }
        OAuthBearerValidatorCallback check = new OAuthBearerValidatorCallback(token);
        try {
            oauthBearer.handle(new Callback[] {check});
        } catch (IOException | UnsupportedCallbackException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(check.token()).map(OAuthBearerToken::principalName);
    }

    /** A new exchange of an enabled mechanism. */
    SaslServer newServer(String mechanism) {
        if (!enabled.contains(mechanism)) {
            throw new IllegalArgumentException(mechanism + " is not enabled");
        }
        if (mechanism.equals(PlainSaslServer.PLAIN_MECHANISM)) {
            return new PlainSaslServer(this::checkPlain);
        }
        if (mechanism.equals(OAuthBearerLoginModule.OAUTHBEARER_MECHANISM)) {
            return new OAuthBearerSaslServer(oauthBearer);
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

    /** Whether the password is the one of any of the user's SCRAM credentials (they may differ after a rotation). */
    private boolean passwordMatches(String user, String password) {
        SecurityImage image = security.get();
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            var credential = image.scramCredential(user, mechanism);
            if (credential.isPresent() && ScramCredentials.matches(mechanism, credential.get(), password)) {
                return true;
            }
        }
        return false;
    }
}
