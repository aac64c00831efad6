package io.strata.broker.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.strata.broker.testing.TestJwts;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.strata.broker.testing.TestJwts.claims;
import static io.strata.broker.testing.TestJwts.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link JwtValidator} with keys made here: what passes, why the rest is refused, and the key set from a file and
 * from a URL that rotates its keys.
 */
class JwtValidatorTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    private final RSAKey rsa = TestJwts.rsaKey("rsa-1");
    private final ECKey ec = TestJwts.ecKey("ec-1");
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static OAuthBearerSettings settings(Optional<URI> url, Optional<Path> file, Duration refreshInterval,
                                                String subClaimName) {
        return new OAuthBearerSettings(url, file, refreshInterval, Duration.ofSeconds(5), Duration.ofSeconds(30),
                Optional.of(TestJwts.ISSUER), Optional.of(TestJwts.AUDIENCE), subClaimName);
    }

    private static JwtValidator validator(OAuthBearerSettings settings) {
        return new JwtValidator(settings, new RefreshingJwks(JwksLoader.of(settings), settings.jwksRefreshInterval()));
    }

    private JwtValidator fileValidator(Path dir, String subClaimName) throws IOException {
        Path file = Files.writeString(dir.resolve("jwks.json"), TestJwts.jwks(rsa, ec));
        return validator(settings(Optional.empty(), Optional.of(file), Duration.ofHours(1), subClaimName));
    }

    private static String refusal(JwtValidator validator, String token) {
        try {
            validator.validate(token);
        } catch (JwtValidator.InvalidTokenException e) {
            return e.getMessage();
        }
        throw new AssertionError("the token was accepted");
    }

    @Test
    void rsaAndEcTokensPassWithThePrincipalFromTheSubClaimAndTheirExpiry(@TempDir Path dir) throws Exception {
        JwtValidator validator = fileValidator(dir, "sub");
        JWTClaimsSet aliceClaims = claims("alice", TTL).build();
        String aliceToken = sign(rsa, aliceClaims);
        OAuthBearerToken alice = validator.validate(aliceToken);
        assertThat(alice.principalName()).isEqualTo("alice");
        assertThat(alice.lifetimeMs()).isEqualTo(aliceClaims.getExpirationTime().getTime());
        assertThat(alice.value()).isEqualTo(aliceToken);
        assertThat(validator.validate(sign(ec, claims("bob", TTL).build())).principalName()).isEqualTo("bob");
        for (JWSAlgorithm algorithm : new JWSAlgorithm[] {JWSAlgorithm.RS512, JWSAlgorithm.PS256}) {
            assertThat(validator.validate(sign(rsa, algorithm, claims("carol", TTL).build())).principalName())
                    .isEqualTo("carol");
        }
        assertThat(validator.validate(sign(rsa, claims("alice", Duration.ofSeconds(-10)).build())).principalName())
                .as("expired within the clock skew").isEqualTo("alice");
    }

    @Test
    void thePrincipalComesFromTheConfiguredClaim(@TempDir Path dir) throws Exception {
        JwtValidator validator = fileValidator(dir, "preferred_username");
        assertThat(validator.validate(sign(rsa, claims("0b3f-uuid", TTL).claim("preferred_username", "dave").build()))
                .principalName()).isEqualTo("dave");
        assertThat(refusal(validator, sign(rsa, claims("0b3f-uuid", TTL).build())))
                .contains("no preferred_username claim");
    }

    @Test
    void tokensOutsideTheirTimeOrForAnotherIssuerOrAudienceAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        JwtValidator validator = fileValidator(dir, "sub");
        Date inTenMinutes = Date.from(Instant.now().plus(Duration.ofMinutes(10)));
        assertThat(refusal(validator, sign(rsa, claims("alice", Duration.ofMinutes(-5)).build()))).contains("expired");
        assertThat(refusal(validator, sign(rsa, claims("alice", TTL).expirationTime(null).build())))
                .contains("no expiration time");
        assertThat(refusal(validator, sign(rsa, claims("alice", Duration.ofMinutes(20)).notBeforeTime(inTenMinutes)
                .build()))).contains("not valid yet");
        assertThat(refusal(validator, sign(rsa, claims("alice", Duration.ofMinutes(20)).issueTime(inTenMinutes)
                .build()))).contains("issued in the future");
        assertThat(refusal(validator, sign(rsa, claims("alice", TTL).issuer("https://elsewhere.test").build())))
                .contains("issuer");
        assertThat(refusal(validator, sign(rsa, claims("alice", TTL).audience("another-service").build())))
                .contains("audience");
    }

    @Test
    void badSignaturesUnknownKeysAndUnsignedOrHmacTokensAreRefused(@TempDir Path dir) throws Exception {
        JwtValidator validator = fileValidator(dir, "sub");
        RSAKey impostor = TestJwts.rsaKey("rsa-1");
        assertThat(refusal(validator, sign(impostor, claims("alice", TTL).build()))).contains("signature does not verify");
        String[] parts = sign(rsa, claims("alice", TTL).build()).split("\\.");
        String otherPayload = sign(rsa, claims("mallory", TTL).build()).split("\\.")[1];
        assertThat(refusal(validator, parts[0] + "." + otherPayload + "." + parts[2])).contains("signature does not verify");

        assertThat(refusal(validator, sign(TestJwts.rsaKey("rsa-2"), claims("alice", TTL).build())))
                .contains("signing key (kid) is unknown");
        assertThat(refusal(validator, new PlainJWT(claims("alice", TTL).build()).serialize())).contains("not signed");

        SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims("alice", TTL).build());
        hmac.sign(new MACSigner(new byte[32]));
        assertThat(refusal(validator, hmac.serialize())).contains("algorithm (alg) is not one of");
        assertThat(refusal(validator, "not-a-token")).contains("not a JWT");
    }

    @Test
    void aKeySetFromAUrlIsFetchedAgainForAnUnknownKeyAtMostOncePerGap() throws Exception {
        AtomicReference<String> published = new AtomicReference<>(TestJwts.jwks(rsa));
        AtomicInteger fetches = new AtomicInteger();
        URI url = serve(published, new AtomicInteger(200), fetches);
        JwtValidator validator = validator(settings(Optional.of(url), Optional.empty(), Duration.ofHours(1), "sub"));
        assertThat(fetches).hasValue(1);
        assertThat(validator.validate(sign(rsa, claims("alice", TTL).build())).principalName()).isEqualTo("alice");

        // The provider rotates: a token signed by its new key is refused until the set fetched for it arrives.
        published.set(TestJwts.jwks(rsa, ec));
        String rotated = sign(ec, claims("bob", TTL).build());
        assertThat(refusal(validator, rotated)).contains("signing key (kid) is unknown");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(validator.validate(rotated).principalName()).isEqualTo("bob"));
        assertThat(fetches).hasValue(2);

        for (int i = 0; i < 20; i++) {
            refusal(validator, sign(TestJwts.rsaKey("made-up-" + i), claims("mallory", TTL).build()));
        }
        assertThat(fetches).as("made-up keys within the gap fetch nothing more").hasValue(2);
    }

    @Test
    void aKeySetFromAUrlIsFetchedAgainAfterTheRefreshIntervalAndKeptWhenTheFetchFails() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        AtomicInteger fetches = new AtomicInteger();
        URI url = serve(new AtomicReference<>(TestJwts.jwks(rsa)), status, fetches);
        JwtValidator validator = validator(settings(Optional.of(url), Optional.empty(), Duration.ofMillis(200), "sub"));
        String token = sign(rsa, claims("alice", TTL).build());
        status.set(500);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            assertThat(validator.validate(token).principalName()).isEqualTo("alice");
            assertThat(fetches).hasValueGreaterThanOrEqualTo(3);
        });
    }

    @Test
    void aKeySetFileIsReadAgainForAnUnknownKey(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("jwks.json"), TestJwts.jwks(rsa));
        JwtValidator validator = validator(settings(Optional.empty(), Optional.of(file), Duration.ofHours(1), "sub"));
        Files.writeString(file, TestJwts.jwks(rsa, ec));
        String rotated = sign(ec, claims("bob", TTL).build());
        assertThat(refusal(validator, rotated)).contains("unknown");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(validator.validate(rotated).principalName()).isEqualTo("bob"));
    }

    /** An identity provider's JWKS endpoint on the loopback interface, answering {@code status} and counting GETs. */
    private URI serve(AtomicReference<String> jwks, AtomicInteger status, AtomicInteger fetches) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            byte[] body = jwks.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
    }
}
