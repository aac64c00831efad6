package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * HTTP basic authentication of the REST API ({@code /v3}) and the console ({@code /console});
 * health, metrics and the OpenAPI document stay open. As environment variables:
 * {@code STRATA_HTTP_AUTH_ENABLED}, {@code STRATA_HTTP_AUTH_USERNAME}, {@code STRATA_HTTP_AUTH_PASSWORD}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.http.auth")
public interface HttpAuthConfig {

    /** Require the credentials below; off by default. */
    @WithDefault("false")
    boolean enabled();

    /** The user name; required when enabled. */
    Optional<String> username();

    /** The password; required when enabled. */
    Optional<String> password();

    /** Why these settings cannot start the broker, in one line; empty if they can. */
    static Optional<String> problem(HttpAuthConfig config) {
        if (config.enabled() && (config.username().filter(u -> !u.isEmpty()).isEmpty()
                || config.password().filter(p -> !p.isEmpty()).isEmpty())) {
            return Optional.of(SettingCheck.describe("strata.http.auth.enabled") + " is true but "
                    + SettingCheck.describe("strata.http.auth.username") + " or "
                    + SettingCheck.describe("strata.http.auth.password") + " is not set");
        }
        return Optional.empty();
    }
}
