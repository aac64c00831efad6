package io.strata.broker.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

/** An identity provider in miniature for OAUTHBEARER tests: signing keys, their JWKS and signed tokens. */
public final class TestJwts {

    public static final String ISSUER = "https://idp.test";
    public static final String AUDIENCE = "strata";

    private TestJwts() {
    }

    public static RSAKey rsaKey(String keyId) {
        try {
            return new RSAKeyGenerator(2048).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ECKey ecKey(String keyId) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(keyId).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JWKS of {@code keys}, public parts only, as the provider publishes it. */
    public static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
    }

    /** Claims the broker accepts when it expects {@link #ISSUER} and {@link #AUDIENCE}, expiring after {@code ttl}. */
    public static JWTClaimsSet.Builder claims(String subject, Duration ttl) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(List.of(AUDIENCE, "other"))
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)));
    }

    /** A compact JWS of {@code claims} by {@code key}: RS256 for an RSA key, ES256 for an EC one, with its key ID. */
    public static String sign(JWK key, JWTClaimsSet claims) {
        return sign(key, key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256, claims);
    }

    public static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
