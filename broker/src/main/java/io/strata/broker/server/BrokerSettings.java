package io.strata.broker.server;

import io.smallrye.config.SmallRyeConfig;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.Configuration;
import io.strata.broker.config.GroupsConfig;
import io.strata.broker.config.KafkaListenerConfig;
import io.strata.broker.config.LogDefaultsConfig;
import io.strata.broker.config.RaftConfig;
import io.strata.broker.config.TieringConfig;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.config.TopicsConfig;
import io.strata.broker.group.GroupConfig;
import io.strata.broker.protocol.RequestMetrics;
import io.strata.broker.tiering.TieringSettings;
import org.apache.kafka.common.errors.InvalidConfigurationException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;
import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * What a broker needs to start, resolved from the configuration: plain values, so tests and tools
 * can start brokers without the application container. Each value is checked here, once, whether it
 * came from the configuration or from a builder; a bad one is named as the setting it comes from.
 * Immutable.
 *
 * @param topicDefaults broker-wide overrides of topic config defaults, keyed by topic config name
 * @param raftPeers     the other metadata Raft members as {@code nodeId@host:port}; empty on a single node
 * @param rack          the rack this broker registers and clients are told of; {@code null} for none
 * @param groups        the group coordinator's settings
 * @param tiering       where and how often closed segments are tiered
 * @param cleaner       how often and with how much memory compacted topics are compacted
 * @param requestMetrics told of every Kafka request answered; {@link RequestMetrics#NONE} by default
 */
public record BrokerSettings(
        int nodeId,
        Path dataDir,
        String kafkaHost,
        int kafkaPort,
        Optional<String> advertisedHost,
        Optional<Integer> advertisedPort,
        int socketRequestMaxBytes,
        int ioThreads,
        Map<String, String> topicDefaults,
        boolean autoCreateTopics,
        int defaultPartitions,
        short defaultReplicationFactor,
        boolean fsyncBeforeAck,
        Duration retentionCheckInterval,
        long localDiskLimitBytes,
        String raftHost,
        int raftPort,
        List<String> raftPeers,
        String rack,
        GroupConfig groups,
        TieringSettings tiering,
        CleanerSettings cleaner,
        RequestMetrics requestMetrics) {

    /** {@link #localDiskLimitBytes()} when the local logs may grow without limit. */
    public static final long NO_DISK_LIMIT = -1;

    public BrokerSettings {
        requireRange("strata.node-id", nodeId, 0, Integer.MAX_VALUE);
        requireRange("strata.kafka.port", kafkaPort, 0, 65535);
        requireRange("strata.raft.port", raftPort, 0, 65535);
        advertisedPort.ifPresent(port -> requireRange("strata.advertised.port", port, 1, 65535));
        requireRange("strata.kafka.socket-request-max-bytes", socketRequestMaxBytes, 1024, Integer.MAX_VALUE - 4);
        requireRange("strata.kafka.io-threads", ioThreads, 1, Integer.MAX_VALUE);
        requireRange("strata.topics.default-partitions", defaultPartitions, 1, 100_000);
        requireRange("strata.topics.default-replication-factor", defaultReplicationFactor, 1, Short.MAX_VALUE);
        requirePositive("strata.log.retention-check-interval", retentionCheckInterval);
        if (localDiskLimitBytes != NO_DISK_LIMIT && localDiskLimitBytes <= 0) {
            throw new IllegalArgumentException(describe("strata.log.local-disk-limit") + " is " + localDiskLimitBytes
                    + "; it must be a positive number of bytes, or unset for no limit");
        }
        topicDefaults = Map.copyOf(topicDefaults);
        try {
            new TopicConfigCatalog().validate(topicDefaults);
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException("a STRATA_LOG_* topic default is invalid: " + e.getMessage(), e);
        }
        raftPeers = List.copyOf(raftPeers);
        try {
            RaftMetadataLog.Settings.requireGroup(nodeId, raftPort, raftMembers(nodeId, raftHost, raftPort, raftPeers));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe("strata.raft.peers") + " is " + String.join(",", raftPeers)
                    + " with this node's " + describe("strata.node-id") + " " + nodeId + " and "
                    + describe("strata.raft.port") + " " + raftPort + ": " + e.getMessage(), e);
        }
    }

    /** Every member of the metadata Raft group: this broker first, then its peers. */
    public List<RaftMetadataLog.Member> raftMembers() {
        return raftMembers(nodeId, raftHost, raftPort, raftPeers);
    }

    private static List<RaftMetadataLog.Member> raftMembers(int nodeId, String raftHost, int raftPort,
                                                            List<String> raftPeers) {
        List<RaftMetadataLog.Member> members = new ArrayList<>();
        members.add(new RaftMetadataLog.Member(nodeId, raftHost, raftPort));
        raftPeers.forEach(peer -> members.add(RaftMetadataLog.Member.parse(peer)));
        return members;
    }

    /** The settings the configuration gives; {@code requestMetrics} is told of every Kafka request. */
    public static BrokerSettings from(SmallRyeConfig config, RequestMetrics requestMetrics) {
        return from(config.getConfigMapping(BrokerConfig.class), config.getConfigMapping(KafkaListenerConfig.class),
                config.getConfigMapping(LogDefaultsConfig.class), config.getConfigMapping(TopicsConfig.class),
                config.getConfigMapping(RaftConfig.class), config.getConfigMapping(GroupsConfig.class),
                config.getConfigMapping(TieringConfig.class), requestMetrics);
    }

    /** The settings these mappings give; {@code requestMetrics} is told of every Kafka request. */
    public static BrokerSettings from(BrokerConfig broker, KafkaListenerConfig kafka, LogDefaultsConfig log,
                                      TopicsConfig topics, RaftConfig raft, GroupsConfig groups, TieringConfig tiering,
                                      RequestMetrics requestMetrics) {
        return new BrokerSettings(broker.nodeId(), broker.dataDir(), kafka.host(), kafka.port(),
                broker.advertised().host(), broker.advertised().port(), kafka.socketRequestMaxBytes(),
                ioThreads(kafka),
                topicDefaults(log), topics.autoCreate(), topics.defaultPartitions(), topics.defaultReplicationFactor(),
                log.fsyncBeforeAck(), log.retentionCheckInterval(), log.localDiskLimit().orElse(NO_DISK_LIMIT),
                raft.host(), raft.port(), raft.peers().orElse(List.of()), broker.rack().orElse(null),
                GroupConfig.from(groups), TieringSettings.from(tiering), CleanerSettings.from(log), requestMetrics);
    }

    /**
     * A single broker on loopback with ports chosen by the OS, and otherwise the declared defaults;
     * change what differs.
     */
    public static Builder builder(Path dataDir) {
        return from(Configuration.defaults(), RequestMetrics.NONE).toBuilder()
                .dataDir(dataDir)
                .kafkaPort(0)
                .raftPort(0);
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The configured event loops, where 0 stands for one per core. */
    private static int ioThreads(KafkaListenerConfig kafka) {
        int configured = (int) requireRange("strata.kafka.io-threads", kafka.ioThreads(), 0, Integer.MAX_VALUE);
        return configured == 0 ? Runtime.getRuntime().availableProcessors() : configured;
    }

    /** The broker-wide topic defaults, keyed by the topic config they set. */
    private static Map<String, String> topicDefaults(LogDefaultsConfig log) {
        Map<String, String> defaults = new LinkedHashMap<>();
        put(defaults, "retention.ms", log.retentionMs());
        put(defaults, "retention.bytes", log.retentionBytes());
        put(defaults, "segment.bytes", log.segmentBytes());
        put(defaults, "segment.ms", log.segmentMs());
        put(defaults, "cleanup.policy", log.cleanupPolicy());
        put(defaults, "max.message.bytes", log.maxMessageBytes());
        put(defaults, "message.timestamp.type", log.messageTimestampType());
        put(defaults, "flush.messages", log.flushMessages());
        put(defaults, "flush.ms", log.flushMs());
        put(defaults, "min.insync.replicas", log.minInsyncReplicas());
        put(defaults, "compression.type", log.compressionType());
        put(defaults, "remote.storage.enable", log.remoteStorageEnable());
        put(defaults, "local.retention.ms", log.localRetentionMs());
        put(defaults, "local.retention.bytes", log.localRetentionBytes());
        return defaults;
    }

    private static void put(Map<String, String> defaults, String name, Optional<?> value) {
        value.ifPresent(v -> defaults.put(name, v.toString()));
    }

    /** Collects settings; not thread-safe. What no setter changes stays as in the settings it started from. */
    public static final class Builder {
        private final BrokerSettings from;
        private Path dataDir;
        private int kafkaPort;
        private Optional<Integer> advertisedPort;
        private int socketRequestMaxBytes;
        private int ioThreads;
        private Map<String, String> topicDefaults;
        private int defaultPartitions;
        private boolean fsyncBeforeAck;
        private Duration retentionCheckInterval;
        private long localDiskLimitBytes;
        private int raftPort;
        private String rack;
        private GroupConfig groups;
        private TieringSettings tiering;
        private CleanerSettings cleaner;

        private Builder(BrokerSettings from) {
            this.from = from;
            dataDir = from.dataDir;
            kafkaPort = from.kafkaPort;
            advertisedPort = from.advertisedPort;
            socketRequestMaxBytes = from.socketRequestMaxBytes;
            ioThreads = from.ioThreads;
            topicDefaults = from.topicDefaults;
            defaultPartitions = from.defaultPartitions;
            fsyncBeforeAck = from.fsyncBeforeAck;
            retentionCheckInterval = from.retentionCheckInterval;
            localDiskLimitBytes = from.localDiskLimitBytes;
            raftPort = from.raftPort;
            rack = from.rack;
            groups = from.groups;
            tiering = from.tiering;
            cleaner = from.cleaner;
        }

        public Builder dataDir(Path value) {
            dataDir = value;
            return this;
        }

        public Builder kafkaPort(int value) {
            kafkaPort = value;
            return this;
        }

        public Builder advertisedPort(Optional<Integer> value) {
            advertisedPort = value;
            return this;
        }

        public Builder socketRequestMaxBytes(int value) {
            socketRequestMaxBytes = value;
            return this;
        }

        public Builder ioThreads(int value) {
            ioThreads = value;
            return this;
        }

        public Builder topicDefaults(Map<String, String> value) {
            topicDefaults = value;
            return this;
        }

        public Builder defaultPartitions(int value) {
            defaultPartitions = value;
            return this;
        }

        /** The most bytes the local logs may hold before produce is refused; {@link #NO_DISK_LIMIT} for none. */
        public Builder localDiskLimitBytes(long value) {
            localDiskLimitBytes = value;
            return this;
        }

        public Builder retentionCheckInterval(Duration value) {
            retentionCheckInterval = value;
            return this;
        }

        public Builder fsyncBeforeAck(boolean value) {
            fsyncBeforeAck = value;
            return this;
        }

        public Builder raftPort(int value) {
            raftPort = value;
            return this;
        }

        public Builder rack(String value) {
            rack = value;
            return this;
        }

        public Builder groups(GroupConfig value) {
            groups = value;
            return this;
        }

        public Builder tiering(TieringSettings value) {
            tiering = value;
            return this;
        }

        public Builder cleaner(CleanerSettings value) {
            cleaner = value;
            return this;
        }

        public BrokerSettings build() {
            return new BrokerSettings(from.nodeId, dataDir, from.kafkaHost, kafkaPort, from.advertisedHost,
                    advertisedPort, socketRequestMaxBytes, ioThreads, topicDefaults, from.autoCreateTopics,
                    defaultPartitions, from.defaultReplicationFactor, fsyncBeforeAck, retentionCheckInterval,
                    localDiskLimitBytes, from.raftHost, raftPort, from.raftPeers, rack, groups, tiering, cleaner,
                    from.requestMetrics);
        }
    }
}
