package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * SASL authentication on the Kafka listener, under the prefix {@code strata.sasl}; it applies when
 * {@code strata.kafka.security-protocol} is {@code SASL_PLAINTEXT} or {@code SASL_SSL}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.sasl")
public interface SaslConfig {

    /**
     * {@code sasl.enabled.mechanisms}: the mechanisms clients may use, from {@code SCRAM-SHA-512},
     * {@code SCRAM-SHA-256} and {@code PLAIN} (checked against the SCRAM credentials) and {@code OAUTHBEARER}
     * (a signed JWT, checked as {@link #oauthbearer} says).
     */
    @WithDefault("SCRAM-SHA-512,SCRAM-SHA-256")
    List<String> mechanisms();

    /**
     * Users to create at first start as {@code name:password,...}, with SCRAM credentials for every SCRAM
     * mechanism; a user that already has a credential for a mechanism keeps it. Never logged.
     */
    Optional<String> bootstrapUsers();

    /** A file of users to create at first start, one {@code name:password} per line; as {@link #bootstrapUsers}. */
    Optional<String> bootstrapUsersFile();

    /** SCRAM iterations of the bootstrap users' credentials (Kafka's tools use 4096). */
    @WithDefault("4096")
    int bootstrapUsersIterations();

    /** How long a connection may take to authenticate; one that has not by then is closed. */
    @WithDefault("10s")
    Duration handshakeTimeout();

    /**
     * {@code connections.max.reauth.ms}: the longest an authentication lasts; a client must authenticate again on
     * the same connection before then (KIP-368), or its next request closes the connection. 0 for no limit.
     */
    @WithDefault("0")
    long connectionsMaxReauthMs();

    /**
     * {@code connection.failed.authentication.delay.ms}: how long a connection whose authentication failed is kept
     * before it is closed, which slows down guessing passwords.
     */
    @WithDefault("100")
    int failedAuthenticationDelayMs();

    /**
     * Whether the SCRAM client-final nonce must equal the server's nonce exactly, as RFC 5802 says. Off by default:
     * librdkafka before 2.6.1 (kcat and the clients built on it) sends its client nonce once more in front of the
     * server's, which is then accepted too; it still holds this exchange's fresh server nonce, so no replay passes.
     */
    @WithDefault("false")
    boolean scramStrictNonce();

    /** How OAUTHBEARER tokens are checked; read only when {@link #mechanisms} names {@code OAUTHBEARER}. */
    OAuthBearer oauthbearer();

    /**
     * SASL/OAUTHBEARER under {@code strata.sasl.oauthbearer}, as a Kafka broker with
     * {@code OAuthBearerValidatorCallbackHandler}: a client's token is a JWS in compact form, signed with RSA or
     * ECDSA by a key of the identity provider's JSON Web Key Set (JWKS); exactly one of {@link #jwksUrl} and
     * {@link #jwksFile} says where that set is.
     */
    interface OAuthBearer {

        /**
         * {@code sasl.oauthbearer.jwks.endpoint.url}: an {@code http} or {@code https} URL of the JWKS, fetched at
         * start, again every {@link #jwksRefreshInterval} and when a token names a key the set does not have.
         */
        Optional<String> jwksUrl();

        /** A file holding the JWKS, read at start and, as {@link #jwksUrl} is fetched, again later. */
        Optional<String> jwksFile();

        /** {@code sasl.oauthbearer.jwks.endpoint.refresh.ms}: how often the JWKS is fetched or read again. */
        @WithDefault("1h")
        Duration jwksRefreshInterval();

        /** How long connecting to {@link #jwksUrl}, and then reading its answer, may each take. */
        @WithDefault("10s")
        Duration jwksTimeout();

        /**
         * {@code sasl.oauthbearer.clock.skew.seconds}: how far the identity provider's clock may be from this
         * broker's when {@code exp}, {@code nbf} and {@code iat} are checked.
         */
        @WithDefault("30s")
        Duration clockSkew();

        /** {@code sasl.oauthbearer.expected.issuer}: the {@code iss} a token must have; unset, any. */
        Optional<String> expectedIssuer();

        /** {@code sasl.oauthbearer.expected.audience}: a value a token's {@code aud} must hold; unset, any. */
        Optional<String> expectedAudience();

        /** {@code sasl.oauthbearer.sub.claim.name}: the claim whose string value is the principal's name. */
        @WithDefault("sub")
        String subClaimName();
    }
}
