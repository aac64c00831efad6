package io.strata.broker.loadtest;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.strata.broker.rest.RestTestProfile;
import io.strata.broker.testing.ChildJvm;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URL;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each REST script of {@code load-tests/k6} runs for a few seconds against the application's broker and meets
 * its thresholds: k6 exits 0 only then (99 when a threshold failed). Where no {@code k6} binary is on the
 * {@code PATH}, as on the machines the suite runs on, the class is skipped, saying so; {@link K6ScriptsTest}
 * still type-checks the scripts there. The thresholds on durations are raised: this checks that the scripts
 * and the API agree, not how fast a broker sharing its cores with the build answers.
 */
@QuarkusTest
@TestProfile(RestTestProfile.class)
@EnabledIf(value = "k6OnPath", disabledReason = "k6 is not on the PATH")
@Timeout(180)
class K6RunTest {

    @TestHTTPResource("/")
    URL http;

    /** Says so on the build's console when not: the reason of a skipped class is otherwise only in the XML reports. */
    static boolean k6OnPath() {
        boolean found = K6Scripts.onPath("k6");
        if (!found) {
            System.err.println("K6RunTest skipped: k6 is not on the PATH; the k6 scripts are only type-checked");
        }
        return found;
    }

    static List<String> restScripts() {
        return K6Scripts.restScripts();
    }

    @ParameterizedTest
    @MethodSource("restScripts")
    void restScriptMeetsItsThresholds(String script) throws Exception {
        String name = script.substring(0, script.length() - ".js".length());
        ChildJvm.Result k6 = ChildJvm.run(new ProcessBuilder("k6", "run", "--no-color",
                "-e", "BASE_URL=http://" + http.getHost() + ":" + http.getPort(),
                // A topic and a group of its own: every script reads only what it finds there.
                "-e", "TOPIC=" + name, "-e", "GROUP=" + name,
                "-e", "DURATION=5s", "-e", "RATE=20", "-e", "SEED_RECORDS=100",
                "-e", "P95_MS=2000", "-e", "P99_MS=5000",
                K6Scripts.DIRECTORY.resolve(script).toString()), 120);
        assertThat(k6.exitCode()).as("k6 run %s:%n%s", script, k6.output()).isZero();
    }
}
