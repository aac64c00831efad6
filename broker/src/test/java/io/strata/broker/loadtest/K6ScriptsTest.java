package io.strata.broker.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.broker.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The k6 scripts of {@code load-tests/k6} type-check: TypeScript's compiler reads their JSDoc types against k6's
 * type definitions ({@code @types/k6}) and the local declaration of the xk6-kafka module, with the project's
 * {@code tsconfig.json} (strict). k6 is not installed where the suite runs, so this is what catches a misspelt
 * option, executor or response field before a user runs the script. Needs Node.js and
 * {@code npm ci --prefix load-tests/k6} (which {@code .ci/run} does); skipped, saying so, without them.
 */
@Timeout(180)
class K6ScriptsTest {

    private static final Path TSC = K6Scripts.DIRECTORY.resolve(Path.of("node_modules", "typescript", "bin", "tsc"));

    @Test
    void everyScriptTypeChecks() throws Exception {
        assumeInstalled();
        // --listFiles names every file the compiler checked, after its diagnostics.
        ChildJvm.Result tsc = ChildJvm.run(new ProcessBuilder("node", TSC.toString(), "-p",
                K6Scripts.DIRECTORY.toString(), "--pretty", "false", "--listFiles"), 120);
        String output = tsc.output();
        // The listed files are absolute paths; the diagnostics name files relative to the working directory.
        String diagnostics = output.lines().filter(line -> !line.startsWith("/")).collect(Collectors.joining("\n"));
        assertThat(tsc.exitCode()).as("tsc -p load-tests/k6 found errors:%n%s", diagnostics).isZero();

        List<Path> checked = output.lines().filter(line -> line.startsWith("/")).map(Path::of).toList();
        List<Path> scripts = K6Scripts.javaScriptFiles();
        assertThat(scripts).as("the scripts in %s", K6Scripts.DIRECTORY.toAbsolutePath()).isNotEmpty();
        for (Path script : scripts) {
            assertThat(checked).as("the files tsc checked include %s (tsconfig.json's include)", script)
                    .contains(script.toRealPath());
        }
    }

    /** A tsconfig that stopped checking JavaScript would let every script pass. */
    @Test
    void theCompilerChecksTheJavaScriptStrictly() throws IOException {
        JsonNode options = new ObjectMapper().readTree(K6Scripts.DIRECTORY.resolve("tsconfig.json").toFile())
                .path("compilerOptions");
        assertThat(options.path("checkJs").asBoolean()).as("checkJs").isTrue();
        assertThat(options.path("strict").asBoolean()).as("strict").isTrue();
        assertThat(options.path("noEmit").asBoolean()).as("noEmit").isTrue();
    }

    /** Skips the test, on the build's console too, unless Node.js and the lockfile's packages are installed. */
    private static void assumeInstalled() {
        Path types = K6Scripts.DIRECTORY.resolve(Path.of("node_modules", "@types", "k6"));
        String missing = !K6Scripts.onPath("node") ? "Node.js is not installed"
                : !Files.isRegularFile(TSC) || !Files.isDirectory(types)
                ? "TypeScript and @types/k6 are not installed (npm ci --prefix load-tests/k6)" : null;
        if (missing != null) {
            String reason = "K6ScriptsTest skipped: " + missing + "; the k6 scripts are not type-checked";
            System.err.println(reason);
            assumeTrue(false, reason);
        }
    }
}
