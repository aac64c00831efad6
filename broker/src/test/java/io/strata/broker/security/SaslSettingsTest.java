package io.strata.broker.security;

import io.strata.broker.config.Configuration;
import io.strata.broker.config.SaslConfig;
import io.strata.broker.testing.TestJwts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslSettingsTest {

    private static SaslSettings settings(Map<String, String> config) {
        return SaslSettings.from(Configuration.of(config).getConfigMapping(SaslConfig.class));
    }

    @Test
    void defaultsServeBothScramMechanismsAndNoUsers() {
        SaslSettings defaults = settings(Map.of());
        assertThat(defaults.mechanisms()).containsExactly("SCRAM-SHA-512", "SCRAM-SHA-256");
        assertThat(defaults.bootstrapUsers()).isEmpty();
        assertThat(defaults.connectionsMaxReauthMs()).isZero();
    }

    @Test
    void bootstrapUsersComeFromTheListAndTheFileAndNeverShowTheirPasswords(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("users"), "carol:c:with:colons\r\n\r\nbob:from-file\n");
        SaslSettings settings = settings(Map.of("strata.sasl.bootstrap-users", "admin:admin-secret,bob:b",
                "strata.sasl.bootstrap-users-file", file.toString()));
        assertThat(settings.bootstrapUsers()).isEqualTo(Map.of("admin", "admin-secret", "bob", "from-file",
                "carol", "c:with:colons"));
        assertThat(settings.toString()).contains("admin").doesNotContain("admin-secret", "from-file");
    }

    @Test
    void badValuesNameTheSettingAndNoPassword(@TempDir Path dir) {
        assertThatThrownBy(() -> settings(Map.of("strata.sasl.mechanisms", "GSSAPI")))
                .hasMessageContaining("STRATA_SASL_MECHANISMS").hasMessageContaining("GSSAPI");
        assertThatThrownBy(() -> settings(Map.of("strata.sasl.bootstrap-users", "admin:secret,nopassword")))
                .hasMessageContaining("STRATA_SASL_BOOTSTRAP_USERS").hasMessageContaining("entry 2")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> settings(Map.of("strata.sasl.bootstrap-users-file", dir.resolve("absent").toString())))
                .hasMessageContaining("STRATA_SASL_BOOTSTRAP_USERS_FILE");
        assertThatThrownBy(() -> settings(Map.of("strata.sasl.bootstrap-users-iterations", "100")))
                .hasMessageContaining("STRATA_SASL_BOOTSTRAP_USERS_ITERATIONS");
    }

    @Test
    void plainAndBothScramMechanismsAreSupported() {
        assertThat(settings(Map.of("strata.sasl.mechanisms", "PLAIN,SCRAM-SHA-256")).mechanisms())
                .containsExactly("PLAIN", "SCRAM-SHA-256");
        assertThat(SaslSettings.supported()).containsExactlyInAnyOrder(List.of("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN",
                "OAUTHBEARER").toArray(String[]::new));
    }

    @Test
    void oauthBearerReadsItsKeySetFileAtStartAndHasKafkasDefaults(@TempDir Path dir) throws IOException {
        Path jwks = Files.writeString(dir.resolve("jwks.json"), TestJwts.jwks(TestJwts.ecKey("ec-1")));
        OAuthBearerSettings oauth = settings(Map.of("strata.sasl.mechanisms", "OAUTHBEARER",
                "strata.sasl.oauthbearer.jwks-file", jwks.toString())).oauthBearer().orElseThrow();
        assertThat(oauth.jwksFile()).contains(jwks);
        assertThat(oauth.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(oauth.jwksRefreshInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(oauth.subClaimName()).isEqualTo("sub");
        assertThat(oauth.expectedIssuer()).isEmpty();
        assertThat(settings(Map.of("strata.sasl.oauthbearer.jwks-file", dir.resolve("absent").toString())).oauthBearer())
                .as("not read unless OAUTHBEARER is enabled").isEmpty();
    }

    @Test
    void oauthBearerNeedsExactlyOneReadableKeySet(@TempDir Path dir) throws IOException {
        Map<String, String> enabled = Map.of("strata.sasl.mechanisms", "OAUTHBEARER,SCRAM-SHA-512");
        assertThatThrownBy(() -> settings(enabled))
                .hasMessageContaining("STRATA_SASL_OAUTHBEARER_JWKS_URL").hasMessageContaining("neither");
        Path jwks = Files.writeString(dir.resolve("jwks.json"), TestJwts.jwks(TestJwts.ecKey("ec-1")));
        assertThatThrownBy(() -> settings(with(enabled, "strata.sasl.oauthbearer.jwks-file", jwks.toString(),
                "strata.sasl.oauthbearer.jwks-url", "https://idp.test/jwks"))).hasMessageContaining("both");
        assertThatThrownBy(() -> settings(with(enabled, "strata.sasl.oauthbearer.jwks-url", "ftp://idp.test/jwks")))
                .hasMessageContaining("STRATA_SASL_OAUTHBEARER_JWKS_URL").hasMessageContaining("http or https");
        assertThatThrownBy(() -> settings(with(enabled, "strata.sasl.oauthbearer.jwks-url", "https://idp test/")))
                .hasMessageContaining("STRATA_SASL_OAUTHBEARER_JWKS_URL");
        assertThatThrownBy(() -> settings(with(enabled, "strata.sasl.oauthbearer.jwks-file", dir.resolve("absent").toString())))
                .hasMessageContaining("STRATA_SASL_OAUTHBEARER_JWKS_FILE").hasMessageContaining("absent");
        Path notJwks = Files.writeString(dir.resolve("not-jwks.json"), "{\"keys\": 42}");
        assertThatThrownBy(() -> settings(with(enabled, "strata.sasl.oauthbearer.jwks-file", notJwks.toString())))
                .hasMessageContaining("STRATA_SASL_OAUTHBEARER_JWKS_FILE").hasMessageContaining("as a JWKS");
        assertThatThrownBy(() -> settings(with(enabled, "strata.sasl.oauthbearer.jwks-file", jwks.toString(),
                "strata.sasl.oauthbearer.clock-skew", "-1s"))).hasMessageContaining("STRATA_SASL_OAUTHBEARER_CLOCK_SKEW");
        assertThat(settings(with(enabled, "strata.sasl.oauthbearer.jwks-url", "https://idp.test/jwks")).oauthBearer()
                .orElseThrow().jwksUrl()).hasValueSatisfying(url -> assertThat(url.getHost()).isEqualTo("idp.test"));
    }

    private static Map<String, String> with(Map<String, String> config, String... more) {
        Map<String, String> all = new HashMap<>(config);
        for (int i = 0; i < more.length; i += 2) {
            all.put(more[i], more[i + 1]);
        }
        return all;
    }
}
