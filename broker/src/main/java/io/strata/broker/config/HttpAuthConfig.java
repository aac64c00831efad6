package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Optional;

/**
 * HTTP basic authentication of the REST API ({@code /v3}) and the console ({@code /console});
 * health, metrics and the OpenAPI document stay open. When a Kafka listener uses SASL, the users of the
 * cluster sign in with their SCRAM passwords and the user set here is optional. As environment variables:
 * {@code STRATA_HTTP_AUTH_ENABLED}, {@code STRATA_HTTP_AUTH_USERNAME}, {@code STRATA_HTTP_AUTH_PASSWORD}.
 */
@Unremovable
@ConfigMapping(prefix = "strata.http.auth")
public interface HttpAuthConfig {

    /** Require credentials; off by default. */
    @WithDefault("false")
    boolean enabled();

    /** A user name; required when enabled, unless a Kafka listener uses SASL. */
    Optional<String> username();

    /** That user's password; set with the user name, or neither. */
    Optional<String> password();

    /**
     * Why these settings cannot start the broker, in one line; empty if they can. {@code saslUsers}: whether a Kafka
     * listener uses SASL, so that the users of the cluster, kept as SCRAM credentials, sign in to HTTP too.
     */
    static Optional<String> problem(HttpAuthConfig config, boolean saslUsers) {
        if (!config.enabled()) {
            return Optional.empty();
        }
        boolean user = config.username().filter(u -> !u.isEmpty()).isPresent();
        boolean password = config.password().filter(p -> !p.isEmpty()).isPresent();
        String names = SettingCheck.describe("strata.http.auth.username") + " or "
                + SettingCheck.describe("strata.http.auth.password");
        if (saslUsers) {
            if (user != password) {
                return Optional.of(names + " is set without the other; set both for one more user besides the SASL "
                        + "users, or neither");
            }
        } else if (!user || !password) {
            return Optional.of(SettingCheck.describe("strata.http.auth.enabled") + " is true but " + names
                    + " is not set");
        }
        return Optional.empty();
    }
}
