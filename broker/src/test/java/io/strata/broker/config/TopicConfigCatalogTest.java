package io.strata.broker.config;

import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicConfigCatalogTest {

    private final TopicConfigCatalog catalog = new TopicConfigCatalog();

    @Test
    void knowsEveryKafka41TopicConfig() {
        assertThat(catalog.names()).containsExactlyInAnyOrder(
                "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
                "compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms",
                "follower.replication.throttled.replicas", "index.interval.bytes", "leader.replication.throttled.replicas",
                "local.retention.bytes", "local.retention.ms", "max.compaction.lag.ms", "max.message.bytes",
                "message.timestamp.after.max.ms", "message.timestamp.before.max.ms", "message.timestamp.type",
                "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
                "remote.log.copy.disable", "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes",
                "retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
                "unclean.leader.election.enable");
        assertThat(catalog.isKnown(TopicConfig.RETENTION_MS_CONFIG)).isTrue();
        // Removed from the broker in Kafka 4.0.
        assertThat(catalog.isKnown("message.format.version")).isFalse();
        assertThat(catalog.isKnown("message.downconversion.enable")).isFalse();
    }

    @Test
    void effectiveWithoutOverridesIsKafkasDefaults() {
        Map<String, String> effective = catalog.effective(Map.of(), Map.of());
        assertThat(effective).hasSize(catalog.names().size());
        assertThat(effective).containsEntry("retention.ms", "604800000")
                .containsEntry("retention.bytes", "-1")
                .containsEntry("segment.bytes", "1073741824")
                .containsEntry("segment.ms", "604800000")
                .containsEntry("segment.index.bytes", "10485760")
                .containsEntry("segment.jitter.ms", "0")
                .containsEntry("cleanup.policy", "delete")
                .containsEntry("max.message.bytes", "1048588")
                .containsEntry("message.timestamp.type", "CreateTime")
                .containsEntry("message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE))
                .containsEntry("message.timestamp.after.max.ms", "3600000")
                .containsEntry("compression.type", "producer")
                .containsEntry("compression.gzip.level", "-1")
                .containsEntry("compression.lz4.level", "9")
                .containsEntry("compression.zstd.level", "3")
                .containsEntry("min.insync.replicas", "1")
                .containsEntry("min.cleanable.dirty.ratio", "0.5")
                .containsEntry("delete.retention.ms", "86400000")
                .containsEntry("file.delete.delay.ms", "60000")
                .containsEntry("flush.messages", String.valueOf(Long.MAX_VALUE))
                .containsEntry("flush.ms", String.valueOf(Long.MAX_VALUE))
                .containsEntry("index.interval.bytes", "4096")
                .containsEntry("local.retention.ms", "-2")
                .containsEntry("local.retention.bytes", "-2")
                .containsEntry("max.compaction.lag.ms", String.valueOf(Long.MAX_VALUE))
                .containsEntry("min.compaction.lag.ms", "0")
                .containsEntry("preallocate", "false")
                .containsEntry("remote.storage.enable", "false")
                .containsEntry("unclean.leader.election.enable", "false")
                .containsEntry("leader.replication.throttled.replicas", "");
        assertThat(catalog.kafkaDefault("retention.ms")).isEqualTo("604800000");
    }

    @Test
    void topicOverrideBeatsBrokerDefaultBeatsKafkaDefault() {
        Map<String, String> effective = catalog.effective(
                Map.of("retention.ms", "1000", "segment.bytes", "4096"),
                Map.of("segment.bytes", "2048"));
        assertThat(effective).containsEntry("retention.ms", "1000")
                .containsEntry("segment.bytes", "2048")
                .containsEntry("cleanup.policy", "delete");
    }

    @Test
    void effectiveSkipsAStoredOverrideThatNoLongerValidatesButRejectsABadBrokerDefault() {
        Map<String, String> effective = catalog.effective(Map.of(),
                Map.of("segment.bytes", "10", "retired.config", "x", "retention.ms", "5"));
        assertThat(effective).containsEntry("segment.bytes", "1073741824").containsEntry("retention.ms", "5")
                .doesNotContainKey("retired.config");
        assertThatThrownBy(() -> catalog.effective(Map.of("segment.bytes", "10"), Map.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("segment.bytes");
    }

    @Test
    void validateNormalisesValues() {
        Map<String, String> valid = catalog.validate(Map.of(
                "cleanup.policy", " compact , delete ",
                "preallocate", "TRUE",
                "retention.ms", " 100 ",
                "min.cleanable.dirty.ratio", "0.25",
                "leader.replication.throttled.replicas", "0:1, 1:2"));
        assertThat(valid).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                "cleanup.policy", "compact,delete",
                "preallocate", "true",
                "retention.ms", "100",
                "min.cleanable.dirty.ratio", "0.25",
                "leader.replication.throttled.replicas", "0:1,1:2")));
        assertThat(catalog.validate(Map.of())).isEmpty();
        assertThat(catalog.validate(Map.of("follower.replication.throttled.replicas", "*")))
                .containsEntry("follower.replication.throttled.replicas", "*");
    }

    @Test
    void segmentBytesAcceptsStratasSmallerMinimum() {
        assertThat(catalog.validate(Map.of("segment.bytes", "1024"))).containsEntry("segment.bytes", "1024");
        assertThat(catalog.validate(Map.of("segment.bytes", "1048576"))).containsEntry("segment.bytes", "1048576");
        assertThatThrownBy(() -> catalog.validate(Map.of("segment.bytes", "1023")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("segment.bytes")
                .hasMessageContaining("1023")
                .hasMessageContaining("at least 1024");
    }

    @Test
    void badValuesNameTheConfigTheValueAndTheValidValues() {
        assertInvalid(Map.of("cleanup.policy", "forever"), "cleanup.policy", "forever", "compact, delete");
        assertInvalid(Map.of("message.timestamp.type", "WallClock"), "message.timestamp.type", "WallClock",
                "CreateTime, LogAppendTime");
        assertInvalid(Map.of("compression.type", "brotli"), "compression.type", "brotli",
                "uncompressed, zstd, lz4, snappy, gzip, producer");
        assertInvalid(Map.of("retention.ms", "soon"), "retention.ms", "soon", "[-1,...]");
        assertInvalid(Map.of("retention.ms", "-5"), "retention.ms", "-5", "[-1,...]");
        assertInvalid(Map.of("preallocate", "yes"), "preallocate", "yes", "true or false");
        assertInvalid(Map.of("compression.gzip.level", "12"), "compression.gzip.level", "12", "[1,...,9] or -1");
        assertInvalid(Map.of("compression.zstd.level", "23"), "compression.zstd.level", "23", "22");
        assertInvalid(Map.of("min.cleanable.dirty.ratio", "1.5"), "min.cleanable.dirty.ratio", "1.5", "[0,...,1]");
        assertInvalid(Map.of("min.insync.replicas", "0"), "min.insync.replicas", "0", "[1,...]");
        assertInvalid(Map.of("leader.replication.throttled.replicas", "0-1"), "leader.replication.throttled.replicas",
                "0-1", "[partitionId]:[brokerId]");
    }

    private void assertInvalid(Map<String, String> overrides, String name, String value, String valid) {
        assertThatThrownBy(() -> catalog.validate(overrides))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(name)
                .hasMessageContaining(value)
                .hasMessageContaining(valid);
    }

    @Test
    void unknownNamesAndNullValuesAreRejected() {
        assertThatThrownBy(() -> catalog.validate(Map.of("retention.days", "7")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("Unknown topic config name: retention.days");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("retention.ms", null);
        assertThatThrownBy(() -> catalog.validate(withNull))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> catalog.validate(Map.of("message.downconversion.enable", "true")))
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void tieredTopicsMayBeCompactedUnlikeInKafka() {
        assertThat(catalog.validate(Map.of("remote.storage.enable", "true", "cleanup.policy", "compact")))
                .containsEntry("cleanup.policy", "compact");
    }

    @Test
    void combinationsKafkaRejectsAreRejected() {
        assertThatThrownBy(() -> catalog.validate(Map.of("min.compaction.lag.ms", "10", "max.compaction.lag.ms", "5")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("min.compaction.lag.ms (10) > max.compaction.lag.ms (5)");
        assertThatThrownBy(() -> catalog.validate(Map.of("remote.storage.enable", "true",
                "retention.ms", "1000", "local.retention.ms", "2000")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("local.retention.ms");
        // Checked against the broker's defaults when given.
        assertThatThrownBy(() -> catalog.validate(Map.of("retention.ms", "1000"),
                Map.of("remote.storage.enable", "true", "local.retention.ms", "2000")))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThat(catalog.validate(Map.of("remote.storage.enable", "true", "retention.ms", "3000",
                "local.retention.ms", "2000"))).containsEntry("remote.storage.enable", "true");
    }

    @Test
    void describeReportsValuesSourcesAndTypes() {
        Map<String, ConfigEntry> entries = byName(catalog.describe(
                Map.of("retention.ms", "1000"), Map.of("segment.bytes", "2048"), false));
        assertThat(entries).hasSize(catalog.names().size());

        ConfigEntry segmentBytes = entries.get("segment.bytes");
        assertThat(segmentBytes.value()).isEqualTo("2048");
        assertThat(segmentBytes.source()).isEqualTo(ConfigSource.TOPIC_CONFIG);
        assertThat(segmentBytes.type()).isEqualTo(ConfigType.INT);
        assertThat(segmentBytes.sensitive()).isFalse();
        assertThat(segmentBytes.readOnly()).isFalse();
        assertThat(segmentBytes.documentation()).isEqualTo(TopicConfig.SEGMENT_BYTES_DOC);
        assertThat(segmentBytes.synonyms()).isEmpty();

        assertThat(entries.get("retention.ms").value()).isEqualTo("1000");
        assertThat(entries.get("retention.ms").source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(entries.get("retention.ms").type()).isEqualTo(ConfigType.LONG);

        assertThat(entries.get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(entries.get("cleanup.policy").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(entries.get("cleanup.policy").type()).isEqualTo(ConfigType.LIST);
        assertThat(entries.get("min.cleanable.dirty.ratio").type()).isEqualTo(ConfigType.DOUBLE);
        assertThat(entries.get("preallocate").type()).isEqualTo(ConfigType.BOOLEAN);
        assertThat(entries.get("compression.type").type()).isEqualTo(ConfigType.STRING);
        assertThat(entries.get("leader.replication.throttled.replicas").documentation()).isNotBlank();
    }

    @Test
    void describeListsSynonymsAsKafkaDoes() {
        Map<String, ConfigEntry> entries = byName(catalog.describe(
                Map.of("retention.ms", "1000", "segment.bytes", "4096", "remote.storage.enable", "true"),
                Map.of("segment.bytes", "2048", "cleanup.policy", "compact"), true));

        // Topic override, then the broker's setting under its broker name, then Kafka's default.
        assertThat(entries.get("segment.bytes").synonyms()).containsExactly(
                new ConfigEntry.Synonym("segment.bytes", "2048", ConfigSource.TOPIC_CONFIG),
                new ConfigEntry.Synonym("log.segment.bytes", "4096", ConfigSource.STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.segment.bytes", "1073741824", ConfigSource.DEFAULT_CONFIG));
        // Kafka's default of retention.ms lives in log.retention.hours.
        assertThat(entries.get("retention.ms").synonyms()).containsExactly(
                new ConfigEntry.Synonym("log.retention.ms", "1000", ConfigSource.STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
        assertThat(entries.get("cleanup.policy").synonyms()).containsExactly(
                new ConfigEntry.Synonym("cleanup.policy", "compact", ConfigSource.TOPIC_CONFIG),
                new ConfigEntry.Synonym("log.cleanup.policy", "delete", ConfigSource.DEFAULT_CONFIG));
        assertThat(entries.get("max.message.bytes").synonyms()).containsExactly(
                new ConfigEntry.Synonym("message.max.bytes", "1048588", ConfigSource.DEFAULT_CONFIG));
        assertThat(entries.get("segment.ms").synonyms()).containsExactly(
                new ConfigEntry.Synonym("log.roll.hours", "168", ConfigSource.DEFAULT_CONFIG));
        assertThat(entries.get("flush.ms").synonyms()).containsExactly(
                new ConfigEntry.Synonym("log.flush.scheduler.interval.ms", String.valueOf(Long.MAX_VALUE),
                        ConfigSource.DEFAULT_CONFIG));
        assertThat(entries.get("local.retention.ms").synonyms()).containsExactly(
                new ConfigEntry.Synonym("log.local.retention.ms", "-2", ConfigSource.DEFAULT_CONFIG));
        // No broker synonym in Kafka: a broker-wide Strata default is reported under the topic name.
        assertThat(entries.get("remote.storage.enable").synonyms()).containsExactly(
                new ConfigEntry.Synonym("remote.storage.enable", "true", ConfigSource.STATIC_BROKER_CONFIG));
        assertThat(entries.get("remote.log.copy.disable").synonyms()).isEmpty();
    }

    @Test
    void describeCanBeLimitedToSomeKeys() {
        List<ConfigEntry> entries = catalog.describe(Map.of(), Map.of(), false, Set.of("retention.ms", "no.such.config"));
        assertThat(entries).extracting(ConfigEntry::name).containsExactly("retention.ms");
    }

    @Test
    void brokerSynonymsFollowKafka() {
        assertThat(catalog.brokerSynonyms("retention.ms"))
                .containsExactly("log.retention.ms", "log.retention.minutes", "log.retention.hours");
        assertThat(catalog.brokerConfigName("segment.bytes")).contains("log.segment.bytes");
        assertThat(catalog.brokerConfigName("cleanup.policy")).contains("log.cleanup.policy");
        assertThat(catalog.brokerConfigName("max.message.bytes")).contains("message.max.bytes");
        assertThat(catalog.brokerConfigName("min.insync.replicas")).contains("min.insync.replicas");
        assertThat(catalog.brokerConfigName("local.retention.ms")).contains("log.local.retention.ms");
        assertThat(catalog.brokerConfigName("segment.index.bytes")).contains("log.index.size.max.bytes");
        assertThat(catalog.brokerConfigName("remote.storage.enable")).isEmpty();
    }

    @Test
    void brokerConfigsConvertToTopicDefaults() {
        assertThat(catalog.topicDefaultsFromBrokerConfigs(Map.of(
                "log.retention.hours", "24",
                "log.roll.ms", "5000",
                "log.roll.hours", "1",
                "message.max.bytes", "2000",
                "log.cleanup.policy", "compact",
                "unrelated.config", "x")))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        "retention.ms", "86400000",
                        "segment.ms", "5000",
                        "max.message.bytes", "2000",
                        "cleanup.policy", "compact"));
        assertThat(catalog.topicDefaultsFromBrokerConfigs(Map.of("log.retention.minutes", "2", "log.retention.hours", "1")))
                .containsEntry("retention.ms", "120000");
    }

    @Test
    void topicDefaultsRenameToTheirBrokerConfigs() {
        assertThat(catalog.brokerConfigsFromTopicDefaults(Map.of("retention.ms", "1000", "max.message.bytes", "10",
                "remote.storage.enable", "true")))
                .containsExactlyInAnyOrderEntriesOf(Map.of("log.retention.ms", "1000", "message.max.bytes", "10",
                        "remote.storage.enable", "true"));
        assertThatThrownBy(() -> catalog.brokerConfigsFromTopicDefaults(Map.of("nope", "1")))
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void listConfigsAreKnown() {
        assertThat(catalog.isList("cleanup.policy")).isTrue();
        assertThat(catalog.isList("leader.replication.throttled.replicas")).isTrue();
        assertThat(catalog.isList("retention.ms")).isFalse();
        assertThat(catalog.isList("nope")).isFalse();
        assertThat(catalog.type("retention.ms")).isEqualTo(org.apache.kafka.common.config.ConfigDef.Type.LONG);
    }

    @Test
    void describeBrokerReportsTheValuesItRunsWith() {
        Map<String, ConfigEntry> entries = byName(catalog.describeBroker(Map.of(
                "node.id", "1", "broker.id", "1", "log.dirs", "/data", "log.retention.ms", "1000")));
        assertThat(entries.keySet()).contains("node.id", "broker.id", "log.dirs", "num.partitions",
                "default.replication.factor", "auto.create.topics.enable", "socket.request.max.bytes",
                "log.retention.ms", "log.retention.minutes", "log.retention.hours", "log.segment.bytes",
                "log.cleanup.policy", "message.max.bytes", "min.insync.replicas", "log.local.retention.ms");
        assertThat(entries.keySet()).containsAll(catalog.brokerConfigNames());

        ConfigEntry nodeId = entries.get("node.id");
        assertThat(nodeId.value()).isEqualTo("1");
        assertThat(nodeId.source()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(nodeId.type()).isEqualTo(ConfigType.INT);
        assertThat(nodeId.readOnly()).isTrue();

        assertThat(entries.get("num.partitions").value()).isEqualTo("1");
        assertThat(entries.get("num.partitions").source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
        assertThat(entries.get("log.retention.hours").value()).isEqualTo("168");
        assertThat(entries.get("log.retention.minutes").value()).isNull();
        assertThat(entries.get("log.retention.minutes").synonyms()).isEmpty();
        assertThat(entries.get("log.retention.ms").synonyms()).containsExactly(
                new ConfigEntry.Synonym("log.retention.ms", "1000", ConfigSource.STATIC_BROKER_CONFIG),
                new ConfigEntry.Synonym("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
        assertThat(entries.get("log.segment.bytes").value()).isEqualTo("1073741824");
        assertThat(entries.get("log.segment.bytes").documentation()).contains("segment.bytes");
    }

    private static Map<String, ConfigEntry> byName(List<ConfigEntry> entries) {
        return entries.stream().collect(Collectors.toMap(ConfigEntry::name, Function.identity()));
    }
}
