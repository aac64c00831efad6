package io.strata.broker;

import io.strata.broker.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's entry point, run as an operator runs it, in a process of its own: a bad setting stops
 * it with exit code 1 and one line naming the setting, before anything listens.
 */
class StrataMainTest {

    @TempDir
    Path dataDir;

    @Test
    void aValueOfTheWrongTypeIsNamedWithWhatIsAllowed() throws Exception {
        ChildJvm.Result result = start(Map.of("STRATA_KAFKA_PORT", "abc"));

        assertRefused(result, "Invalid setting, not starting: strata.kafka.port (STRATA_KAFKA_PORT) is \"abc\"; "
                + "it must be a whole number");
        assertThat(result.output()).doesNotContain("SRCFG");
    }

    @Test
    void aValueOutOfRangeIsNamedWithItsAllowedValues() throws Exception {
        ChildJvm.Result result = start(Map.of("STRATA_TIERING_S3_CALL_TIMEOUT", "1s"));

        assertRefused(result, "Invalid setting, not starting: strata.tiering.s3-attempt-timeout "
                + "(STRATA_TIERING_S3_ATTEMPT_TIMEOUT) is PT30S and strata.tiering.s3-call-timeout "
                + "(STRATA_TIERING_S3_CALL_TIMEOUT) PT1S; an attempt may not take longer than the call it belongs to");
    }

    @Test
    void authenticationWithoutCredentialsIsRefusedBeforeAnyPortIsBound() throws Exception {
        ChildJvm.Result result = start(Map.of("STRATA_HTTP_AUTH_ENABLED", "true", "STRATA_HTTP_AUTH_USERNAME", "admin"));

        assertRefused(result, "Invalid setting, not starting: strata.http.auth.enabled (STRATA_HTTP_AUTH_ENABLED) is "
                + "true but strata.http.auth.username (STRATA_HTTP_AUTH_USERNAME) or strata.http.auth.password "
                + "(STRATA_HTTP_AUTH_PASSWORD) is not set");
    }

    @Test
    void aMisspeltBooleanIsRefusedRatherThanRunningWithTheSettingOff() throws Exception {
        ChildJvm.Result result = start(Map.of("STRATA_HTTP_AUTH_ENABLED", "ture"));

        assertRefused(result, "Invalid setting, not starting: strata.http.auth.enabled (STRATA_HTTP_AUTH_ENABLED) is "
                + "\"ture\"; it must be true or false");
    }

    @Test
    void anObjectStoreUrlNoStoreTakesIsRefusedBeforeAnyPortIsBound() throws Exception {
        ChildJvm.Result result = start(Map.of("STRATA_TIERING_URL", "gs://bucket/prefix"));

        assertRefused(result, "Invalid setting, not starting: strata.tiering.url (STRATA_TIERING_URL): Unsupported "
                + "object store URI 'gs://bucket/prefix': scheme 'gs' is not supported; supported schemes: "
                + "file (file:///path/to/directory), s3 (s3://bucket/prefix)");
    }

    private ChildJvm.Result start(Map<String, String> badSettings) throws Exception {
        Map<String, String> environment = new HashMap<>(badSettings);
        // Were the check to let the settings through, the broker must not collide with anything else.
        environment.putIfAbsent("STRATA_KAFKA_PORT", "0");
        environment.put("STRATA_RAFT_PORT", "0");
        environment.put("QUARKUS_HTTP_PORT", "0");
        environment.put("STRATA_DATA_DIR", dataDir.toString());
        return ChildJvm.run(StrataMain.class.getName(), List.of(), environment, 60);
    }

    private static void assertRefused(ChildJvm.Result result, String line) {
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output().lines().filter(l -> !l.isBlank())).containsExactly(line);
        assertThat(result.output()).doesNotContain("Listening").doesNotContain("started");
    }
}
