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
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.Records;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Kafka 4.1's definitions of every topic config (type, default, validator, documentation) and of the
 * broker configs that set their defaults, with the precedence among those synonyms: the table that
 * {@link TopicConfigCatalog} answers from. Built once, when the class loads; read-only after that, so
 * safe to share between threads.
 */
final class TopicConfigDefinitions {

    private TopicConfigDefinitions() {
    }

    private static final long MINUTE_MS = 60_000L;
    private static final long HOUR_MS = 60 * MINUTE_MS;

    /** A broker config that sets a topic config's default; {@code toMillis} converts hours or minutes. */
    record BrokerSynonym(String name, Type type, Object kafkaDefault, long toMillis) {
    }

    static final ConfigDef TOPIC_DEF = new ConfigDef();
    /** Topic config name to its broker synonyms, highest precedence first (as Kafka lists them). */
    static final Map<String, List<BrokerSynonym>> SYNONYMS = new HashMap<>();
    static final ConfigDef BROKER_DEF = new ConfigDef();
    /** Broker config names in the order a BROKER resource is described. */
    static final List<String> BROKER_NAMES = new ArrayList<>();
    /** Broker config name to itself and the lower-precedence synonyms that stand in when it is unset. */
    static final Map<String, List<String>> BROKER_CHAINS = new HashMap<>();

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
        defineTopic(TopicConfigCatalog.FOLLOWER_REPLICATION_THROTTLED_REPLICAS_CONFIG, Type.LIST, "", ThrottledReplicas.INSTANCE,
                "A list of replicas for which log replication should be throttled on the follower side. The list "
                        + "should describe a set of replicas in the form [PartitionId]:[BrokerId],[PartitionId]:[BrokerId]:... "
                        + "or alternatively the wildcard '*' can be used to throttle all replicas for this topic.");
        defineTopic(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, Type.INT, 4096, Range.atLeast(0),
                TopicConfig.INDEX_INTERVAL_BYTES_DOC, "log.index.interval.bytes");
        defineTopic(TopicConfigCatalog.LEADER_REPLICATION_THROTTLED_REPLICAS_CONFIG, Type.LIST, "", ThrottledReplicas.INSTANCE,
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
        defineTopic(TopicConfig.SEGMENT_BYTES_CONFIG, Type.INT, 1024 * 1024 * 1024, Range.atLeast(TopicConfigCatalog.MIN_SEGMENT_BYTES),
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

        defineBroker(TopicConfigCatalog.NODE_ID_CONFIG, Type.INT, null, "The node id of this broker; the same as broker.id.");
        defineBroker(TopicConfigCatalog.BROKER_ID_CONFIG, Type.INT, -1, "The broker id for this server.");
        defineBroker(TopicConfigCatalog.LOG_DIRS_CONFIG, Type.STRING, null,
                "A comma-separated list of the directories where the log data is stored.");
        defineBroker(TopicConfigCatalog.NUM_PARTITIONS_CONFIG, Type.INT, 1, "The default number of log partitions per topic.");
        defineBroker(TopicConfigCatalog.DEFAULT_REPLICATION_FACTOR_CONFIG, Type.INT, 1, "The replication factor for automatically "
                + "created topics, and for topics created with -1 as the replication factor.");
        defineBroker(TopicConfigCatalog.AUTO_CREATE_TOPICS_ENABLE_CONFIG, Type.BOOLEAN, true, "Enable auto creation of topic on the server.");
        defineBroker(TopicConfigCatalog.SOCKET_REQUEST_MAX_BYTES_CONFIG, Type.INT, 104_857_600, "The maximum number of bytes in a socket request.");
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
}
