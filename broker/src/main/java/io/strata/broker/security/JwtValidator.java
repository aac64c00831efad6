package io.strata.broker.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.internals.secured.BasicOAuthBearerToken;

import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks an OAUTHBEARER token as Kafka's {@code OAuthBearerValidatorCallbackHandler} does: a JWS in compact form,
 * signed with RS256/384/512, PS256/384/512 or ES256/384/512 by a key of the identity provider's JWKS; an {@code exp}
 * not past, {@code nbf} and {@code iat}, when present, not ahead (each give or take the clock skew); the expected
 * {@code iss} and {@code aud}, when configured; and the principal's name in the configured claim.
 *
 * <p>Unsigned tokens ({@code alg: none}) and HMAC (HS256/384/512) are refused: an HMAC key is a shared secret, which
 * a public JWKS cannot hold, and accepting HMAC beside RSA is how tokens "signed" with a public key get through.
 * Thread-safe.
 */
final class JwtValidator {

    private static final List<JWSAlgorithm> ALLOWED = List.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final OAuthBearerSettings settings;
    private final RefreshingJwks keys;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();

    JwtValidator(OAuthBearerSettings settings, RefreshingJwks keys) {
        this.settings = settings;
        this.keys = keys;
    }

    /** Why a token is refused, in words meant for the client and the log: never any of the token's content. */
    static final class InvalidTokenException extends Exception {
        InvalidTokenException(String reason) {
            super(reason);
        }
    }

    /** The token {@code compactJws} stands for, with its principal's name and {@code exp} as its lifetime. */
    OAuthBearerToken validate(String compactJws) throws InvalidTokenException {
        SignedJWT jwt = parse(compactJws);
        verifySignature(jwt);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException("the token's payload is not a JSON object of claims");
        }
        long nowMs = System.currentTimeMillis();
        long skewMs = settings.clockSkew().toMillis();
        Date expiresAt = claims.getExpirationTime();
        if (expiresAt == null) {
            throw new InvalidTokenException("the token has no expiration time (exp)");
        }
        if (nowMs > expiresAt.getTime() + skewMs) {
            throw new InvalidTokenException("the token has expired (exp)");
        }
        if (claims.getNotBeforeTime() != null && nowMs + skewMs < claims.getNotBeforeTime().getTime()) {
            throw new InvalidTokenException("the token is not valid yet (nbf)");
        }
        Date issuedAt = claims.getIssueTime();
        if (issuedAt != null && nowMs + skewMs < issuedAt.getTime()) {
            throw new InvalidTokenException("the token was issued in the future (iat)");
        }
        if (settings.expectedIssuer().isPresent() && !settings.expectedIssuer().get().equals(claims.getIssuer())) {
            throw new InvalidTokenException("the token's issuer (iss) is not the expected one");
        }
        if (settings.expectedAudience().isPresent() && !claims.getAudience().contains(settings.expectedAudience().get())) {
            throw new InvalidTokenException("the token's audience (aud) does not include the expected one");
        }
        return new BasicOAuthBearerToken(compactJws, Set.of(), expiresAt.getTime(), principalName(claims),
                issuedAt == null ? null : issuedAt.getTime());
    }

    private static SignedJWT parse(String compactJws) throws InvalidTokenException {
        JWT jwt;
        try {
            jwt = JWTParser.parse(compactJws);
        } catch (ParseException e) {
            throw new InvalidTokenException("the token is not a JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new InvalidTokenException("the token is not signed (a JWS)");
        }
        if (!ALLOWED.contains(signed.getHeader().getAlgorithm())) {
            throw new InvalidTokenException("the token's signature algorithm (alg) is not one of " + ALLOWED);
        }
        return signed;
    }

    /**
     * Verifies with the keys of the JWKS that fit the header: its key ID when it has one, and the algorithm's key
     * type. When none fits, the set is loaded again, since the provider may have added the key since.
     */
    private void verifySignature(SignedJWT jwt) throws InvalidTokenException {
        JWSHeader header = jwt.getHeader();
        List<JWK> candidates = new JWKSelector(JWKMatcher.forJWSHeader(header)).select(keys.current());
        if (candidates.isEmpty()) {
            keys.keyMissing();
            throw new InvalidTokenException(header.getKeyID() != null
                    ? "the token's signing key (kid) is unknown; the key set is being loaded again"
                    : "no key of the key set fits the token's algorithm; the key set is being loaded again");
        }
        for (JWK key : candidates) {
            try {
                if (key instanceof AsymmetricJWK publicKey
                        && jwt.verify(verifiers.createJWSVerifier(header, publicKey.toPublicKey()))) {
                    return;
                }
            } catch (JOSEException e) {
                // A key that cannot check this signature (a curve or size the algorithm does not take) is no match.
            }
        }
        throw new InvalidTokenException("the token's signature does not verify");
    }

    private String principalName(JWTClaimsSet claims) throws InvalidTokenException {
        String claim = settings.subClaimName();
        String name;
        try {
            name = claims.getStringClaim(claim);
        } catch (ParseException e) {
            throw new InvalidTokenException("the token's " + claim + " claim, the principal's name, is not a string");
        }
        if (name == null || name.isBlank()) {
            throw new InvalidTokenException("the token has no " + claim + " claim, the principal's name");
        }
        return name;
    }
}
