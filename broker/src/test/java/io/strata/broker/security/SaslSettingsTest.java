package io.strata.broker.security;

import io.strata.broker.config.Configuration;
import io.strata.broker.config.SaslConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path file = Files.writeString(dir.resolve("users"), "carol:c:with:colons\n\nbob:from-file\n");
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
        assertThat(SaslSettings.supported()).containsExactlyInAnyOrder(List.of("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN")
                .toArray(String[]::new));
    }
}
