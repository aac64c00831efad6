package io.strata.broker.security;

import io.strata.broker.config.SaslConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;
import static io.strata.broker.config.SettingCheck.requireAtLeastOneMillisecond;
import static io.strata.broker.config.SettingCheck.requirePositive;

/**
 * How OAUTHBEARER tokens are checked, checked once; see {@link SaslConfig.OAuthBearer} for each value. A JWKS file
 * must be readable as a JWKS already, so a wrong path stops the start rather than every login. Immutable.
 *
 * @param jwksUrl          where the JWKS is fetched; empty when it is read from {@code jwksFile}
 * @param jwksFile         where the JWKS is read; empty when it is fetched from {@code jwksUrl}
 * @param expectedIssuer   the {@code iss} every token must have, if any
 * @param expectedAudience a value every token's {@code aud} must hold, if any
 */
public record OAuthBearerSettings(Optional<URI> jwksUrl, Optional<Path> jwksFile, Duration jwksRefreshInterval,
                                  Duration jwksTimeout, Duration clockSkew, Optional<String> expectedIssuer,
                                  Optional<String> expectedAudience, String subClaimName) {

    private static final String URL = "strata.sasl.oauthbearer.jwks-url";
    private static final String FILE = "strata.sasl.oauthbearer.jwks-file";

    public OAuthBearerSettings {
        if (jwksUrl.isPresent() == jwksFile.isPresent()) {
            throw new IllegalArgumentException("OAUTHBEARER needs exactly one of " + describe(URL) + " and "
                    + describe(FILE) + "; " + (jwksUrl.isPresent() ? "both are" : "neither is") + " set");
        }
        jwksUrl.ifPresent(OAuthBearerSettings::requireHttpUrl);
        jwksFile.ifPresent(file -> JwksLoader.requireReadable(FILE, file));
        requirePositive("strata.sasl.oauthbearer.jwks-refresh-interval", jwksRefreshInterval);
        requireAtLeastOneMillisecond("strata.sasl.oauthbearer.jwks-timeout", jwksTimeout);
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException(describe("strata.sasl.oauthbearer.clock-skew") + " is " + clockSkew
                    + "; it must not be negative");
        }
        if (subClaimName.isBlank()) {
            throw new IllegalArgumentException(describe("strata.sasl.oauthbearer.sub-claim-name") + " is blank");
        }
    }

    public static OAuthBearerSettings from(SaslConfig.OAuthBearer config) {
        return new OAuthBearerSettings(config.jwksUrl().filter(url -> !url.isBlank()).map(OAuthBearerSettings::uri),
                config.jwksFile().filter(file -> !file.isBlank()).map(Path::of), config.jwksRefreshInterval(),
                config.jwksTimeout(), config.clockSkew(), config.expectedIssuer(), config.expectedAudience(),
                config.subClaimName());
    }

    private static URI uri(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(describe(URL) + " is not a URL: " + e.getMessage(), e);
        }
    }

    private static void requireHttpUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException(describe(URL) + " is " + url
                    + "; it must be an http or https URL with a host");
        }
    }
}
