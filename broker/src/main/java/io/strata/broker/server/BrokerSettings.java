package io.strata.broker.server;

import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.group.GroupConfig;
import io.strata.broker.protocol.RequestMetrics;
import io.strata.broker.tiering.TieringSettings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a broker needs to start, resolved from the configuration: plain values, so tests and tools
 * can start brokers without the application container.
 *
 * @param topicDefaults broker-wide overrides of topic config defaults, keyed by topic config name
 * @param raftPeers     the other metadata Raft members as {@code host:port}; empty on a single node
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

    /** A single broker on loopback with ports chosen by the OS; change what differs. */
    public static Builder builder(Path dataDir) {
        return new Builder(dataDir);
    }

    public static final class Builder {
        private int nodeId = 1;
        private final Path dataDir;
        private String kafkaHost = "127.0.0.1";
        private int kafkaPort;
        private Optional<String> advertisedHost = Optional.empty();
        private Optional<Integer> advertisedPort = Optional.empty();
        private int socketRequestMaxBytes = 104_857_600;
        private int ioThreads = Runtime.getRuntime().availableProcessors();
        private Map<String, String> topicDefaults = Map.of();
        private boolean autoCreateTopics;
        private int defaultPartitions = 1;
        private short defaultReplicationFactor = 1;
        private boolean fsyncBeforeAck;
        private Duration retentionCheckInterval = Duration.ofMinutes(5);
        private long localDiskLimitBytes = -1;
        private String raftHost = "127.0.0.1";
        private int raftPort;
        private List<String> raftPeers = List.of();
        private String rack;
        private GroupConfig groups = GroupConfig.DEFAULTS;
        private TieringSettings tiering = TieringSettings.DEFAULTS;
        private CleanerSettings cleaner = CleanerSettings.DEFAULTS;
        private RequestMetrics requestMetrics = RequestMetrics.NONE;

        private Builder(Path dataDir) {
            this.dataDir = dataDir;
        }

        public Builder nodeId(int value) {
            nodeId = value;
            return this;
        }

        public Builder kafkaHost(String value) {
            kafkaHost = value;
            return this;
        }

        public Builder kafkaPort(int value) {
            kafkaPort = value;
            return this;
        }

        public Builder advertisedHost(Optional<String> value) {
            advertisedHost = value;
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
            topicDefaults = Map.copyOf(value);
            return this;
        }

        public Builder autoCreateTopics(boolean value) {
            autoCreateTopics = value;
            return this;
        }

        public Builder defaultPartitions(int value) {
            defaultPartitions = value;
            return this;
        }

        public Builder defaultReplicationFactor(short value) {
            defaultReplicationFactor = value;
            return this;
        }

        /** The most bytes the local logs may hold before produce is refused; -1 for no limit. */
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

        public Builder raftHost(String value) {
            raftHost = value;
            return this;
        }

        public Builder raftPort(int value) {
            raftPort = value;
            return this;
        }

        public Builder raftPeers(List<String> value) {
            raftPeers = List.copyOf(value);
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

        public Builder requestMetrics(RequestMetrics value) {
            requestMetrics = value;
            return this;
        }

        public BrokerSettings build() {
            return new BrokerSettings(nodeId, dataDir, kafkaHost, kafkaPort, advertisedHost, advertisedPort,
                    socketRequestMaxBytes, ioThreads, topicDefaults, autoCreateTopics, defaultPartitions,
                    defaultReplicationFactor, fsyncBeforeAck, retentionCheckInterval, localDiskLimitBytes, raftHost,
                    raftPort, raftPeers, rack, groups, tiering, cleaner, requestMetrics);
        }
    }
}
