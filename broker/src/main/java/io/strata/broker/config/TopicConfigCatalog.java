package io.strata.broker.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef.Validator;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.Records;
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
import java.util.regex.Pattern;

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

    private static final long MINUTE_MS = 60_000L;
    private static final long HOUR_MS = 60 * MINUTE_MS;

    /** A broker config that sets a topic config's default; {@code toMillis} converts hours or minutes. */
    private record BrokerSynonym(String name, Type type, Object kafkaDefault, long toMillis) {
    }

    private static final ConfigDef TOPIC_DEF = new ConfigDef();
    /** Topic config name to its broker synonyms, highest precedence first (as Kafka lists them). */
    private static final Map<String, List<BrokerSynonym>> SYNONYMS = new HashMap<>();
    private static final ConfigDef BROKER_DEF = new ConfigDef();
    /** Broker config names in the order a BROKER resource is described. */
    private static final List<String> BROKER_NAMES = new ArrayList<>();
    /** Broker config name to itself and the lower-precedence synonyms that stand in when it is unset. */
    private static final Map<String, List<String>> BROKER_CHAINS = new HashMap<>();

    static {
        defineTopic(TopicConfig.CLEANUP_POLICY_CONFIG, Type.LIST, TopicConfig.CLEANUP_POLICY_DELETE,
                ValidList.in(TopicConfig.CLEANUP_POLICY_COMPACT, TopicConfig.CLEANUP_POLICY_DELETE),
                TopicConfig.CLEANUP_POLICY_DOC, "log.cleanup.policy");
        defineTopic(TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG, Type.INT, CompressionType.GZIP.defaultLevel(),
                CompressionType.GZIP.levelValidator(), TopicConfig.COMPRESSION_GZIP_LEVEL_DOC,
                TopicConfig.COMPRESSION_GZIP_LEVEL_CONFIG);
        defineTopic(TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG, Type.INT, CompressionType.LZ4.defaultLevel(),
                CompressionType.LZ4.levelValidator(), TopicConfig.COMPRESSION_LZ4_LEVEL_DOC,
                TopicConfig.COMPRESSION_LZ4_LEVEL_CONFIG);
        defineTopic(TopicConfig.COMPRESSION_TYPE_CONFIG, Type.STRING, "producer",
                ValidString.in("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
                TopicConfig.COMPRESSION_TYPE_DOC, TopicConfig.COMPRESSION_TYPE_CONFIG);
        defineTopic(TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG, Type.INT, CompressionType.ZSTD.defaultLevel(),
                CompressionType.ZSTD.levelValidator(), TopicConfig.COMPRESSION_ZSTD_LEVEL_DOC,
                TopicConfig.COMPRESSION_ZSTD_LEVEL_CONFIG);
        defineTopic(TopicConfig.DELETE_RETENTION_MS_CONFIG, Type.LONG, 24 * HOUR_MS, Range.atLeast(0),
                TopicConfig.DELETE_RETENTION_MS_DOC, "log.cleaner.delete.retention.ms");
        defineTopic(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, Type.LONG, 60_000L, Range.atLeast(0),
                TopicConfig.FILE_DELETE_DELAY_MS_DOC, "log.segment.delete.delay.ms");
        defineTopic(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(1),
                TopicConfig.FLUSH_MESSAGES_INTERVAL_DOC, "log.flush.interval.messages");
        defineTopicChain(TopicConfig.FLUSH_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), TopicConfig.FLUSH_MS_DOC,
                new BrokerSynonym("log.flush.interval.ms", Type.LONG, null, 1),
                new BrokerSynonym("log.flush.scheduler.interval.ms", Type.LONG, Long.MAX_VALUE, 1));
        defineTopic(FOLLOWER_REPLICATION_THROTTLED_REPLICAS_CONFIG, Type.LIST, "", ThrottledReplicas.INSTANCE,
                "A list of replicas for which log replication should be throttled on the follower side. The list "
                        + "should describe a set of replicas in the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... "
                        + "or alternatively the wildcard '*' can be used to throttle all replicas for this topic.");
        defineTopic(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, 4096, Range.atLeast(0),
                TopicConfig.INDEX_INTERVAL_BYTES_DOC, "log.index.interval.bytes");
        defineTopic(LEADER_REPLICATION_THROTTLED_REPLICAS_CONFIG, Type.LIST, "", ThrottledReplicas.INSTANCE,
                "A list of replicas for which log replication should be throttled on the leader side. The list "
                        + "should describe a set of replicas in the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... "
                        + "or alternatively the wildcard '*' can be used to throttle all replicas for this topic.");
        defineTopic(TopicConfig.LOCAL_LOG_RETENTION_BYTES_CONFIG, Type.LONG, -2L, Range.atLeast(-2),
                TopicConfig.LOCAL_LOG_RETENTION_BYTES_DOC, "log.local.retention.bytes");
        defineTopic(TopicConfig.LOCAL_LOG_RETENTION_MS_CONFIG, Type.LONG, -2L, Range.atLeast(-2),
                TopicConfig.LOCAL_LOG_RETENTION_MS_DOC, "log.local.retention.ms");
        defineTopic(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(1),
                TopicConfig.MAX_COMPACTION_LAG_MS_DOC, "log.cleaner.max.compaction.lag.ms");
        defineTopic(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Type.INT, 1024 * 1024 + Records.LOG_OVERHEAD, Range.atLeast(0),
                TopicConfig.MAX_MESSAGE_BYTES_DOC, "message.max.bytes");
        defineTopic(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, Type.LONG, HOUR_MS, Range.atLeast(0),
                TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_DOC, "log.message.timestamp.after.max.ms");
        defineTopic(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, Type.LONG, Long.MAX_VALUE, Range.atLeast(0),
                TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_DOC, "log.message.timestamp.before.max.ms");
        defineTopic(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, Type.STRING, "CreateTime",
                ValidString.in("CreateTime", "LogAppendTime"), TopicConfig.MESSAGE_TIMESTAMP_TYPE_DOC,
                "log.message.timestamp.type");
        defineTopic(TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, Type.DOUBLE, 0.5, Range.between(0, 1),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_DOC, "log.cleaner.min.cleanable.ratio");
        defineTopic(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0),
                TopicConfig.MIN_COMPACTION_LAG_MS_DOC, "log.cleaner.min.compaction.lag.ms");
        defineTopic(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Type.INT, 1, Range.atLeast(1),
                TopicConfig.MIN_IN_SYNC_REPLICAS_DOC, TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        defineTopic(TopicConfig.PREALLOCATE_CONFIG, Type.BOOLEAN, false, null, TopicConfig.PREALLOCATE_DOC,
                "log.preallocate");
        defineTopic(TopicConfig.REMOTE_LOG_COPY_DISABLE_CONFIG, Type.BOOLEAN, false, null,
                TopicConfig.REMOTE_LOG_COPY_DISABLE_DOC);
        defineTopic(TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_CONFIG, Type.BOOLEAN, false, null,
                TopicConfig.REMOTE_LOG_DELETE_ON_DISABLE_DOC);
        defineTopic(TopicConfig.REMOTE_LOG_STORAGE_ENABLE_CONFIG, Type.BOOLEAN, false, null,
                TopicConfig.REMOTE_LOG_STORAGE_ENABLE_DOC);
        // Kafka allows any retention.bytes: negative means unlimited.
        defineTopic(TopicConfig.RETENTION_BYTES_CONFIG, Type.LONG, -1L, null, TopicConfig.RETENTION_BYTES_DOC,
                "log.retention.bytes");
        defineTopicChain(TopicConfig.RETENTION_MS_CONFIG, Type.LONG, 168 * HOUR_MS, Range.atLeast(-1),
                TopicConfig.RETENTION_MS_DOC,
                new BrokerSynonym("log.retention.ms", Type.LONG, null, 1),
                new BrokerSynonym("log.retention.minutes", Type.INT, null, MINUTE_MS),
                new BrokerSynonym("log.retention.hours", Type.INT, 168, HOUR_MS));
        defineTopic(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, 1024 * 1024 * 1024, Range.atLeast(MIN_SEGMENT_BYTES),
                TopicConfig.SEGMENT_BYTES_DOC, "log.segment.bytes");
        defineTopic(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, Type.INT, 10 * 1024 * 1024, Range.atLeast(4),
                TopicConfig.SEGMENT_INDEX_BYTES_DOC, "log.index.size.max.bytes");
        defineTopicChain(TopicConfig.SEGMENT_JITTER_MS_CONFIG, Type.LONG, 0L, Range.atLeast(0),
                TopicConfig.SEGMENT_JITTER_MS_DOC,
                new BrokerSynonym("log.roll.jitter.ms", Type.LONG, null, 1),
                new BrokerSynonym("log.roll.jitter.hours", Type.INT, 0, HOUR_MS));
        defineTopicChain(TopicConfig.SEGMENT_MS_CONFIG, Type.LONG, 168 * HOUR_MS, Range.atLeast(1),
                TopicConfig.SEGMENT_MS_DOC,
                new BrokerSynonym("log.roll.ms", Type.LONG, null, 1),
                new BrokerSynonym("log.roll.hours", Type.INT, 168, HOUR_MS));
        defineTopic(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, Type.BOOLEAN, false, null,
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_DOC, TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG);

        defineBroker(NODE_ID_CONFIG, Type.INT, null, "The node id of this broker; the same as broker.id.");
        defineBroker(BROKER_ID_CONFIG, Type.INT, -1, "The broker id for this server.");
        defineBroker(LOG_DIRS_CONFIG, Type.STRING, null,
                "A comma-separated list of the directories where the log data is stored.");
        defineBroker(NUM_PARTITIONS_CONFIG, Type.INT, 1, "The default number of log partitions per topic.");
        defineBroker(DEFAULT_REPLICATION_FACTOR_CONFIG, Type.INT, 1, "The replication factor for automatically "
                + "created topics, and for topics created with -1 as the replication factor.");
        defineBroker(AUTO_CREATE_TOPICS_ENABLE_CONFIG, Type.BOOLEAN, true, "Enable auto creation of topic on the server.");
        defineBroker(SOCKET_REQUEST_MAX_BYTES_CONFIG, Type.INT, 104_857_600, "The maximum number of bytes in a socket request.");
        for (String topicName : new TreeMap<>(SYNONYMS).keySet()) {
            ConfigKey topicKey = TOPIC_DEF.configKeys().get(topicName);
            List<BrokerSynonym> chain = SYNONYMS.get(topicName);
            for (int i = 0; i < chain.size(); i++) {
                BrokerSynonym synonym = chain.get(i);
                if (BROKER_DEF.configKeys().containsKey(synonym.name())) {
                    continue;
                }
                StringBuilder doc = new StringBuilder("The broker-wide default of the topic config ").append(topicName);
                if (synonym.toMillis() == HOUR_MS) {
                    doc.append(", in hours");
                } else if (synonym.toMillis() == MINUTE_MS) {
                    doc.append(", in minutes");
                }
                if (i > 0) {
                    List<String> before = chain.subList(0, i).stream().map(BrokerSynonym::name).toList();
                    doc.append("; used when ").append(String.join(" and ", before))
                            .append(before.size() == 1 ? " is" : " are").append(" not set");
                }
                doc.append(". ").append(topicKey.documentation);
                defineBroker(synonym.name(), synonym.type(), synonym.kafkaDefault(), doc.toString());
                BROKER_CHAINS.put(synonym.name(), chain.subList(i, chain.size()).stream().map(BrokerSynonym::name).toList());
            }
        }
    }

    private static void defineTopic(String name, Type type, Object defaultValue, Validator validator, String doc,
                                    String... brokerNames) {
        TOPIC_DEF.define(name, type, defaultValue, validator, Importance.MEDIUM, doc);
        Object parsedDefault = TOPIC_DEF.configKeys().get(name).defaultValue;
        List<BrokerSynonym> synonyms = new ArrayList<>();
        for (String brokerName : brokerNames) {
            synonyms.add(new BrokerSynonym(brokerName, type, parsedDefault, 1));
        }
        SYNONYMS.put(name, List.copyOf(synonyms));
    }

    private static void defineTopicChain(String name, Type type, Object defaultValue, Validator validator, String doc,
                                         BrokerSynonym... synonyms) {
        TOPIC_DEF.define(name, type, defaultValue, validator, Importance.MEDIUM, doc);
        SYNONYMS.put(name, List.of(synonyms));
    }

    private static void defineBroker(String name, Type type, Object defaultValue, String doc) {
        BROKER_DEF.define(name, type, defaultValue, Importance.HIGH, doc);
        BROKER_NAMES.add(name);
    }

    /** Kafka's validator of the throttled-replica lists: {@code *} or {@code partition:broker} pairs. */
    private enum ThrottledReplicas implements Validator {
        INSTANCE;

        private static final Pattern PAIR = Pattern.compile("[0-9]+:[0-9]+");

        @Override
        public void ensureValid(String name, Object value) {
            List<?> entries = (List<?>) value;
            boolean wildcard = entries.size() == 1 && "*".equals(String.valueOf(entries.get(0)).trim());
            boolean pairs = entries.stream().allMatch(entry -> PAIR.matcher(String.valueOf(entry).trim()).matches());
            if (!wildcard && !pairs) {
                throw new ConfigException(name, value, name + " must be the literal '*' or a list of replicas in the "
                        + "following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...");
            }
        }

        @Override
        public String toString() {
            return "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
        }
    }

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
    public Object parse(String name, String value) {
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
        Map<String, Object> parsed = new HashMap<>();
        if (configs == null) {
            return parsed;
        }
        configs.forEach((name, value) -> {
            ConfigKey key = TOPIC_DEF.configKeys().get(name);
            if (key == null) {
                throw unknown(name);
            }
            if (value == null) {
                throw new InvalidConfigurationException("Null value not supported for topic config " + name);
            }
            parsed.put(name, parseOrThrow(name, value, key.type, key.validator));
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
     * default, else Kafka's. Values are normalised strings (see {@link #parse} for typed ones).
     * A stored override that no longer parses, or whose name this version does not know, is
     * skipped with a warning rather than keeping the partition from opening; a bad broker default
     * throws, since it comes from the broker's own settings.
     */
    public Map<String, String> effective(Map<String, String> brokerDefaults, Map<String, String> topicOverrides) {
        Map<String, Object> broker = parseStrict(brokerDefaults);
        Map<String, Object> overrides = parseLenient(topicOverrides);
        Map<String, String> result = new TreeMap<>();
        for (ConfigKey key : TOPIC_DEF.configKeys().values()) {
            Object value = overrides.containsKey(key.name) ? overrides.get(key.name)
                    : broker.containsKey(key.name) ? broker.get(key.name) : key.defaultValue;
            result.put(key.name, ConfigDef.convertToString(value, key.type));
        }
        return Collections.unmodifiableMap(result);
    }

    private static Map<String, Object> parseLenient(Map<String, String> configs) {
        Map<String, Object> parsed = new HashMap<>();
        if (configs == null) {
            return parsed;
        }
        configs.forEach((name, value) -> {
            try {
                parsed.putAll(parseStrict(Collections.singletonMap(name, value)));
            } catch (InvalidConfigurationException e) {
                LOG.warnf("Ignoring the topic config override %s=%s: %s", name, value, e.getMessage());
            }
        });
        return parsed;
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
