package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallback;
import org.apache.kafka.common.security.oauthbearer.internals.secured.BasicOAuthBearerToken;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

import javax.security.auth.callback.Callback;
import javax.security.auth.login.AppConfigurationEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SaslAuthenticator}: what a connection may send before, during and after authenticating, over PLAIN; and how
 * long an authentication lasts when the credential expires, over OAUTHBEARER.
 */
class SaslAuthenticatorTest {

    private static final short VERSION = 2;
    private final AtomicReference<SecurityImage> security = new AtomicReference<>(SecurityImage.EMPTY
            .withScramCredential("alice", ScramMechanism.SCRAM_SHA_256,
                    ScramCredentials.fromPassword(ScramMechanism.SCRAM_SHA_256, "alice-secret", 4096))
            .withScramCredential("bob", ScramMechanism.SCRAM_SHA_512,
                    ScramCredentials.fromPassword(ScramMechanism.SCRAM_SHA_512, "bob-secret", 4096)));
    private final SaslMechanisms mechanisms = new SaslMechanisms(List.of("PLAIN", "SCRAM-SHA-512"), security::get, false,
            null);

    private static SaslAuthenticateRequestData plain(String user, String password) {
        return new SaslAuthenticateRequestData()
                .setAuthBytes(("\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onlyApiVersionsAndSaslRequestsPassBeforeAuthenticating() {
        SaslAuthenticator sasl = new SaslAuthenticator(mechanisms, 0);
        assertThat(sasl.admits(ApiKeys.API_VERSIONS, 0)).isTrue();
        assertThat(sasl.admits(ApiKeys.SASL_HANDSHAKE, 0)).isTrue();
        assertThat(sasl.admits(ApiKeys.METADATA, 0)).isFalse();
        assertThat(sasl.refusal(0)).isEqualTo("it has not authenticated");
        assertThat(sasl.principal()).isEqualTo(KafkaPrincipal.ANONYMOUS);

        assertThat(sasl.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN")).errorCode()).isZero();
        SaslAuthenticateResponseData response = sasl.authenticate(plain("alice", "alice-secret"), VERSION, 1_000);
        assertThat(response.errorCode()).isZero();
        assertThat(response.sessionLifetimeMs()).isZero();
        assertThat(sasl.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));
        assertThat(sasl.admits(ApiKeys.PRODUCE, Long.MAX_VALUE - 1)).isTrue();
    }

    @Test
    void plainChecksThePasswordAgainstEitherScramCredential() {
        SaslAuthenticator bob = new SaslAuthenticator(mechanisms, 0);
        bob.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        assertThat(bob.authenticate(plain("bob", "bob-secret"), VERSION, 0).errorCode()).isZero();

        SaslAuthenticator guess = new SaslAuthenticator(mechanisms, 0);
        guess.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        SaslAuthenticateResponseData refused = guess.authenticate(plain("bob", "alice-secret"), VERSION, 0);
        assertThat(refused.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(refused.errorMessage()).doesNotContain("alice-secret");
        assertThat(guess.failed()).isTrue();
        assertThat(guess.admits(ApiKeys.API_VERSIONS, 0)).isFalse();
    }

    @Test
    void plainAcceptsThePasswordOfEitherCredentialWhileOnlyOneWasRotated() {
        security.set(security.get().withScramCredential("alice", ScramMechanism.SCRAM_SHA_512,
                ScramCredentials.fromPassword(ScramMechanism.SCRAM_SHA_512, "alice-rotated", 4096)));
        for (String password : List.of("alice-secret", "alice-rotated")) {
            SaslAuthenticator sasl = new SaslAuthenticator(mechanisms, 0);
            sasl.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
            assertThat(sasl.authenticate(plain("alice", password), VERSION, 0).errorCode()).as(password).isZero();
        }
    }

    @Test
    void aMechanismNotEnabledOrASecondHandshakeFails() {
        SaslAuthenticator sha256 = new SaslAuthenticator(mechanisms, 0);
        var response = sha256.handshake(new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-256"));
        assertThat(response.errorCode()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
        assertThat(response.mechanisms()).containsExactly("PLAIN", "SCRAM-SHA-512");
        assertThat(sha256.failed()).isTrue();

        SaslAuthenticator twice = new SaslAuthenticator(mechanisms, 0);
        twice.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        assertThat(twice.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN")).errorCode())
                .isEqualTo(Errors.ILLEGAL_SASL_STATE.code());

        SaslAuthenticator noHandshake = new SaslAuthenticator(mechanisms, 0);
        assertThat(noHandshake.authenticate(plain("alice", "alice-secret"), VERSION, 0).errorCode())
                .isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
    }

    @Test
    void aSessionExpiresAfterTheReauthenticationBoundUnlessRenewedAsTheSamePrincipal() {
        SaslAuthenticator sasl = new SaslAuthenticator(mechanisms, 5_000);
        sasl.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        assertThat(sasl.authenticate(plain("alice", "alice-secret"), VERSION, 1_000).sessionLifetimeMs()).isEqualTo(5_000);
        assertThat(sasl.admits(ApiKeys.FETCH, 5_999)).isTrue();
        assertThat(sasl.admits(ApiKeys.FETCH, 6_000)).isFalse();
        assertThat(sasl.refusal(6_000)).contains("expired");

        sasl.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        assertThat(sasl.admits(ApiKeys.FETCH, 6_000)).as("nothing else while re-authenticating").isFalse();
        assertThat(sasl.authenticate(plain("alice", "alice-secret"), VERSION, 6_000).errorCode()).isZero();
        assertThat(sasl.admits(ApiKeys.FETCH, 10_999)).isTrue();

        sasl.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        SaslAuthenticateResponseData asBob = sasl.authenticate(plain("bob", "bob-secret"), VERSION, 11_000);
        assertThat(asBob.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
        assertThat(asBob.errorMessage()).contains("Re-authentication as User:bob");
        assertThat(sasl.failed()).isTrue();
    }

    @Test
    void version0OfSaslAuthenticateCarriesNoSessionLifetime() {
        SaslAuthenticator sasl = new SaslAuthenticator(mechanisms, 5_000);
        sasl.handshake(new SaslHandshakeRequestData().setMechanism("PLAIN"));
        SaslAuthenticateResponseData response = sasl.authenticate(plain("alice", "alice-secret"), (short) 0, 0);
        assertThat(response.errorCode()).isZero();
        assertThat(response.sessionLifetimeMs()).isZero();
    }

    /** OAUTHBEARER accepting any token as alice's, expiring at {@code expiresAtMs}. */
    private SaslMechanisms oauthBearerExpiringAt(long expiresAtMs) {
        AuthenticateCallbackHandler anyToken = new AuthenticateCallbackHandler() {
            @Override
            public void configure(Map<String, ?> configs, String mechanism,
                                  List<AppConfigurationEntry> entries) {
            }

            @Override
            public void handle(Callback[] callbacks) {
                for (Callback callback : callbacks) {
                    if (callback instanceof OAuthBearerValidatorCallback validation) {
                        validation.token(new BasicOAuthBearerToken(validation.tokenValue(), Set.of(), expiresAtMs,
                                "alice", null));
                    }
                }
            }

            @Override
            public void close() {
            }
        };
        return new SaslMechanisms(List.of("OAUTHBEARER"), security::get, false, anyToken);
    }

    private static SaslAuthenticateResponseData bearer(SaslAuthenticator sasl, long nowMs) {
        sasl.handshake(new SaslHandshakeRequestData().setMechanism("OAUTHBEARER"));
        return sasl.authenticate(new SaslAuthenticateRequestData().setAuthBytes(
                "n,,\u0001auth=Bearer some.signed.token\u0001\u0001".getBytes(StandardCharsets.UTF_8)), VERSION, nowMs);
    }

    @Test
    void theCredentialsExpiryBoundsTheSessionBelowTheReauthenticationBound() {
        SaslAuthenticator expiresFirst = new SaslAuthenticator(oauthBearerExpiringAt(3_000), 5_000);
        SaslAuthenticateResponseData response = bearer(expiresFirst, 1_000);
        assertThat(response.errorCode()).isZero();
        assertThat(response.sessionLifetimeMs()).isEqualTo(2_000);
        assertThat(expiresFirst.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));
        assertThat(expiresFirst.admits(ApiKeys.FETCH, 2_999)).isTrue();
        assertThat(expiresFirst.admits(ApiKeys.FETCH, 3_000)).isFalse();

        assertThat(bearer(new SaslAuthenticator(oauthBearerExpiringAt(60_000), 5_000), 1_000).sessionLifetimeMs())
                .isEqualTo(5_000);
        assertThat(bearer(new SaslAuthenticator(oauthBearerExpiringAt(60_000), 0), 1_000).sessionLifetimeMs())
                .as("no reauthentication bound: the token's").isEqualTo(59_000);
        assertThat(bearer(new SaslAuthenticator(oauthBearerExpiringAt(500), 0), 1_000).sessionLifetimeMs())
                .as("expired within the clock skew: over at once, never unbounded").isEqualTo(1);
    }
}
