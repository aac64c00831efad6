package io.strata.broker.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The broker's {@code @ConfigMapping} interfaces, one per concern, and the configuration they declare
 * by default. The defaults are declared once, in the mappings; the settings records built without the
 * application (by tests and tools) start from them too. Thread-safe.
 */
public final class Configuration {

    /**
     * Every mapping of the broker's settings. Each is {@code @Unremovable}: the broker reads them with
     * {@code getConfigMapping} rather than by injection, and Quarkus registers only the mappings it keeps.
     */
    public static final List<Class<?>> MAPPINGS = List.of(BrokerConfig.class, KafkaListenerConfig.class,
            LogDefaultsConfig.class, TopicsConfig.class, RaftConfig.class, GroupsConfig.class, TransactionsConfig.class, TieringConfig.class,
            ReplicationConfig.class, LeadersConfig.class, MetricsConfig.class, HttpAuthConfig.class, SaslConfig.class,
            AuthorizerConfig.class, QuotasConfig.class, InterBrokerConfig.class);

    private static final SmallRyeConfig DEFAULTS = builder().build();

    private Configuration() {
    }

    /**
     * Plain SmallRye Config with every mapping and the converters Quarkus adds to it for these
     * settings; add the sources to read.
     */
    public static SmallRyeConfigBuilder builder() {
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
                // As Quarkus' own converter: an empty value is no path, so an unset Optional<Path> stays empty.
                .withConverter(Path.class, 100, value -> value.isEmpty() ? null : Path.of(value))
                .withConverter(Duration.class, 100, new DurationConverter());
        MAPPINGS.forEach(builder::withMapping);
        return builder;
    }

    /**
     * The declared defaults with {@code overrides}, keyed as in {@code application.properties}
     * ({@code strata.kafka.port}); a key no mapping declares is refused.
     */
    public static SmallRyeConfig of(Map<String, String> overrides) {
        return builder().withSources(new PropertiesConfigSource(overrides, "overrides", 300)).build();
    }

    /** A mapping as its declared defaults fill it. */
    public static <T> T defaults(Class<T> mapping) {
        return DEFAULTS.getConfigMapping(mapping);
    }
}
