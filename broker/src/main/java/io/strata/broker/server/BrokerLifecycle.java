package io.strata.broker.server;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.config.StrataConfig;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.group.GroupConfig;
import io.strata.broker.protocol.RequestMetrics;
import io.strata.broker.tiering.TieringSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the broker with the application and stops it with the application, and turns the
 * configuration into {@link BrokerSettings}. The packaged application has checked the settings before
 * it started (see {@link StrataMain}); a start-up that skips that check, such as dev mode, is still
 * stopped here with one line naming a bad setting.
 */
@ApplicationScoped
public class BrokerLifecycle {

    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class);

    private final StrataConfig config;
    private final RequestMetrics requestMetrics;
    private volatile Broker broker;

    public BrokerLifecycle(StrataConfig config, RequestMetrics requestMetrics) {
        this.config = config;
        this.requestMetrics = requestMetrics;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            broker = Broker.start(settings(config, requestMetrics));
        } catch (IllegalArgumentException e) {
            LOG.errorf("Invalid setting, not starting: %s", e.getMessage());
            Quarkus.asyncExit(1);
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        Broker running = broker;
        if (running != null) {
            running.close();
        }
    }

    /** The running broker, or null before start-up finished. */
    public Broker broker() {
        return broker;
    }

    static BrokerSettings settings(StrataConfig config) {
        return settings(config, RequestMetrics.NONE);
    }

    static BrokerSettings settings(StrataConfig config, RequestMetrics requestMetrics) {
        requireRange("strata.kafka.port (STRATA_KAFKA_PORT)", config.kafka().port(), 0, 65535);
        requireRange("strata.raft.port (STRATA_RAFT_PORT)", config.raft().port(), 0, 65535);
        config.advertised().port().ifPresent(port ->
                requireRange("strata.advertised.port (STRATA_ADVERTISED_PORT)", port, 1, 65535));
        requireRange("strata.kafka.socket-request-max-bytes (STRATA_KAFKA_SOCKET_REQUEST_MAX_BYTES)",
                config.kafka().socketRequestMaxBytes(), 1024, Integer.MAX_VALUE - 4);
        requireRange("strata.topics.default-partitions (STRATA_TOPICS_DEFAULT_PARTITIONS)",
                config.topics().defaultPartitions(), 1, 100_000);
        requireRange("strata.topics.default-replication-factor (STRATA_TOPICS_DEFAULT_REPLICATION_FACTOR)",
                config.topics().defaultReplicationFactor(), 1, Short.MAX_VALUE);
        Map<String, String> topicDefaults = topicDefaults(config.log());
        try {
            new TopicConfigCatalog().validate(topicDefaults);
        } catch (InvalidConfigurationException e) {
            throw new IllegalArgumentException("a STRATA_LOG_* topic default is invalid: " + e.getMessage(), e);
        }
        StrataConfig.Groups groups = config.groups();
        requireRange("strata.groups.initial-rebalance-delay-ms (STRATA_GROUPS_INITIAL_REBALANCE_DELAY_MS)",
                groups.initialRebalanceDelayMs(), 0, Integer.MAX_VALUE);
        requireRange("strata.groups.min-session-timeout-ms (STRATA_GROUPS_MIN_SESSION_TIMEOUT_MS)",
                groups.minSessionTimeoutMs(), 1, Integer.MAX_VALUE);
        requireRange("strata.groups.max-session-timeout-ms (STRATA_GROUPS_MAX_SESSION_TIMEOUT_MS)",
                groups.maxSessionTimeoutMs(), groups.minSessionTimeoutMs(), Integer.MAX_VALUE);
        requireRange("strata.groups.offsets-topic-partitions (STRATA_GROUPS_OFFSETS_TOPIC_PARTITIONS)",
                groups.offsetsTopicPartitions(), 1, 100_000);
        requireRange("strata.groups.offset-metadata-max-bytes (STRATA_GROUPS_OFFSET_METADATA_MAX_BYTES)",
                groups.offsetMetadataMaxBytes(), 0, 1_000_000);
        int ioThreads = config.kafka().ioThreads() > 0 ? config.kafka().ioThreads()
                : Runtime.getRuntime().availableProcessors();
        return BrokerSettings.builder(config.dataDir())
                .nodeId(config.nodeId())
                .rack(config.rack().orElse(null))
                .kafkaHost(config.kafka().host())
                .kafkaPort(config.kafka().port())
                .advertisedHost(config.advertised().host())
                .advertisedPort(config.advertised().port())
                .socketRequestMaxBytes(config.kafka().socketRequestMaxBytes())
                .ioThreads(ioThreads)
                .topicDefaults(topicDefaults)
                .autoCreateTopics(config.topics().autoCreate())
                .defaultPartitions(config.topics().defaultPartitions())
                .defaultReplicationFactor(config.topics().defaultReplicationFactor())
                .fsyncBeforeAck(config.log().fsyncBeforeAck())
                .localDiskLimitBytes(config.log().localDiskLimit().map(BrokerLifecycle::diskLimit).orElse(-1L))
                .retentionCheckInterval(positive(config.log().retentionCheckInterval(),
                        "strata.log.retention-check-interval (STRATA_LOG_RETENTION_CHECK_INTERVAL)"))
                .raftHost(config.raft().host())
                .raftPort(config.raft().port())
                .raftPeers(config.raft().peers().orElse(List.of()))
                .groups(new GroupConfig(groups.initialRebalanceDelayMs(), groups.minSessionTimeoutMs(),
                        groups.maxSessionTimeoutMs(), groups.offsetsTopicPartitions(), groups.offsetMetadataMaxBytes(),
                        GroupConfig.DEFAULTS.newMemberJoinTimeoutMs()))
                .tiering(tiering(config.tiering()))
                .cleaner(cleaner(config.log()))
                .requestMetrics(requestMetrics)
                .build();
    }

    private static long diskLimit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("strata.log.local-disk-limit (STRATA_LOG_LOCAL_DISK_LIMIT) is " + bytes
                    + "; it must be a positive number of bytes, or unset for no limit");
        }
        return bytes;
    }

    private static Duration positive(Duration value, String name) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " is " + value + "; it must be positive");
        }
        return value;
    }

    private static TieringSettings tiering(StrataConfig.Tiering tiering) {
        TieringSettings.Builder settings = TieringSettings.builder()
                .s3PathStyle(tiering.s3PathStyle())
                .uploadInterval(tiering.uploadInterval())
                .chunkCache(tiering.chunkSize(), tiering.cacheSize())
                .indexCacheBytes(tiering.indexCacheSize())
                .orphanSweeps(tiering.orphanGracePeriod(), tiering.orphanSweepInterval())
                .removedSegmentDeleteDelay(tiering.removedSegmentDeleteDelay())
                .s3Timeouts(tiering.s3ConnectTimeout(), tiering.s3AttemptTimeout(), tiering.s3CallTimeout());
        tiering.url().ifPresent(settings::url);
        return settings.build();
    }

    private static CleanerSettings cleaner(StrataConfig.Log log) {
        if (log.cleanerInterval().isZero() || log.cleanerInterval().isNegative()) {
            throw new IllegalArgumentException("strata.log.cleaner-interval (STRATA_LOG_CLEANER_INTERVAL) is "
                    + log.cleanerInterval() + "; it must be positive");
        }
        requireRange("strata.log.cleaner-dedupe-buffer-size (STRATA_LOG_CLEANER_DEDUPE_BUFFER_SIZE)",
                log.cleanerDedupeBufferSize(), CleanerSettings.MIN_DEDUPE_BUFFER_BYTES,
                CleanerSettings.MAX_DEDUPE_BUFFER_BYTES);
        return new CleanerSettings(log.cleanerInterval(), log.cleanerDedupeBufferSize());
    }

    /** The broker-wide topic defaults, keyed by the topic config they set. */
    static Map<String, String> topicDefaults(StrataConfig.Log log) {
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

    private static void requireRange(String setting, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " is " + value + "; allowed values are " + min + " to " + max);
        }
    }
}
