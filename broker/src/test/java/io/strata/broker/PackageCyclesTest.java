package io.strata.broker;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's main packages depend on each other without cycles, so that each can be read, tested
 * and later split off from the ones below it. Dependencies are read from the {@code import} lines of
 * the sources; a package's references to itself do not count.
 */
class PackageCyclesTest {

    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package (io\\.strata\\.broker[\\w.]*);", Pattern.MULTILINE);
    /** The package of an imported class: the name's lower-case segments before the first class name. */
    private static final Pattern IMPORT = Pattern.compile(
            "^import (?:static )?(io\\.strata\\.broker(?:\\.[a-z]\\w*)*)\\.[A-Z]", Pattern.MULTILINE);

    @Test
    void mainPackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> dependencies = dependencies();
        assertThat(dependencies).as("packages read from %s", SOURCES.toAbsolutePath()).containsKey("io.strata.broker.partition");

        assertThat(findCycle(dependencies)).as("a package cycle").isEmpty();
    }

    /** Each main package and the other broker packages it imports from. */
    private static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> dependencies = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher declared = PACKAGE.matcher(source);
                if (!declared.find()) {
                    continue;
                }
                String from = declared.group(1);
                Set<String> targets = dependencies.computeIfAbsent(from, p -> new TreeSet<>());
                Matcher imported = IMPORT.matcher(source);
                while (imported.find()) {
                    if (!imported.group(1).equals(from)) {
                        targets.add(imported.group(1));
                    }
                }
            }
        }
        return dependencies;
    }

    /** A cycle as the path of packages around it, first package repeated at the end, if there is one. */
    private static Optional<List<String>> findCycle(Map<String, Set<String>> dependencies) {
        Set<String> finished = new TreeSet<>();
        for (String start : dependencies.keySet()) {
            Optional<List<String>> cycle = walk(start, dependencies, new ArrayList<>(), finished);
            if (cycle.isPresent()) {
                return cycle;
            }
        }
        return Optional.empty();
    }

    /** Depth first from {@code current}; {@code path} holds the packages on the way to it. */
    private static Optional<List<String>> walk(String current, Map<String, Set<String>> dependencies,
                                               List<String> path, Set<String> finished) {
        int onPath = path.indexOf(current);
        if (onPath >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(onPath, path.size()));
            cycle.add(current);
            return Optional.of(cycle);
        }
        if (finished.contains(current)) {
            return Optional.empty();
        }
        path.add(current);
        for (String next : dependencies.getOrDefault(current, Set.of())) {
            Optional<List<String>> cycle = walk(next, dependencies, path, finished);
            if (cycle.isPresent()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        finished.add(current);
        return Optional.empty();
    }
}
