package io.strata.broker.rest;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * HTTP basic authentication of the REST API ({@code /v3}) and the console ({@code /console});
 * health, metrics and the OpenAPI document stay open. As environment variables:
 * {@code STRATA_HTTP_AUTH_ENABLED}, {@code STRATA_HTTP_AUTH_USERNAME}, {@code STRATA_HTTP_AUTH_PASSWORD}.
 */
@ConfigMapping(prefix = "strata.http.auth")
public interface HttpAuthConfig {

    /** Require the credentials below; off by default. */
    @WithDefault("false")
    boolean enabled();

    /** The user name; required when enabled. */
    Optional<String> username();

    /** The password; required when enabled. */
    Optional<String> password();
}
