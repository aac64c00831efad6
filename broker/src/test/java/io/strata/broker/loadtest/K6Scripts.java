package io.strata.broker.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The k6 scripts of {@code load-tests/k6}, as the tests of this package find them from the broker module. */
final class K6Scripts {

    static final Path DIRECTORY = Path.of("..", "load-tests", "k6");

    private K6Scripts() {
    }

    /** The scripts and their modules: every {@code .js} file but those npm installed. */
    static List<Path> javaScriptFiles() {
        Path installed = DIRECTORY.resolve("node_modules");
        try (Stream<Path> files = Files.find(DIRECTORY, 2, (path, attributes) -> attributes.isRegularFile()
                && path.getFileName().toString().endsWith(".js") && !path.startsWith(installed))) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The scripts that load the broker's REST API, by file name: {@code rest-*.js}. */
    static List<String> restScripts() {
        return javaScriptFiles().stream().map(path -> path.getFileName().toString())
                .filter(name -> name.startsWith("rest-")).toList();
    }

    /** Whether {@code command} is an executable file in a directory of the {@code PATH}. */
    static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }
}
