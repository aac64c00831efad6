package io.strata.broker.server;

import io.smallrye.config.SmallRyeConfig;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.RaftSecret;
import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.config.AuthorizerConfig;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.Configuration;
import io.strata.broker.config.GroupsConfig;
import io.strata.broker.config.InterBrokerConfig;
import io.strata.broker.config.KafkaListenerConfig;
import io.strata.broker.config.LeadersConfig;
import io.strata.broker.config.LogDefaultsConfig;
import io.strata.broker.config.QuotasConfig;
import io.strata.broker.config.RaftConfig;
import io.strata.broker.config.ReplicaSelector;
import io.strata.broker.config.ReplicationConfig;
import io.strata.broker.config.SaslConfig;
import io.strata.broker.config.TieringConfig;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.config.TopicsConfig;
import io.strata.broker.config.TransactionsConfig;
import io.strata.broker.group.GroupConfig;
import io.strata.broker.protocol.BrokerListeners;
import io.strata.broker.protocol.InterBrokerSettings;
import io.strata.broker.protocol.ListenerSettings;
import io.strata.broker.protocol.RequestMetrics;
import io.strata.broker.protocol.TlsSettings;
import io.strata.broker.quota.QuotaSettings;
import io.strata.broker.security.AuthorizerSettings;
import io.strata.broker.security.SaslSettings;
import io.strata.broker.tiering.TieringSettings;
import io.strata.broker.txn.TransactionConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.strata.broker.config.SettingCheck.describe;
import static io.strata.broker.config.SettingCheck.requirePositive;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * What a broker needs to start, resolved from the configuration: plain values, so tests and tools
 * can start brokers without the application container ({@link #of}). Each value is checked here, once;
 * a bad one is named as the setting it comes from.
 * Immutable.
 *
 * @param listeners     the Kafka listeners: where each binds, what it advertises, its security protocol, and the one the
 *                      brokers reach each other on
 * @param topicDefaults broker-wide overrides of topic config defaults, keyed by topic config name
 * @param raftPeers     the other metadata Raft voters as {@code nodeId@host:port}; empty on a single node
 * @param raftVoter     whether this broker votes in the metadata Raft group, else every voter is a peer
 * @param raftSecret    the secret the members of the metadata Raft group share, if any; {@code toString} hides it
 * @param rack          the rack this broker registers and clients are told of; {@code null} for none
 * @param replicaLagTimeMax how long a follower may go without catching up before it leaves the in-sync replicas
 * @param replicaSelector   which replica leaders point consumers to
 * @param autoLeaderRebalance whether the controller gives partitions back to their preferred leaders
 * @param leaderImbalanceCheckInterval how often it looks for partitions to give back
 * @param groups        the group coordinator's settings
 * @param transactions  the transaction coordinator's settings
 * @param tiering       where and how often closed segments are tiered
 * @param cleaner       how often and with how much memory compacted topics are compacted
 * @param tls           the TLS of the listeners that run over it; present exactly when one does
 * @param sasl          how SASL authenticates, on the listeners that use it
 * @param authorizer    whether and how requests are authorized by the ACLs
 * @param quotas        how client quota rates are measured
 * @param interBroker   how this broker connects to the other brokers' inter-broker listener, in its security protocol
 * @param requestMetrics told of every Kafka request answered; {@link RequestMetrics#NONE} by default
 */
public record BrokerSettings(
        int nodeId,
        Path dataDir,
        BrokerListeners listeners,
        int socketRequestMaxBytes,
        int ioThreads,
        int maxConnectionsPerIp,
        int maxConnectionCreationRate,
        Duration connectionsMaxIdle,
        long queuedMaxRequestBytes,
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
        boolean raftVoter,
        Optional<RaftSecret> raftSecret,
        String rack,
        Duration replicaLagTimeMax,
        ReplicaSelector replicaSelector,
        boolean autoLeaderRebalance,
        Duration leaderImbalanceCheckInterval,
        GroupConfig groups,
        TransactionConfig transactions,
        TieringSettings tiering,
        CleanerSettings cleaner,
        Optional<TlsSettings> tls,
        SaslSettings sasl,
        AuthorizerSettings authorizer,
        QuotaSettings quotas,
        InterBrokerSettings interBroker,
        RequestMetrics requestMetrics) {

    /** {@link #localDiskLimitBytes()} when the local logs may grow without limit. */
    public static final long NO_DISK_LIMIT = -1;

    public BrokerSettings {
        requireRange("strata.node-id", nodeId, 0, Integer.MAX_VALUE);
        requireRange("strata.raft.port", raftPort, 0, 65535);
        requireRange("strata.kafka.socket-request-max-bytes", socketRequestMaxBytes, 1024, Integer.MAX_VALUE - 4);
        requireRange("strata.kafka.io-threads", ioThreads, 1, Integer.MAX_VALUE);
        requireRange("strata.kafka.max-connections-per-ip", maxConnectionsPerIp, 1, Integer.MAX_VALUE);
        requireRange("strata.kafka.max-connection-creation-rate", maxConnectionCreationRate, 1, Integer.MAX_VALUE);
        requirePositive("strata.kafka.connections-max-idle", connectionsMaxIdle);
        requireRange("strata.kafka.queued-max-request-bytes", queuedMaxRequestBytes, 1, Long.MAX_VALUE);
        requireRange("strata.topics.default-partitions", defaultPartitions, 1, 100_000);
        requireRange("strata.topics.default-replication-factor", defaultReplicationFactor, 1, Short.MAX_VALUE);
        requirePositive("strata.log.retention-check-interval", retentionCheckInterval);
        requirePositive("strata.replication.lag-time-max", replicaLagTimeMax);
        requirePositive("strata.leader.imbalance-check-interval", leaderImbalanceCheckInterval);
        if (localDiskLimitBytes != NO_DISK_LIMIT && localDiskLimitBytes <= 0) {
            throw new IllegalArgumentException(describe("strata.log.local-disk-limit") + " is " + localDiskLimitBytes
                    + "; it must be a positive number of bytes, or unset for no limit");
        }
        if (listeners.usesTls() != tls.isPresent()) {
            throw new IllegalArgumentException(tls.isPresent() ? "no listener runs over TLS, but TLS settings are given"
                    : "a listener runs over TLS, but no TLS settings are given");
        }
        ListenerSettings between = listeners.interBroker();
        if (!interBroker.listener().equals(between.name())
                || interBroker.securityProtocol() != between.securityProtocol()) {
            throw new IllegalArgumentException("the brokers speak " + interBroker.securityProtocol() + " to each other on "
                    + interBroker.listener() + ", but " + listeners.describeProtocol(between));
        }
        topicDefaults = Map.copyOf(topicDefaults);
        try {
            new TopicConfigCatalog().validate(topicDefaults);
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException("a STRATA_LOG_* topic default is invalid: " + e.getMessage(), e);
        }
        raftPeers = List.copyOf(raftPeers);
        try {
            RaftMetadataLog.Settings.requireGroup(nodeId, raftPort, raftMembers(nodeId, raftHost, raftPort, raftPeers,
                    raftVoter));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe("strata.raft.peers") + " is " + String.join(",", raftPeers)
                    + " with this node's " + describe("strata.node-id") + " " + nodeId + " and "
                    + describe("strata.raft.port") + " " + raftPort + ": " + e.getMessage(), e);
        }
        if (!raftVoter && raftMembers(nodeId, raftHost, raftPort, raftPeers, false).stream()
                .anyMatch(member -> member.nodeId() == nodeId)) {
            throw new IllegalArgumentException(describe("strata.raft.peers") + " names this node, " + nodeId
                    + ", which " + describe("strata.raft.voter") + " false keeps out of the voters");
        }
    }

    /** The voters of the metadata Raft group: this broker first if it votes, then its peers. */
    public List<RaftMetadataLog.Member> raftMembers() {
        return raftMembers(nodeId, raftHost, raftPort, raftPeers, raftVoter);
    }

    private static List<RaftMetadataLog.Member> raftMembers(int nodeId, String raftHost, int raftPort,
                                                            List<String> raftPeers, boolean voter) {
        List<RaftMetadataLog.Member> members = new ArrayList<>();
        if (voter) {
            members.add(new RaftMetadataLog.Member(nodeId, raftHost, raftPort));
        }
        raftPeers.forEach(peer -> members.add(RaftMetadataLog.Member.parse(peer)));
        return members;
    }

    /** The settings the configuration gives; {@code requestMetrics} is told of every Kafka request. */
    public static BrokerSettings from(SmallRyeConfig config, RequestMetrics requestMetrics) {
        return from(config.getConfigMapping(BrokerConfig.class), config.getConfigMapping(KafkaListenerConfig.class),
                config.getConfigMapping(LogDefaultsConfig.class), config.getConfigMapping(TopicsConfig.class),
                config.getConfigMapping(RaftConfig.class), config.getConfigMapping(GroupsConfig.class),
                config.getConfigMapping(TransactionsConfig.class),
                config.getConfigMapping(TieringConfig.class), config.getConfigMapping(ReplicationConfig.class),
                config.getConfigMapping(LeadersConfig.class), config.getConfigMapping(SaslConfig.class),
                config.getConfigMapping(AuthorizerConfig.class), config.getConfigMapping(QuotasConfig.class),
                config.getConfigMapping(InterBrokerConfig.class),
                requestMetrics);
    }

    private static BrokerSettings from(BrokerConfig broker, KafkaListenerConfig kafka, LogDefaultsConfig log,
                                      TopicsConfig topics, RaftConfig raft, GroupsConfig groups,
                                      TransactionsConfig transactions, TieringConfig tiering,
                                      ReplicationConfig replication, LeadersConfig leaders, SaslConfig sasl,
                                      AuthorizerConfig authorizer, QuotasConfig quotas, InterBrokerConfig interBroker,
                                      RequestMetrics requestMetrics) {
        BrokerListeners listeners = BrokerListeners.from(kafka, broker.advertised());
        Optional<TlsSettings> tls = TlsSettings.from(listeners, kafka.tls());
        SaslSettings saslSettings = SaslSettings.from(sasl);
        return new BrokerSettings(broker.nodeId(), broker.dataDir(), listeners, kafka.socketRequestMaxBytes(),
                ioThreads(kafka), kafka.maxConnectionsPerIp(), kafka.maxConnectionCreationRate(),
                kafka.connectionsMaxIdle(), kafka.queuedMaxRequestBytes(),
                topicDefaults(log), topics.autoCreate(), topics.defaultPartitions(), topics.defaultReplicationFactor(),
                log.fsyncBeforeAck(), log.retentionCheckInterval(), log.localDiskLimit().orElse(NO_DISK_LIMIT),
                raft.host(), raft.port(), raft.peers().orElse(List.of()), raft.voter(), RaftSecret.from(raft),
                broker.rack().orElse(null),
                replication.lagTimeMax(), replication.replicaSelector(), leaders.autoRebalanceEnable(), leaders.imbalanceCheckInterval(),
                GroupConfig.from(groups), TransactionConfig.from(transactions), TieringSettings.from(tiering),
                CleanerSettings.from(log), tls, saslSettings, AuthorizerSettings.from(authorizer),
                QuotaSettings.from(quotas), InterBrokerSettings.from(interBroker, listeners, saslSettings, tls),
                requestMetrics);
    }

    /**
     * A single broker from its configuration keys, as in {@code application.properties}: the declared
     * defaults (loopback), in {@code dataDir} on ports the OS chooses, and then {@code overrides}.
     * Requests are not counted ({@link RequestMetrics#NONE}).
     */
    public static BrokerSettings of(Path dataDir, Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>(Map.of("strata.data-dir", dataDir.toString(),
                "strata.kafka.port", "0", "strata.raft.port", "0"));
        config.putAll(overrides);
        return from(Configuration.of(config), RequestMetrics.NONE);
    }

    /** These settings with another group coordinator config, for what its configuration keys cannot say. */
    public BrokerSettings withGroups(GroupConfig value) {
        return with(value, tiering);
    }

    /** These settings with other tiering settings, for what its configuration keys cannot say. */
    public BrokerSettings withTiering(TieringSettings value) {
        return with(groups, value);
    }

    private BrokerSettings with(GroupConfig groups, TieringSettings tiering) {
        return new BrokerSettings(nodeId, dataDir, listeners, socketRequestMaxBytes, ioThreads, maxConnectionsPerIp,
                maxConnectionCreationRate, connectionsMaxIdle, queuedMaxRequestBytes, topicDefaults, autoCreateTopics, defaultPartitions,
                defaultReplicationFactor, fsyncBeforeAck, retentionCheckInterval, localDiskLimitBytes, raftHost, raftPort,
                raftPeers, raftVoter, raftSecret, rack, replicaLagTimeMax, replicaSelector, autoLeaderRebalance, leaderImbalanceCheckInterval, groups, transactions,
                tiering, cleaner, tls, sasl, authorizer, quotas, interBroker, requestMetrics);
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
}
