package io.strata.broker.config;

import io.strata.broker.config.TopicConfigDefinitions.BrokerSynonym;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every topic-level config Apache Kafka 4.1 accepts, with Kafka's type, default, documentation,
 * validation and broker-level synonyms: the one place that knows them. Built on kafka-clients'
 * {@link ConfigDef}; the names come from {@link TopicConfig}.
 *
 * <p>Precedence of a topic's value: the topic's own override, then the broker's default for it
 * (its setting, keyed here by the <em>topic</em> config name), then Kafka's default.
 *
 * <p>Deviations from Kafka 4.1, deliberately:
 * <ul>
 *   <li>{@code segment.bytes} accepts values down to {@value #MIN_SEGMENT_BYTES} bytes (Kafka 4
 *       requires at least 1 MiB) so tests can roll small segments. Kafka reaches the same end with
 *       its internal {@code internal.segment.bytes}, which Strata does not accept.</li>
 *   <li>Kafka validates remote-storage settings against the cluster-wide
 *       {@code remote.log.storage.system.enable}; Strata always has tiered storage, so only the
 *       per-topic rules apply (local retention within total retention, equal retentions when copying
 *       is disabled). Unlike Kafka, a tiered topic may be compacted: Strata compacts tiered segments
 *       too. Turning
 *       {@code remote.storage.enable} off without {@code remote.log.delete.on.disable} needs the
 *       topic's previous configs and is left to the caller.</li>
 * </ul>
 * Not accepted, as in Kafka 4.1: {@code message.format.version} and
 * {@code message.downconversion.enable} (gone from the broker since 4.0 although
 * {@code TopicConfig} still has the latter constant). {@code remote.storage.enable},
 * {@code remote.log.copy.disable}, {@code remote.log.delete.on.disable} and the two
 * {@code *.replication.throttled.replicas} have no broker synonym, as in Kafka.
 *
 * <p>Immutable and thread-safe; every instance shares the same static definitions.
 */
public final class TopicConfigCatalog {

    private static final Logger LOG = Logger.getLogger(TopicConfigCatalog.class);

    /** Strata's minimum {@code segment.bytes}; Kafka 4 requires 1048576. */
    public static final int MIN_SEGMENT_BYTES = 1024;

    /** Not in {@link TopicConfig}: Kafka keeps these in its server module ({@code QuotaConfig}). */
    public static final String LEADER_REPLICATION_THROTTLED_REPLICAS_CONFIG = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_REPLICATION_THROTTLED_REPLICAS_CONFIG = "follower.replication.throttled.replicas";

    /** Broker configs described for a BROKER resource, besides the broker synonyms of topic configs. */
    public static final String NODE_ID_CONFIG = "node.id";
    public static final String BROKER_ID_CONFIG = "broker.id";
    public static final String LOG_DIRS_CONFIG = "log.dirs";
    public static final String NUM_PARTITIONS_CONFIG = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR_CONFIG = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE_CONFIG = "auto.create.topics.enable";
    public static final String SOCKET_REQUEST_MAX_BYTES_CONFIG = "socket.request.max.bytes";

    private static final ConfigDef TOPIC_DEF = TopicConfigDefinitions.TOPIC_DEF;
    private static final Map<String, List<BrokerSynonym>> SYNONYMS = TopicConfigDefinitions.SYNONYMS;
    private static final ConfigDef BROKER_DEF = TopicConfigDefinitions.BROKER_DEF;
    private static final List<String> BROKER_NAMES = TopicConfigDefinitions.BROKER_NAMES;
    private static final Map<String, List<String>> BROKER_CHAINS = TopicConfigDefinitions.BROKER_CHAINS;

    // ------------------------------------------------------------------------------------------
    // Names and definitions

    /** Every topic config name, sorted. */
    public List<String> names() {
        return TOPIC_DEF.names().stream().sorted().toList();
    }

    public boolean isKnown(String topicConfigName) {
        return TOPIC_DEF.configKeys().containsKey(topicConfigName);
    }

    /**
     * Whether a topic config is a list ({@code cleanup.policy} and the throttled-replica lists),
     * the only kind IncrementalAlterConfigs may APPEND to or SUBTRACT from. False for unknown names.
     */
    public boolean isList(String topicConfigName) {
        ConfigKey key = TOPIC_DEF.configKeys().get(topicConfigName);
        return key != null && key.type == Type.LIST;
    }

    /** The kafka-clients type of a topic config. */
    public Type type(String topicConfigName) {
        return requireKey(topicConfigName).type;
    }

    /** A copy of the definitions, for tools that print or parse them with kafka-clients. */
    public ConfigDef configDef() {
        return new ConfigDef(TOPIC_DEF);
    }

    /** Kafka's default of a topic config, as a string ({@code null} for none). */
    public String kafkaDefault(String topicConfigName) {
        ConfigKey key = requireKey(topicConfigName);
        return ConfigDef.convertToString(key.defaultValue, key.type);
    }

    /**
     * The broker configs that set the default of a topic config, highest precedence first, as
     * Kafka lists them: {@code retention.ms} has {@code log.retention.ms},
     * {@code log.retention.minutes}, {@code log.retention.hours}. Empty when there is none.
     */
    public List<String> brokerSynonyms(String topicConfigName) {
        requireKey(topicConfigName);
        return SYNONYMS.get(topicConfigName).stream().map(BrokerSynonym::name).toList();
    }

    /** The broker config that overrides a topic config's default, e.g. {@code log.segment.bytes}. */
    public Optional<String> brokerConfigName(String topicConfigName) {
        List<String> synonyms = brokerSynonyms(topicConfigName);
        return synonyms.isEmpty() ? Optional.empty() : Optional.of(synonyms.get(0));
    }

    /**
     * Converts broker settings named as Kafka names them ({@code log.retention.hours=24},
     * {@code message.max.bytes=...}) into broker defaults keyed by topic config name, with hours
     * and minutes in milliseconds and the higher-precedence synonym winning, as Kafka does.
     * Names that are not a topic config's synonym are ignored.
     */
    public Map<String, String> topicDefaultsFromBrokerConfigs(Map<String, String> brokerConfigs) {
        Map<String, String> result = new TreeMap<>();
        SYNONYMS.forEach((topicName, chain) -> {
            for (BrokerSynonym synonym : chain) {
                String value = brokerConfigs.get(synonym.name());
                if (value == null) {
                    continue;
                }
                Object parsed = parseOrThrow(synonym.name(), value, synonym.type(), null);
                long millis = synonym.toMillis();
                result.put(topicName, millis == 1 ? ConfigDef.convertToString(parsed, synonym.type())
                        : Long.toString(((Number) parsed).longValue() * millis));
                break;
            }
        });
        return result;
    }

    /**
     * The inverse of {@link #topicDefaultsFromBrokerConfigs}: broker defaults keyed by topic config
     * name, renamed to the broker configs that carry them ({@code retention.ms} becomes
     * {@code log.retention.ms}), for {@link #describeBroker}. A topic config without a broker
     * synonym keeps its name.
     */
    public Map<String, String> brokerConfigsFromTopicDefaults(Map<String, String> topicDefaults) {
        Map<String, String> result = new TreeMap<>();
        topicDefaults.forEach((name, value) -> {
            List<BrokerSynonym> chain = SYNONYMS.get(name);
            if (chain == null) {
                throw unknown(name);
            }
            result.put(chain.isEmpty() ? name : chain.get(0).name(), value);
        });
        return result;
    }

    /** Parses one topic config value into the Java type kafka-clients uses ({@code Long}, {@code List}, ...), validated. */
    public static Object parse(String name, String value) {
        ConfigKey key = TOPIC_DEF.configKeys().get(name);
        if (key == null) {
            throw unknown(name);
        }
        if (value == null) {
            throw new InvalidConfigurationException("Null value not supported for topic config " + name);
        }
        return parseOrThrow(name, value, key.type, key.validator);
    }

    // ------------------------------------------------------------------------------------------
    // Validation

    /**
     * Validates topic overrides as CreateTopics and AlterConfigs receive them and returns them
     * normalised (trimmed, lists comma-joined, booleans lower case), sorted by name.
     *
     * @throws InvalidConfigurationException for an unknown name, a null, unparsable or out-of-range
     *                                       value, or a combination Kafka rejects; the message names
     *                                       the config, the value and the valid values
     */
    public Map<String, String> validate(Map<String, String> topicOverrides) {
        return validate(Map.of(), topicOverrides);
    }

    /** As {@link #validate(Map)}, checking combinations against the broker's defaults rather than Kafka's. */
    public Map<String, String> validate(Map<String, String> brokerDefaults, Map<String, String> topicOverrides) {
        Map<String, Object> overrides = parseStrict(topicOverrides);
        Map<String, Object> combined = kafkaDefaults();
        combined.putAll(parseStrict(brokerDefaults));
        combined.putAll(overrides);
        checkCombination(combined);
        Map<String, String> normalised = new TreeMap<>();
        overrides.forEach((name, value) -> normalised.put(name, toString(name, value)));
        return Collections.unmodifiableMap(normalised);
    }

    private static Map<String, Object> parseStrict(Map<String, String> configs) {
        return parse(configs, true);
    }

    /**
     * The configs parsed; an invalid one fails the whole parse when {@code strict}, and is otherwise
     * logged and left out.
     */
    private static Map<String, Object> parse(Map<String, String> configs, boolean strict) {
        Map<String, Object> parsed = new HashMap<>();
        if (configs == null) {
            return parsed;
        }
        configs.forEach((name, value) -> {
            try {
                parsed.put(name, parse(name, value));
            } catch (InvalidConfigurationException e) {
                if (strict) {
                    throw e;
                }
                LOG.warnf("Ignoring the topic config override %s=%s: %s", name, value, e.getMessage());
            }
        });
        return parsed;
    }

    private static Object parseOrThrow(String name, String value, Type type, Validator validator) {
        try {
            Object parsed = ConfigDef.parseType(name, value, type);
            if (validator != null) {
                validator.ensureValid(name, parsed);
            }
            return parsed;
        } catch (ConfigException e) {
            String message = e.getMessage();
            String valid = validValues(type, validator);
            if (!message.contains(valid)) {
                message += ". Valid values: " + valid;
            }
            throw new InvalidConfigurationException(message);
        }
    }

    private static String validValues(Type type, Validator validator) {
        if (validator != null) {
            return validator.toString();
        }
        return switch (type) {
            case BOOLEAN -> "[true, false]";
            case LIST -> "a comma-separated list";
            case STRING, PASSWORD, CLASS -> "any string";
            default -> "any value of type " + type;
        };
    }

    private static InvalidConfigurationException unknown(String name) {
        return new InvalidConfigurationException("Unknown topic config name: " + name);
    }

    /** Kafka's cross-config rules ({@code LogConfig.validateValues} and the remote storage checks). */
    private static void checkCombination(Map<String, Object> values) {
        long minLag = (Long) values.get(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG);
        long maxLag = (Long) values.get(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG);
        if (minLag > maxLag) {
            throw new InvalidConfigurationException("conflict topic config setting " + TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG
                    + " (" + minLag + ") > " + TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG + " (" + maxLag + ")");
        }
        if (!(Boolean) values.get(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG)) {
            return;
        }
        checkLocalRetention(values, TopicConfig.RETENTION_BYTES_CONFIG, TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG);
        checkLocalRetention(values, TopicConfig.RETENTION_MS_CONFIG, TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG);
        if ((Boolean) values.get(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG)) {
            checkSameRetention(values, TopicConfig.RETENTION_BYTES_CONFIG, TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG);
            checkSameRetention(values, TopicConfig.RETENTION_MS_CONFIG, TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG);
        }
    }

    private static void checkLocalRetention(Map<String, Object> values, String totalName, String localName) {
        long total = (Long) values.get(totalName);
        long local = (Long) values.get(localName);
        if (total > -1 && local != -2) {
            if (local == -1) {
                throw new InvalidConfigurationException("Invalid value -1 for configuration " + localName
                        + ": Value must not be -1 as " + totalName + " value is set as " + total + ".");
            }
            if (local > total) {
                throw new InvalidConfigurationException("Invalid value " + local + " for configuration " + localName
                        + ": Value must not be more than " + totalName + " property value: " + total);
            }
        }
    }

    private static void checkSameRetention(Map<String, Object> values, String totalName, String localName) {
        long total = (Long) values.get(totalName);
        long local = (Long) values.get(localName);
        if (local != -2 && local != total) {
            throw new InvalidConfigurationException("When `" + TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG + "` is set to true, the `"
                    + localName + "` and `" + totalName + "` must be set to the identical value because there will be "
                    + "no more logs copied to the remote storage.");
        }
    }

    // ------------------------------------------------------------------------------------------
    // Effective values and DescribeConfigs

    /**
     * Every topic config name to the value a topic runs with: its override, else the broker's
     * default, else Kafka's. Values are normalised strings (see {@link #effectiveValues} for typed ones).
     */
    public Map<String, String> effective(Map<String, String> brokerDefaults, Map<String, String> topicOverrides) {
        Map<String, Object> values = effectiveValues(brokerDefaults, topicOverrides);
        Map<String, String> result = new TreeMap<>();
        for (ConfigKey key : TOPIC_DEF.configKeys().values()) {
            result.put(key.name, ConfigDef.convertToString(values.get(key.name), key.type));
        }
        return Collections.unmodifiableMap(result);
    }

    /**
     * Every topic config name to the value a topic runs with, as kafka-clients parses it: {@code Integer},
     * {@code Long}, {@code Double}, {@code Boolean}, {@code String} or {@code List<String>}, by the config's
     * {@link #type}. A stored override that no longer parses, or whose name this version does not know, is
     * skipped with a warning rather than keeping the partition from opening; a bad broker default
     * throws, since it comes from the broker's own settings.
     */
    public Map<String, Object> effectiveValues(Map<String, String> brokerDefaults, Map<String, String> topicOverrides) {
        Map<String, Object> broker = parseStrict(brokerDefaults);
        Map<String, Object> overrides = parseLenient(topicOverrides);
        Map<String, Object> result = new TreeMap<>();
        for (ConfigKey key : TOPIC_DEF.configKeys().values()) {
            Object value = overrides.containsKey(key.name) ? overrides.get(key.name)
                    : broker.containsKey(key.name) ? broker.get(key.name) : key.defaultValue;
            // A config without a default (none that a log reads) has no effective value.
            if (value != null) {
                result.put(key.name, value);
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private static Map<String, Object> parseLenient(Map<String, String> configs) {
        return parse(configs, false);
    }

    /** Every topic config of a topic, as DescribeConfigs reports them. */
    public List<ConfigEntry> describe(Map<String, String> brokerDefaults, Map<String, String> topicOverrides,
                                      boolean includeSynonyms) {
        return describe(brokerDefaults, topicOverrides, includeSynonyms, null);
    }

    /**
     * The topic configs named in {@code keys} ({@code null} for all), sorted by name, as
     * DescribeConfigs reports them: the value and its source ({@code TOPIC_CONFIG} for an
     * override, {@code STATIC_BROKER_CONFIG} for a broker default, {@code DEFAULT_CONFIG}), and
     * with {@code includeSynonyms} the topic override, then the broker's setting under its broker
     * name, then Kafka's default under the broker name that carries it
     * (e.g. {@code log.retention.hours=168}). Unknown names in {@code keys} are left out, as Kafka does.
     */
    public List<ConfigEntry> describe(Map<String, String> brokerDefaults, Map<String, String> topicOverrides,
                                      boolean includeSynonyms, Collection<String> keys) {
        Map<String, Object> broker = parseStrict(brokerDefaults);
        Map<String, Object> overrides = parseLenient(topicOverrides);
        List<ConfigEntry> entries = new ArrayList<>();
        for (String name : names()) {
            if (keys != null && !keys.contains(name)) {
                continue;
            }
            ConfigKey key = TOPIC_DEF.configKeys().get(name);
            List<BrokerSynonym> chain = SYNONYMS.get(name);
            List<ConfigEntry.Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(name)) {
                synonyms.add(new ConfigEntry.Synonym(name, toString(name, overrides.get(name)), ConfigSource.TOPIC_CONFIG));
            }
            if (broker.containsKey(name)) {
                String brokerName = chain.isEmpty() ? name : chain.get(0).name();
                synonyms.add(new ConfigEntry.Synonym(brokerName, toString(name, broker.get(name)),
                        ConfigSource.STATIC_BROKER_CONFIG));
            }
            for (BrokerSynonym synonym : chain) {
                if (synonym.kafkaDefault() != null) {
                    synonyms.add(new ConfigEntry.Synonym(synonym.name(),
                            ConfigDef.convertToString(synonym.kafkaDefault(), synonym.type()), ConfigSource.DEFAULT_CONFIG));
                    break;
                }
            }
            Object value = overrides.containsKey(name) ? overrides.get(name)
                    : broker.containsKey(name) ? broker.get(name) : key.defaultValue;
            ConfigSource source = overrides.containsKey(name) ? ConfigSource.TOPIC_CONFIG
                    : broker.containsKey(name) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
            entries.add(new ConfigEntry(name, ConfigDef.convertToString(value, key.type), source, false, false,
                    configType(key.type), key.documentation, includeSynonyms ? synonyms : List.of()));
        }
        return entries;
    }

    /** The broker configs Strata describes for a BROKER resource, in the order they are reported. */
    public List<String> brokerConfigNames() {
        return List.copyOf(BROKER_NAMES);
    }

    /**
     * The configs of a BROKER resource: {@code node.id}, {@code broker.id}, {@code log.dirs},
     * {@code num.partitions}, {@code default.replication.factor}, {@code auto.create.topics.enable},
     * {@code socket.request.max.bytes} and every broker synonym of a topic config
     * ({@code log.retention.ms}, {@code log.retention.hours}, {@code log.segment.bytes}, ...).
     * {@code brokerValues}, keyed by broker config name, are the values the broker runs with and
     * are reported as {@code STATIC_BROKER_CONFIG}; the others are Kafka's defaults
     * ({@code DEFAULT_CONFIG}, possibly {@code null}). All are read-only: Strata's broker configs
     * come from its settings. Synonyms list the config and then the lower-precedence broker configs
     * that have a value, as Kafka does (none when the config itself has no value).
     */
    public List<ConfigEntry> describeBroker(Map<String, String> brokerValues) {
        Map<String, String> values = brokerValues == null ? Map.of() : brokerValues;
        List<ConfigEntry> entries = new ArrayList<>();
        for (String name : BROKER_NAMES) {
            ConfigKey key = BROKER_DEF.configKeys().get(name);
            ConfigEntry.Synonym own = brokerValue(name, values);
            List<ConfigEntry.Synonym> synonyms = new ArrayList<>();
            // Kafka lists the config itself first and nothing when the config itself has no value.
            if (own != null) {
                for (String synonymName : BROKER_CHAINS.getOrDefault(name, List.of(name))) {
                    ConfigEntry.Synonym synonym = brokerValue(synonymName, values);
                    if (synonym != null) {
                        synonyms.add(synonym);
                    }
                }
            }
            String value = own == null ? null : own.value();
            ConfigSource source = own == null ? ConfigSource.DEFAULT_CONFIG : own.source();
            entries.add(new ConfigEntry(name, value, source, false, true, configType(key.type), key.documentation, synonyms));
        }
        return entries;
    }

    private static ConfigEntry.Synonym brokerValue(String name, Map<String, String> values) {
        if (values.containsKey(name) && values.get(name) != null) {
            return new ConfigEntry.Synonym(name, values.get(name), ConfigSource.STATIC_BROKER_CONFIG);
        }
        ConfigKey key = BROKER_DEF.configKeys().get(name);
        if (key.defaultValue == null) {
            return null;
        }
        return new ConfigEntry.Synonym(name, ConfigDef.convertToString(key.defaultValue, key.type), ConfigSource.DEFAULT_CONFIG);
    }

    // ------------------------------------------------------------------------------------------

    private static Map<String, Object> kafkaDefaults() {
        Map<String, Object> defaults = new LinkedHashMap<>();
        TOPIC_DEF.configKeys().forEach((name, key) -> defaults.put(name, key.defaultValue));
        return defaults;
    }

    private static String toString(String name, Object value) {
        return ConfigDef.convertToString(value, TOPIC_DEF.configKeys().get(name).type);
    }

    private static ConfigKey requireKey(String name) {
        ConfigKey key = TOPIC_DEF.configKeys().get(name);
        if (key == null) {
            throw unknown(name);
        }
        return key;
    }

    static ConfigType configType(Type type) {
        return switch (type) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }
}
