package io.strata.broker.security;

import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerExtensionsValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.jboss.logging.Logger;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import java.util.List;
import java.util.Map;

/**
 * The checks behind Kafka's {@code OAuthBearerSaslServer}: a token passes when {@link JwtValidator} accepts it.
 * Otherwise the exchange answers RFC 7628's error, whose status is {@code invalid_token} followed by the reason;
 * Kafka clients show it in their {@code SaslAuthenticationException}. Thread-safe.
 */
final class JwtCallbackHandler implements AuthenticateCallbackHandler {

    private static final Logger LOG = Logger.getLogger(JwtCallbackHandler.class);

    private final JwtValidator validator;

    JwtCallbackHandler(JwtValidator validator) {
        this.validator = validator;
    }

    /** Checks tokens against the JWKS the settings name, loading it now. */
    static JwtCallbackHandler of(OAuthBearerSettings settings) {
        return new JwtCallbackHandler(new JwtValidator(settings,
                new RefreshingJwks(JwksLoader.of(settings), settings.jwksRefreshInterval())));
    }

    @Override
    public void configure(Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
        // Built from the broker's settings rather than from a JAAS configuration.
    }

    @Override
    public void handle(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof OAuthBearerValidatorCallback validation) {
                validate(validation);
            } else if (!(callback instanceof OAuthBearerExtensionsValidatorCallback)) {
                // SASL extensions stay unvalidated, so they are ignored rather than refused: the broker uses none,
                // and some providers' clients send them.
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    private void validate(OAuthBearerValidatorCallback callback) {
        try {
            callback.token(validator.validate(callback.tokenValue()));
        } catch (JwtValidator.InvalidTokenException e) {
            LOG.infof("Refused an OAUTHBEARER token: %s", e.getMessage());
            callback.error("invalid_token: " + e.getMessage(), null, null);
        }
    }

    @Override
    public void close() {
        // Nothing is held: the key set's loading thread ends by itself when idle.
    }
}
