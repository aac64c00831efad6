package io.strata.broker.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The user and password of an HTTP basic {@code Authorization} header (RFC 7617): the user is what comes before the
 * first colon. {@link #toString} leaves the password out, so credentials never reach a log.
 *
 * @param decoded the header's {@code user:password} bytes, as sent
 */
record BasicCredentials(String user, String password, byte[] decoded) {

    /** The credentials of {@code authorization}; empty if it is missing or not a well-formed basic header. */
    static Optional<BasicCredentials> parse(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String text = new String(decoded, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return Optional.of(new BasicCredentials(text.substring(0, colon), text.substring(colon + 1), decoded));
    }

    @Override
    public String toString() {
        return "BasicCredentials(user=" + user + ")";
    }
}
