package io.strata.broker.security;

import com.nimbusds.jose.jwk.JWKSet;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * Where the JSON Web Key Set that OAUTHBEARER tokens are verified with comes from: an http(s) URL or a file. Only
 * the public keys are kept, so a set that also holds private or symmetric keys never lends them to a check.
 */
sealed interface JwksLoader permits JwksLoader.FromUrl, JwksLoader.FromFile {

    /** The set as it is now. */
    JWKSet load() throws IOException, ParseException;

    static JwksLoader of(OAuthBearerSettings settings) {
        return settings.jwksUrl().<JwksLoader>map(url -> new FromUrl(url, settings.jwksTimeout()))
                .orElseGet(() -> new FromFile(settings.jwksFile().orElseThrow()));
    }

    /** Reads {@code file} as a JWKS, or fails with one line naming {@code property}. */
    static void requireReadable(String property, Path file) {
        try {
            new FromFile(file).load();
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException(describe(property) + " " + file + " cannot be read as a JWKS: "
                    + e.getMessage(), e);
        }
    }

    /** Fetched with GET, each of connecting and reading bounded by {@code timeout}. */
    record FromUrl(URI url, Duration timeout) implements JwksLoader {

        /** A JWKS is a few kilobytes; a larger answer is not one, and is not read whole. */
        private static final int SIZE_LIMIT = 1 << 20;

        @Override
        public JWKSet load() throws IOException, ParseException {
            int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
            return JWKSet.load(url.toURL(), timeoutMs, timeoutMs, SIZE_LIMIT).toPublicJWKSet();
        }

        @Override
        public String toString() {
            return url.toString();
        }
    }

    record FromFile(Path file) implements JwksLoader {

        @Override
        public JWKSet load() throws IOException, ParseException {
            return JWKSet.load(file.toFile()).toPublicJWKSet();
        }

        @Override
        public String toString() {
            return file.toString();
        }
    }
}
