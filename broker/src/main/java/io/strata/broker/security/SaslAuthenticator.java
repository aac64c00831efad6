package io.strata.broker.security;

import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.authenticator.SaslInternalConfigs;

import javax.security.sasl.SaslException;
import javax.security.sasl.SaslServer;

/**
 * The SASL state of one connection, as Kafka's server authenticator keeps it: a handshake names the mechanism,
 * authenticate requests carry its exchange, and until that completes only ApiVersions and the SASL requests are
 * admitted. A completed authentication may last at most {@code connections.max.reauth.ms}, and no longer than the
 * credential it presented (an OAUTHBEARER token's {@code exp}); the client then authenticates again on the same
 * connection (KIP-368), as the same principal, or its next other request is refused.
 * Confined to the connection's event loop.
 */
public final class SaslAuthenticator {

    private enum State { HANDSHAKE, AUTHENTICATE, AUTHENTICATED, FAILED }

    private final SaslMechanisms mechanisms;
    private final long maxReauthMs;
    private State state = State.HANDSHAKE;
    private SaslServer exchange;
    private String mechanism;
    /** Read by handlers completing on other threads. */
    private volatile KafkaPrincipal principal;
    private long sessionExpiresAtMs = Long.MAX_VALUE;

    public SaslAuthenticator(SaslMechanisms mechanisms, long maxReauthMs) {
        this.mechanisms = mechanisms;
        this.maxReauthMs = maxReauthMs;
    }

    /** Whether a request of {@code apiKey} may be served now; one that may not closes the connection. */
    public boolean admits(ApiKeys apiKey, long nowMs) {
        if (state == State.FAILED) {
            return false;
        }
        if (apiKey == ApiKeys.API_VERSIONS || apiKey == ApiKeys.SASL_HANDSHAKE || apiKey == ApiKeys.SASL_AUTHENTICATE) {
            return true;
        }
        return state == State.AUTHENTICATED && nowMs < sessionExpiresAtMs;
    }

    /** Why {@link #admits} refused a request, for the log. */
    public String refusal(long nowMs) {
        return switch (state) {
            case AUTHENTICATED -> nowMs >= sessionExpiresAtMs
                    ? "its authentication expired (connections.max.reauth.ms or the credential's lifetime)" : "nothing";
            case FAILED -> "its authentication failed";
            default -> "it has not authenticated";
        };
    }

    public SaslHandshakeResponseData handshake(SaslHandshakeRequestData request) {
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(mechanisms.enabled());
        if (state == State.AUTHENTICATE || state == State.FAILED
                || (state == State.AUTHENTICATED && !request.mechanism().equals(mechanism))) {
            // Re-authentication must keep the mechanism it started with (KIP-368).
            state = State.FAILED;
            return response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
        }
        if (!mechanisms.enabled().contains(request.mechanism())) {
            state = State.FAILED;
            return response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        }
        mechanism = request.mechanism();
        exchange = mechanisms.newServer(mechanism);
        state = State.AUTHENTICATE;
        return response;
    }

    public SaslAuthenticateResponseData authenticate(SaslAuthenticateRequestData request, short version, long nowMs) {
        SaslAuthenticateResponseData response = new SaslAuthenticateResponseData();
        if (state != State.AUTHENTICATE) {
            state = State.FAILED;
            return response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("Unexpected SaslAuthenticate request without a SaslHandshake first");
        }
        try {
            byte[] challenge = exchange.evaluateResponse(request.authBytes());
            if (exchange.isComplete()) {
                KafkaPrincipal authenticated = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, exchange.getAuthorizationID());
                if (principal != null && !principal.equals(authenticated)) {
                    throw new SaslAuthenticationException("Re-authentication as " + authenticated
                            + " on a connection authenticated as " + principal + " is not allowed");
                }
                principal = authenticated;
                long lifetimeMs = sessionLifetimeMs(nowMs);
                exchange.dispose();
                exchange = null;
                state = State.AUTHENTICATED;
                sessionExpiresAtMs = lifetimeMs > 0 ? nowMs + lifetimeMs : Long.MAX_VALUE;
                if (version >= 1) {
                    response.setSessionLifetimeMs(lifetimeMs);
                }
            }
            return response.setAuthBytes(challenge == null ? new byte[0] : challenge);
        } catch (SaslAuthenticationException e) {
            state = State.FAILED;
            return response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code()).setErrorMessage(e.getMessage());
        } catch (SaslException | RuntimeException e) {
            // Any failure of the exchange ends it: the client may not retry on this connection without the delay.
            state = State.FAILED;
            if (exchange != null) {
                disposeQuietly(exchange);
                exchange = null;
            }
            return response.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                    .setErrorMessage("Authentication failed: " + e.getMessage());
        }
    }

    /**
     * How long the completed exchange's authentication lasts, 0 for ever: {@code connections.max.reauth.ms}, bounded
     * by when the credential expires if the mechanism says so, as Kafka's server authenticator does.
     */
    private long sessionLifetimeMs(long nowMs) {
        Object expiresAt = exchange.getNegotiatedProperty(
                SaslInternalConfigs.CREDENTIAL_LIFETIME_MS_SASL_NEGOTIATED_PROPERTY_KEY);
        if (!(expiresAt instanceof Long expiresAtMs)) {
            return maxReauthMs;
        }
        // At least 1 ms: a credential that expired within the clock skew must not read as a lifetime of 0, for ever.
        long untilExpiryMs = Math.max(1, expiresAtMs - nowMs);
        return maxReauthMs > 0 ? Math.min(maxReauthMs, untilExpiryMs) : untilExpiryMs;
    }

    private static void disposeQuietly(SaslServer exchange) {
        try {
            exchange.dispose();
        } catch (SaslException e) {
            // Nothing is held that the garbage collector does not free.
        }
    }

    /** Whether authentication failed: the connection closes once the failure is answered. */
    public boolean failed() {
        return state == State.FAILED;
    }

    /** Whether the connection has authenticated at least once. */
    public boolean authenticated() {
        return principal != null;
    }

    /** The mechanism of the exchange in progress or done; null before a handshake. */
    public String mechanism() {
        return mechanism;
    }

    /** Who authenticated; {@link KafkaPrincipal#ANONYMOUS} before that. */
    public KafkaPrincipal principal() {
        return principal == null ? KafkaPrincipal.ANONYMOUS : principal;
    }
}
