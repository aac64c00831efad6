package io.strata.broker.server;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.WithName;
import io.strata.broker.config.Configuration;
import io.strata.broker.config.HttpAuthConfig;
import io.strata.broker.config.MetricsConfig;
import io.strata.broker.config.SettingCheck;
import io.strata.broker.protocol.RequestMetrics;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Checks every setting of the broker before anything starts, so that a bad value stops start-up with
 * one line naming the setting (as property and environment variable) and what is allowed, rather than
 * the configuration framework's error codes, and before any port is bound. A value of the wrong type
 * (a port of {@code abc}) is caught here; a value out of range by the settings records, which are
 * built here once to that end. Stateless.
 *
 * <p>The configuration is built once on the way to a start; only when it fails is it built again, without the
 * mappings, to tell each wrong value in the broker's words.
 */
public final class ConfigurationCheck {

    /**
     * The priority of {@link #strictBoolean}. A converter given to the builder replaces SmallRye's own for its type;
     * the check's builder reads every boolean through it, Quarkus' configuration (built apart) does not.
     */
    private static final int STRICT_CONVERTER_PRIORITY = 200;

    private ConfigurationCheck() {
    }

    /** Why the broker cannot start with the configuration {@code builders} read, in one line; empty if it can. */
    public static Optional<String> problem(Supplier<SmallRyeConfigBuilder> builders) {
        return check(builders, RequestMetrics.NONE) instanceof Refused refused
                ? Optional.of(refused.problem()) : Optional.empty();
    }

    /** Whether the broker can start with a configuration. */
    public sealed interface Outcome permits Accepted, Refused {
    }

    /** The configuration has no problem: the broker starts with these settings, the ones checking it built. */
    public record Accepted(BrokerSettings settings) implements Outcome {
    }

    /** Why the broker cannot start with the configuration, in one line. */
    public record Refused(String problem) implements Outcome {
    }

    /**
     * The configuration each of {@code builders} reads (one builder for a configuration that has no problem),
     * checked as {@link #problem} checks it; the settings it gives count requests in {@code requestMetrics}.
     */
    public static Outcome check(Supplier<SmallRyeConfigBuilder> builders, RequestMetrics requestMetrics) {
        SmallRyeConfig config;
        try {
            SmallRyeConfigBuilder builder = strict(builders.get());
            Configuration.MAPPINGS.forEach(builder::withMapping);
            config = builder.build();
        } catch (ConfigValidationException e) {
            return new Refused(wrongValues(strict(builders.get()).build()).orElseGet(() -> oneLine(e)));
        }
        BrokerSettings settings;
        try {
            settings = BrokerSettings.from(config, requestMetrics);
            // Only the metrics schedules read these, so no settings record checks them.
            MetricsConfig metrics = config.getConfigMapping(MetricsConfig.class);
            SettingCheck.requirePositive("strata.metrics.lag-refresh-interval", metrics.lagRefreshInterval());
            SettingCheck.requirePositive("strata.metrics.partition-refresh-interval", metrics.partitionRefreshInterval());
        } catch (IllegalArgumentException e) {
            return new Refused(e.getMessage());
        }
        Optional<String> http = HttpAuthConfig.problem(config.getConfigMapping(HttpAuthConfig.class),
                settings.listeners().usesSasl());
        return http.<Outcome>map(Refused::new).orElseGet(() -> new Accepted(settings));
    }

    /**
     * SmallRye reads any word it does not know, such as a misspelt {@code ture}, as {@code false} with no more than
     * a warning; like Kafka, only {@code true} and {@code false} (in any case) are taken, so that a typo cannot turn
     * a setting such as authentication off.
     */
    private static SmallRyeConfigBuilder strict(SmallRyeConfigBuilder builder) {
        return builder.withConverter(Boolean.class, STRICT_CONVERTER_PRIORITY, ConfigurationCheck::strictBoolean);
    }

    private static Boolean strictBoolean(String value) {
        String word = value.strip();
        if (!word.equalsIgnoreCase("true") && !word.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("not true or false: " + value);
        }
        return Boolean.valueOf(word);
    }

    /** Every value of {@code raw} that does not convert to its setting's type, in one line; empty if none. */
    private static Optional<String> wrongValues(SmallRyeConfig raw) {
        List<String> problems = new ArrayList<>();
        for (Class<?> mapping : Configuration.MAPPINGS) {
            properties(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping)
                    .forEach(property -> property.problem(raw).ifPresent(problems::add));
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    /**
     * The framework's own words, for a kind of problem {@link #wrongValues} does not know (a misspelt name), on one
     * line, as its message lists each problem on a line of its own.
     */
    private static String oneLine(ConfigValidationException e) {
        Set<String> problems = new LinkedHashSet<>();
        for (int i = 0; i < e.getProblemCount(); i++) {
            problems.add(e.getProblem(i).getMessage().strip().replaceAll("\\s*\\R\\s*", " "));
        }
        return String.join("; ", problems);
    }

    /** A leaf setting of a mapping and the type its value must convert to. */
    private record Property(String name, Class<?> type, boolean list) {

        Optional<String> problem(SmallRyeConfig config) {
            String value = config.getConfigValue(name).getValue();
            if (value == null) {
                return Optional.empty();
            }
            try {
                if (list) {
                    config.getValues(name, type);
                } else {
                    config.getValue(name, type);
                }
            } catch (IllegalArgumentException | NoSuchElementException e) {
                return Optional.of(invalid(value));
            }
            return Optional.empty();
        }

        private String invalid(String value) {
            return SettingCheck.describe(name) + " is \"" + value + "\"; it must be " + allowed();
        }

        private String allowed() {
            String one;
            if (type == Boolean.class) {
                one = "true or false";
            } else if (type == Integer.class || type == Long.class || type == Short.class) {
                one = "a whole number";
            } else if (type == Duration.class) {
                one = "a duration such as 500ms, 30s, 5m or 1h";
            } else if (type == URI.class) {
                one = "a URI";
            } else if (type == Path.class) {
                one = "a path";
            } else if (type.isEnum()) {
                one = "one of " + Arrays.stream(type.getEnumConstants()).map(constant -> ((Enum<?>) constant).name())
                        .collect(Collectors.joining(", "));
            } else {
                one = "a " + type.getSimpleName();
            }
            return list ? "a comma-separated list of " + one.replaceFirst("^an? ", "") + "s" : one;
        }
    }

    /** The leaf settings of {@code mapping}, named as SmallRye names them: kebab case unless {@link WithName}. */
    private static List<Property> properties(String prefix, Class<?> mapping) {
        List<Property> properties = new ArrayList<>();
        for (Method method : mapping.getMethods()) {
            if (Modifier.isStatic(method.getModifiers()) || method.isDefault() || method.getParameterCount() > 0) {
                continue;
            }
            WithName withName = method.getAnnotation(WithName.class);
            String name = prefix + "." + (withName != null ? withName.value() : kebabCase(method.getName()));
            Type type = method.getGenericReturnType();
            if (rawType(type) == Optional.class) {
                type = typeArgument(type);
            }
            boolean list = rawType(type) == List.class;
            if (list) {
                type = typeArgument(type);
            }
            Class<?> raw = rawType(type);
            if (raw.isInterface() && raw.getName().startsWith(mapping.getPackageName())) {
                properties.addAll(properties(name, raw));
            } else {
                properties.add(new Property(name, boxed(raw), list));
            }
        }
        return properties;
    }

    private static String kebabCase(String methodName) {
        return methodName.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static Class<?> rawType(Type type) {
        return type instanceof ParameterizedType parameterized ? (Class<?>) parameterized.getRawType() : (Class<?>) type;
    }

    private static Type typeArgument(Type type) {
        return ((ParameterizedType) type).getActualTypeArguments()[0];
    }

    private static Class<?> boxed(Class<?> type) {
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        return type;
    }
}
