package io.strata.broker.server;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.strata.broker.config.Configuration;
import io.strata.broker.protocol.ListenerSettings;
import io.strata.broker.protocol.RequestMetrics;
import io.strata.broker.tiering.TieringSettings;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings given as environment variables become broker settings, and bad ones are named. */
class BrokerSettingsTest {

    private static BrokerSettings fromEnvironment(Map<String, String> env) {
        SmallRyeConfig config = Configuration.builder().withSources(new EnvConfigSource(env, 300)).build();
        return BrokerSettings.from(config, RequestMetrics.NONE);
    }

    @Test
    void environmentVariablesSetEverySetting() {
        BrokerSettings settings = fromEnvironment(Map.ofEntries(
                Map.entry("STRATA_NODE_ID", "7"),
                Map.entry("STRATA_DATA_DIR", "/var/lib/strata"),
                Map.entry("STRATA_RACK", "eu-west-1a"),
                Map.entry("STRATA_KAFKA_HOST", "0.0.0.0"),
                Map.entry("STRATA_KAFKA_PORT", "19092"),
                Map.entry("STRATA_ADVERTISED_HOST", "broker-7.example"),
                Map.entry("STRATA_ADVERTISED_PORT", "9093"),
                Map.entry("STRATA_LOG_RETENTION_MS", "3600000"),
                Map.entry("STRATA_LOG_CLEANUP_POLICY", "compact"),
                Map.entry("STRATA_TOPICS_AUTO_CREATE", "true"),
                Map.entry("STRATA_LOG_FSYNC_BEFORE_ACK", "true"),
                Map.entry("STRATA_GROUPS_INITIAL_REBALANCE_DELAY_MS", "0"),
                Map.entry("STRATA_GROUPS_OFFSETS_TOPIC_PARTITIONS", "10"),
                Map.entry("STRATA_TIERING_URL", "s3://bucket/cluster-7"),
                Map.entry("STRATA_TIERING_S3_PATH_STYLE", "true"),
                Map.entry("STRATA_TIERING_UPLOAD_INTERVAL", "30s"),
                Map.entry("STRATA_LOG_CLEANER_INTERVAL", "2m"),
                Map.entry("STRATA_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "134217728")));
        assertThat(settings.nodeId()).isEqualTo(7);
        assertThat(settings.dataDir()).isEqualTo(Path.of("/var/lib/strata"));
        assertThat(settings.rack()).isEqualTo("eu-west-1a");
        assertThat(settings.listeners().listeners()).containsExactly(new ListenerSettings("PLAINTEXT",
                SecurityProtocol.PLAINTEXT, "0.0.0.0", 19092, Optional.of("broker-7.example"), Optional.of(9093)));
        assertThat(settings.topicDefaults()).containsEntry("retention.ms", "3600000").containsEntry("cleanup.policy", "compact");
        assertThat(settings.autoCreateTopics()).isTrue();
        assertThat(settings.fsyncBeforeAck()).isTrue();
        assertThat(settings.groups().initialRebalanceDelayMs()).isZero();
        assertThat(settings.groups().offsetsTopicPartitions()).isEqualTo(10);
        assertThat(settings.tiering().storeUrl(settings.dataDir())).isEqualTo(URI.create("s3://bucket/cluster-7"));
        assertThat(settings.tiering().s3PathStyle()).isTrue();
        assertThat(settings.tiering().uploadInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.cleaner().interval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(settings.cleaner().dedupeBufferBytes()).isEqualTo(128L << 20);
    }

    @Test
    void cleanerDefaultsAndBounds() {
        BrokerSettings settings = fromEnvironment(Map.of());
        assertThat(settings.cleaner().interval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.cleaner().dedupeBufferBytes()).isEqualTo(32L << 20);
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_LOG_CLEANER_DEDUPE_BUFFER_SIZE", "1000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRATA_LOG_CLEANER_DEDUPE_BUFFER_SIZE");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_LOG_CLEANER_INTERVAL", "0s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRATA_LOG_CLEANER_INTERVAL");
    }

    @Test
    void remoteStorageCanBeEnabledForEveryTopic() {
        BrokerSettings settings = fromEnvironment(Map.of("STRATA_LOG_REMOTE_STORAGE_ENABLE", "true"));
        assertThat(settings.topicDefaults()).containsEntry("remote.storage.enable", "true");
    }

    @Test
    void defaultsMatchKafkasSingleNodeDefaults() {
        BrokerSettings settings = fromEnvironment(Map.of());
        assertThat(settings.listeners().listeners()).containsExactly(new ListenerSettings("PLAINTEXT",
                SecurityProtocol.PLAINTEXT, "127.0.0.1", 9092, Optional.empty(), Optional.empty()));
        assertThat(settings.listeners().interBrokerListener()).isEqualTo("PLAINTEXT");
        assertThat(settings.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(settings.rack()).isNull();
        assertThat(settings.topicDefaults()).isEmpty();
        assertThat(settings.autoCreateTopics()).isFalse();
        assertThat(settings.tiering().storeUrl(Path.of("/var/lib/strata")))
                .isEqualTo(URI.create("file:///var/lib/strata/tiered"));
        assertThat(settings.tiering().s3PathStyle()).isFalse();
        assertThat(settings.tiering().uploadInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void tieringHousekeepingAndS3TimeoutsAreSettings() {
        BrokerSettings defaults = fromEnvironment(Map.of());
        assertHousekeepingAndS3Timeouts(defaults.tiering(), Duration.ofMinutes(10), Duration.ofHours(1),
                Duration.ofMinutes(1), 16L << 20, Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(2));

        BrokerSettings settings = fromEnvironment(Map.of(
                "STRATA_TIERING_ORPHAN_GRACE_PERIOD", "30m",
                "STRATA_TIERING_ORPHAN_SWEEP_INTERVAL", "6h",
                "STRATA_TIERING_REMOVED_SEGMENT_DELETE_DELAY", "5m",
                "STRATA_TIERING_INDEX_CACHE_SIZE", "1048576",
                "STRATA_TIERING_S3_CONNECT_TIMEOUT", "1s",
                "STRATA_TIERING_S3_ATTEMPT_TIMEOUT", "10s",
                "STRATA_TIERING_S3_CALL_TIMEOUT", "1m"));
        assertHousekeepingAndS3Timeouts(settings.tiering(), Duration.ofMinutes(30), Duration.ofHours(6),
                Duration.ofMinutes(5), 1L << 20, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(1));

        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_TIERING_ORPHAN_GRACE_PERIOD", "0s")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRATA_TIERING_ORPHAN_GRACE_PERIOD");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_TIERING_S3_ATTEMPT_TIMEOUT", "5m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRATA_TIERING_S3_ATTEMPT_TIMEOUT").hasMessageContaining("STRATA_TIERING_S3_CALL_TIMEOUT");
    }

    private static void assertHousekeepingAndS3Timeouts(TieringSettings tiering, Duration orphanGracePeriod,
                                                        Duration sweepInterval, Duration removedSegmentDeleteDelay,
                                                        long indexCacheBytes, Duration s3ConnectTimeout,
                                                        Duration s3AttemptTimeout, Duration s3CallTimeout) {
        assertThat(tiering.orphanGracePeriod()).isEqualTo(orphanGracePeriod);
        assertThat(tiering.sweepInterval()).isEqualTo(sweepInterval);
        assertThat(tiering.removedSegmentDeleteDelay()).isEqualTo(removedSegmentDeleteDelay);
        assertThat(tiering.indexCacheBytes()).isEqualTo(indexCacheBytes);
        assertThat(tiering.s3ConnectTimeout()).isEqualTo(s3ConnectTimeout);
        assertThat(tiering.s3AttemptTimeout()).isEqualTo(s3AttemptTimeout);
        assertThat(tiering.s3CallTimeout()).isEqualTo(s3CallTimeout);
    }

    @Test
    void settingsOfADataDirectoryStartFromTheDeclaredDefaultsOnPortsTheSystemChooses() {
        Path dataDir = Path.of("/var/lib/strata");
        BrokerSettings built = BrokerSettings.of(dataDir, Map.of());

        assertThat(built).isEqualTo(fromEnvironment(Map.of("STRATA_DATA_DIR", dataDir.toString(),
                "STRATA_KAFKA_PORT", "0", "STRATA_RAFT_PORT", "0")));
        assertThat(built.groups().initialRebalanceDelayMs()).isEqualTo(3000);
        assertThat(built.tiering().uploadInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(BrokerSettings.of(dataDir, Map.of("strata.kafka.port", "9093")).listeners().first().port())
                .isEqualTo(9093);
    }

    @Test
    void anOverrideOutOfRangeIsNamedAsTheSetting() {
        assertThatThrownBy(() -> BrokerSettings.of(Path.of("data"), Map.of("strata.topics.default-partitions", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.topics.default-partitions (STRATA_TOPICS_DEFAULT_PARTITIONS)");
    }

    @Test
    void aMalformedRaftPeerIsNamedAsTheSetting() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_RAFT_PEERS", "2@broker-2:7800,x@y")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.raft.peers (STRATA_RAFT_PEERS)")
                .hasMessageContaining("nodeId@host:port, not 'x@y'");
    }

    @Test
    void offsetsRetentionDefaultsToKafkasAndIsSettable() {
        BrokerSettings defaults = fromEnvironment(Map.of());
        assertThat(defaults.groups().offsetsRetentionMs()).isEqualTo(Duration.ofDays(7).toMillis());
        assertThat(defaults.groups().offsetsRetentionCheckIntervalMs()).isEqualTo(Duration.ofMinutes(10).toMillis());
        BrokerSettings settings = fromEnvironment(Map.of(
                "STRATA_GROUPS_OFFSETS_RETENTION_MINUTES", "60",
                "STRATA_GROUPS_OFFSETS_RETENTION_CHECK_INTERVAL", "30s"));
        assertThat(settings.groups().offsetsRetentionMs()).isEqualTo(Duration.ofHours(1).toMillis());
        assertThat(settings.groups().offsetsRetentionCheckIntervalMs()).isEqualTo(30_000);
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_GROUPS_OFFSETS_RETENTION_MINUTES", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STRATA_GROUPS_OFFSETS_RETENTION_MINUTES");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_GROUPS_OFFSETS_RETENTION_CHECK_INTERVAL", "0s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRATA_GROUPS_OFFSETS_RETENTION_CHECK_INTERVAL");
    }

    @Test
    void anOutOfRangePortIsNamedWithItsAllowedValues() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_KAFKA_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRATA_KAFKA_PORT")
                .hasMessageContaining("0 to 65535");
    }

    @Test
    void anInvalidTopicDefaultIsNamedWithItsAllowedValues() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_LOG_CLEANUP_POLICY", "sometimes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRATA_LOG_")
                .hasMessageContaining("cleanup.policy")
                .hasMessageContaining("compact");
    }

    @Test
    void aNegativeNodeIdIsNamedAsTheSetting() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_NODE_ID", "-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.node-id (STRATA_NODE_ID) is -1; allowed values are 0 to");
    }

    @Test
    void raftPeersThatCannotFormAGroupWithThisNodeAreNamedAsTheSetting() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_NODE_ID", "2", "STRATA_RAFT_PEERS", "2@broker-2:7800")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.raft.peers (STRATA_RAFT_PEERS) is 2@broker-2:7800")
                .hasMessageContaining("STRATA_NODE_ID")
                .hasMessageContaining("duplicate node ids");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_RAFT_PORT", "0", "STRATA_RAFT_PEERS", "2@broker-2:7800")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.raft.peers (STRATA_RAFT_PEERS)")
                .hasMessageContaining("STRATA_RAFT_PORT")
                .hasMessageContaining("needs a fixed port");
        assertThat(fromEnvironment(Map.of("STRATA_RAFT_PEERS", "2@broker-2:7800,3@broker-3:7800")).raftMembers())
                .extracting(member -> member.nodeId()).containsExactly(1, 2, 3);
    }

    @Test
    void aBrokerThatDoesNotVoteHasTheVotersAsPeers() {
        Map<String, String> observer = Map.of("STRATA_NODE_ID", "4", "STRATA_RAFT_PORT", "7800",
                "STRATA_RAFT_VOTER", "false", "STRATA_RAFT_PEERS", "1@b1:7800,2@b2:7800,3@b3:7800");
        assertThat(fromEnvironment(observer).raftMembers()).extracting(member -> member.nodeId()).containsExactly(1, 2, 3);
        Map<String, String> namedAmongThem = new HashMap<>(observer);
        namedAmongThem.put("STRATA_RAFT_PEERS", "1@b1:7800,4@b4:7800");
        assertThatThrownBy(() -> fromEnvironment(namedAmongThem))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("STRATA_RAFT_PEERS").hasMessageContaining("STRATA_RAFT_VOTER");
        Map<String, String> noVoters = new HashMap<>(observer);
        noVoters.remove("STRATA_RAFT_PEERS");
        assertThatThrownBy(() -> fromEnvironment(noVoters))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs the voters");
    }

    @Test
    void negativeIoThreadsAreNamedRatherThanReadAsOnePerCore() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_KAFKA_IO_THREADS", "-2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.kafka.io-threads (STRATA_KAFKA_IO_THREADS) is -2; allowed values are 0 to");
        assertThat(fromEnvironment(Map.of("STRATA_KAFKA_IO_THREADS", "0")).ioThreads())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(fromEnvironment(Map.of("STRATA_KAFKA_IO_THREADS", "3")).ioThreads()).isEqualTo(3);
    }

    @Test
    void aTieringUrlNoStoreTakesIsNamedAsTheSetting() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_TIERING_URL", "gs://bucket/prefix")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.tiering.url (STRATA_TIERING_URL)")
                .hasMessageContaining("scheme 'gs' is not supported");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_TIERING_URL", "s3://bad%20bucket/prefix")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.tiering.url (STRATA_TIERING_URL)")
                .hasMessageContaining("bucket");
        assertThat(fromEnvironment(Map.of("STRATA_TIERING_URL", "s3://bucket/prefix")).tiering().url())
                .contains(URI.create("s3://bucket/prefix"));
    }

    @Test
    void s3TimeoutsUnderAMillisecondAreNamedAsTheSetting() {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_TIERING_S3_CONNECT_TIMEOUT", "PT0.0005S")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strata.tiering.s3-connect-timeout (STRATA_TIERING_S3_CONNECT_TIMEOUT) is PT0.0005S; "
                        + "it must be at least 1ms");
        assertThat(fromEnvironment(Map.of("STRATA_TIERING_S3_CONNECT_TIMEOUT", "1ms")).tiering().s3ConnectTimeout())
                .isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void theRaftSecretComesFromItsSettingOrItsFileAndIsNeverShown(@TempDir Path dir) throws Exception {
        String secret = "a raft secret of the cluster";
        assertThat(fromEnvironment(Map.of()).raftSecret()).isEmpty();
        BrokerSettings settings = fromEnvironment(Map.of("STRATA_RAFT_SECRET", secret));
        assertThat(settings.raftSecret()).isPresent();
        assertThat(settings.toString()).doesNotContain(secret);

        Path file = dir.resolve("raft-secret");
        Files.writeString(file, secret + "\n");
        assertThat(fromEnvironment(Map.of("STRATA_RAFT_SECRET_FILE", file.toString())).raftSecret()).isPresent();
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_RAFT_SECRET", secret,
                "STRATA_RAFT_SECRET_FILE", file.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("strata.raft.secret (STRATA_RAFT_SECRET) and strata.raft.secret-file (STRATA_RAFT_SECRET_FILE) "
                        + "are both set; set one of them");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_RAFT_SECRET_FILE", dir.resolve("none").toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("strata.raft.secret-file (STRATA_RAFT_SECRET_FILE) " + dir.resolve("none"));
    }

    @Test
    void aShortRaftSecretIsRefusedNamingItsSetting(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_RAFT_SECRET", "too-short")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("strata.raft.secret (STRATA_RAFT_SECRET): the Raft secret is shorter than 16 characters");
        // The file's content counts without the blanks around it.
        Path file = dir.resolve("raft-secret");
        Files.writeString(file, "   too-short        \n");
        assertThatThrownBy(() -> fromEnvironment(Map.of("STRATA_RAFT_SECRET_FILE", file.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("strata.raft.secret-file (STRATA_RAFT_SECRET_FILE): the Raft secret is shorter than 16 characters");
    }
}
