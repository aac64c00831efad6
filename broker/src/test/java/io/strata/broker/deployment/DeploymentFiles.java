package io.strata.broker.deployment;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The repository's {@code deployment/} directory and its YAML files, read as Compose and kubectl read them. */
final class DeploymentFiles {

    /** Tests run in {@code broker/}. */
    static final Path DEPLOYMENT = Path.of("..", "deployment").toAbsolutePath().normalize();

    private DeploymentFiles() {
    }

    static Path path(String relative) {
        Path path = DEPLOYMENT.resolve(relative);
        if (!Files.isRegularFile(path) && !Files.isDirectory(path)) {
            throw new AssertionError("missing " + path);
        }
        return path;
    }

    /** One YAML document, with anchors, aliases and merge keys ({@code <<: *broker}) resolved. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        return (Map<String, Object>) yaml().load(read(file));
    }

    /** Every document of a multi-document YAML text (kubectl's {@code ---}), empty ones left out. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : yaml().loadAll(text)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }
}
