package io.strata.broker.server;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native build's registrations cannot be exercised without GraalVM, so they are kept right by construction:
 * every class they name exists, and the classes JGroups loads by name from its maps are all registered.
 */
class NativeImageRegistrationsTest {

    private static final String REFLECT_CONFIG = "META-INF/native-image/io.strata/strata-broker/reflect-config.json";
    private static final List<String> JGROUPS_MAPS = List.of("jg-magic-map.xml", "jg-protocol-ids.xml");
    private static final Pattern CLASS_ENTRY = Pattern.compile("<class\\s+id=\"\\d+\"\\s+name=\"([^\"]+)\"");
    private static final Pattern NAME = Pattern.compile("\"name\":\\s*\"([^\"]+)\"");

    @Test
    void everyClassJGroupsLoadsByNameFromItsMapsIsRegistered() throws IOException {
        Set<String> registered = reflectConfigNames();
        List<String> unregistered = new ArrayList<>();
        for (String map : JGROUPS_MAPS) {
            Matcher entry = CLASS_ENTRY.matcher(withoutComments(resource(map)));
            while (entry.find()) {
                // Entries marked external live in optional jars (AZURE_PING, OPEN_TELEMETRY) the broker lacks.
                if (loads(entry.group(1)) && !registered.contains(entry.group(1))) {
                    unregistered.add(entry.group(1));
                }
            }
        }
        assertThat(unregistered).as("classes named in JGroups' maps missing from " + REFLECT_CONFIG).isEmpty();
    }

    @Test
    void everyRegisteredClassExists() throws IOException {
        RegisterForReflection annotation = NativeImageRegistrations.class.getAnnotation(RegisterForReflection.class);
        Set<String> names = new TreeSet<>(reflectConfigNames());
        names.addAll(Arrays.asList(annotation.classNames()));
        assertThat(names).isNotEmpty().allSatisfy(name -> assertThat(loads(name)).as(name).isTrue());
    }

    @Test
    void theNativeImageIncludesJGroupsMaps() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        assertThat(properties.getProperty("quarkus.native.resources.includes").split(","))
                .containsAll(JGROUPS_MAPS);
    }

    private static Set<String> reflectConfigNames() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher name = NAME.matcher(resource(REFLECT_CONFIG));
        while (name.find()) {
            names.add(name.group(1));
        }
        return names;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = NativeImageRegistrationsTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String withoutComments(String xml) {
        return xml.replaceAll("(?s)<!--.*?-->", "");
    }

    private static boolean loads(String className) {
        try {
            Class.forName(className, false, NativeImageRegistrationsTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
