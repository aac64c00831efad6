package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Topic and config administration through the real Admin client. */
class TopicAdminTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of("strata.log.retention-ms", "86400000"));
    static Admin admin;

    @BeforeAll
    static void start() {
        admin = broker.admin();
    }

    @AfterAll
    static void stop() {
        admin.close();
    }

    @Test
    void topicsAreCreatedDescribedListedAndDeleted() throws Exception {
        CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("orders", 3, (short) 1)
                .configs(Map.of("cleanup.policy", "compact", "segment.bytes", "1048576"))));
        created.all().get();
        assertThat(created.numPartitions("orders").get()).isEqualTo(3);
        assertThat(created.config("orders").get().get("cleanup.policy").value()).isEqualTo("compact");
        Uuid topicId = created.topicId("orders").get();

        TopicDescription description = admin.describeTopics(List.of("orders")).allTopicNames().get().get("orders");
        assertThat(description.topicId()).isEqualTo(topicId);
        assertThat(description.partitions()).hasSize(3);
        assertThat(description.partitions().get(0).leader().id()).isEqualTo(1);
        assertThat(admin.describeTopics(TopicCollection.ofTopicIds(List.of(topicId))).allTopicIds().get())
                .containsKey(topicId);
        assertThat(admin.listTopics().names().get()).contains("orders");

        admin.deleteTopics(List.of("orders")).all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("orders");
        assertThatThrownBy(() -> admin.describeTopics(List.of("orders")).allTopicNames().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void aDeletedTopicCanBeRecreatedEmpty() throws Exception {
        broker.createTopic("phoenix", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            producer.send(new ProducerRecord<>("phoenix", "old".getBytes())).get();
        }
        admin.deleteTopics(List.of("phoenix")).all().get();
        broker.createTopic("phoenix", 1, Map.of());
        TopicPartition tp = new TopicPartition("phoenix", 0);
        assertThat(admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get()
                .get(tp).offset()).isZero();
    }

    @Test
    void creationErrorsCarryKafkasErrorCodes() throws Exception {
        broker.createTopic("existing", 1, Map.of());
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("existing", 1, (short) 1))).all().get())
                .hasCauseInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get())
                .hasCauseInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("zero", 0, (short) 1))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("rf3", 1, (short) 3))).all().get())
                .hasCauseInstanceOf(InvalidReplicationFactorException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("bad-config", 1, (short) 1)
                .configs(Map.of("cleanup.policy", "sometimes")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("cleanup.policy");
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("unknown-config", 1, (short) 1)
                .configs(Map.of("no.such.config", "1")))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThat(admin.listTopics().names().get()).doesNotContain("zero", "rf3", "bad-config", "unknown-config");
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        admin.createTopics(List.of(new NewTopic("dry-run", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get();
        assertThat(admin.listTopics().names().get()).doesNotContain("dry-run");
    }

    @Test
    void defaultPartitionsAndReplicationFactorApply() throws Exception {
        admin.createTopics(List.of(new NewTopic("defaults", java.util.Optional.empty(), java.util.Optional.empty())))
                .all().get();
        assertThat(admin.describeTopics(List.of("defaults")).allTopicNames().get().get("defaults").partitions()).hasSize(1);
    }

    @Test
    void describingTopicsPagesThroughTheirPartitions() throws Exception {
        broker.createTopic("paged-a", 5, Map.of());
        broker.createTopic("paged-b", 2, Map.of());

        Map<String, TopicDescription> described = admin.describeTopics(List.of("paged-b", "paged-a"),
                new DescribeTopicsOptions().partitionSizeLimitPerResponse(2)).allTopicNames().get();

        assertThat(described.get("paged-a").partitions()).extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1, 2, 3, 4);
        assertThat(described.get("paged-b").partitions()).extracting(TopicPartitionInfo::partition)
                .containsExactly(0, 1);
        assertThat(described.values()).flatMap(TopicDescription::partitions).allSatisfy(partition -> {
            assertThat(partition.leader().id()).isEqualTo(1);
            assertThat(partition.elr()).isEmpty();
            assertThat(partition.lastKnownElr()).isEmpty();
        });
    }

    @Test
    void aRequestMayAddAtMostTenThousandPartitions() throws Exception {
        broker.createTopic("wide-a", 1, Map.of());
        broker.createTopic("wide-b", 1, Map.of());
        CreatePartitionsOptions dryRun = new CreatePartitionsOptions().validateOnly(true);

        assertThatThrownBy(() -> admin.createPartitions(Map.of("wide-a", NewPartitions.increaseTo(10_002)), dryRun)
                .all().get()).hasCauseInstanceOf(PolicyViolationException.class);
        Map<String, KafkaFuture<Void>> both = admin.createPartitions(Map.of("wide-a", NewPartitions.increaseTo(6_000),
                "wide-b", NewPartitions.increaseTo(6_000)), dryRun).values();
        for (KafkaFuture<Void> result : both.values()) {
            assertThatThrownBy(result::get).hasCauseInstanceOf(PolicyViolationException.class);
        }
        admin.createPartitions(Map.of("wide-a", NewPartitions.increaseTo(10_001)), dryRun).all().get();
    }

    /** As Kafka: by name or by id, never both, and each topic once; a request that is not is refused, not guessed. */
    @Test
    void aTopicToDeleteIsNamedOnceByItsNameOrItsId() throws Exception {
        broker.createTopic("victim", 1, Map.of());
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            DeleteTopicsResponseData both = (DeleteTopicsResponseData) wire.send(ApiKeys.DELETE_TOPICS, (short) 6,
                    new DeleteTopicsRequestData().setTimeoutMs(5000).setTopics(List.of(new DeleteTopicState()
                            .setName("victim").setTopicId(Uuid.randomUuid()), new DeleteTopicState()))).data();
            assertThat(both.responses()).extracting(DeletableTopicResult::errorMessage).containsExactly(
                    "You may not specify both topic name and topic id.", "Neither topic name nor id were specified.");
            DeleteTopicsResponseData twice = (DeleteTopicsResponseData) wire.send(ApiKeys.DELETE_TOPICS, (short) 6,
                    new DeleteTopicsRequestData().setTimeoutMs(5000).setTopics(List.of(
                            new DeleteTopicState().setName("victim"), new DeleteTopicState().setName("victim")))).data();
            assertThat(twice.responses()).singleElement().satisfies(result -> {
                assertThat(result.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
                assertThat(result.errorMessage()).isEqualTo("Duplicate topic name.");
            });
        }
        assertThat(admin.listTopics().names().get()).contains("victim");
    }

    @Test
    void partitionsCanBeAddedButNeverRemoved() throws Exception {
        broker.createTopic("growing", 2, Map.of());
        admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(5))).all().get();
        assertThat(admin.describeTopics(List.of("growing")).allTopicNames().get().get("growing").partitions()).hasSize(5);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            assertThat(producer.send(new ProducerRecord<>("growing", 4, null, "v".getBytes())).get().partition()).isEqualTo(4);
        }
        assertThatThrownBy(() -> admin.createPartitions(Map.of("growing", NewPartitions.increaseTo(3))).all().get())
                .hasCauseInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> admin.createPartitions(Map.of("missing", NewPartitions.increaseTo(3))).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void configsAreDescribedWithSourcesAndSynonyms() throws Exception {
        broker.createTopic("described", 1, Map.of("segment.bytes", "2097152"));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "described");
        Config config = admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true))
                .all().get().get(resource);
        ConfigEntry segmentBytes = config.get("segment.bytes");
        assertThat(segmentBytes.value()).isEqualTo("2097152");
        assertThat(segmentBytes.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        ConfigEntry retention = config.get("retention.ms");
        assertThat(retention.value()).isEqualTo("86400000");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(retention.synonyms()).extracting(ConfigEntry.ConfigSynonym::name).contains("log.retention.ms");
        ConfigEntry cleanup = config.get("cleanup.policy");
        assertThat(cleanup.value()).isEqualTo("delete");
        assertThat(cleanup.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get("max.message.bytes").value()).isEqualTo("1048588");

        ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "1");
        Config brokerConfig = admin.describeConfigs(List.of(brokerResource)).all().get().get(brokerResource);
        assertThat(brokerConfig.get("num.partitions").value()).isEqualTo("1");
        // As Kafka: a name no topic can have is an invalid topic.
        ConfigResource nameless = new ConfigResource(ConfigResource.Type.TOPIC, "");
        assertThatThrownBy(() -> admin.describeConfigs(List.of(nameless)).all().get())
                .hasCauseInstanceOf(InvalidTopicException.class);
    }

    @Test
    void configsAreAlteredIncrementallyAndPersist() throws Exception {
        broker.createTopic("altered", 1, Map.of());
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "altered");
        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)))).all().get();
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("1000");
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete,compact");

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE)))).all().get();
        assertThat(admin.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms").value())
                .isEqualTo("86400000");

        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidConfigurationException.class);
        // As Kafka: a config named twice, or set to null, is an invalid request; deleting an unknown one is a no-op.
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "1000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("retention.ms", "2000"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", null), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidRequestException.class);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("no.such.config", ""), AlterConfigOp.OpType.DELETE)))).all().get();
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(
                new ConfigResource(ConfigResource.Type.BROKER, "1"), List.of(
                        new AlterConfigOp(new ConfigEntry("num.partitions", "3"), AlterConfigOp.OpType.SET)))).all().get())
                .hasCauseInstanceOf(InvalidRequestException.class);
    }

    /** As Kafka: the default broker resource ("", kafka-configs --entity-default) holds the cluster-wide values. */
    @Test
    void theDefaultBrokerResourceHoldsTheClusterWideDynamicConfigsAlone() throws Exception {
        ConfigResource defaults = new ConfigResource(ConfigResource.Type.BROKER, "");
        ConfigResource own = new ConfigResource(ConfigResource.Type.BROKER, "1");
        String rate = "leader.replication.throttled.rate";
        admin.incrementalAlterConfigs(Map.of(
                defaults, List.of(new AlterConfigOp(new ConfigEntry(rate, "2000000"), AlterConfigOp.OpType.SET)),
                own, List.of(new AlterConfigOp(new ConfigEntry(rate, "1000000"), AlterConfigOp.OpType.SET))))
                .all().get();
        try {
            Map<ConfigResource, Config> described = admin.describeConfigs(List.of(defaults, own)).all().get();

            assertThat(described.get(defaults).entries()).singleElement().satisfies(entry -> {
                assertThat(entry.name()).isEqualTo(rate);
                assertThat(entry.value()).isEqualTo("2000000");
                assertThat(entry.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
            });
            assertThat(described.get(own).get(rate).value()).isEqualTo("1000000");
            assertThat(described.get(own).get(rate).source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
        } finally {
            admin.incrementalAlterConfigs(Map.of(
                    defaults, List.of(new AlterConfigOp(new ConfigEntry(rate, ""), AlterConfigOp.OpType.DELETE)),
                    own, List.of(new AlterConfigOp(new ConfigEntry(rate, ""), AlterConfigOp.OpType.DELETE))))
                    .all().get();
        }
    }

    /** The Admin client of Kafka 4 no longer sends AlterConfigs, but older clients and tools do. */
    @Test
    void legacyAlterConfigsReplacesAllOverrides() throws Exception {
        broker.createTopic("replaced", 1, Map.of("segment.bytes", "2097152"));
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "replaced");
        AlterConfigsRequest.Config replacement = new AlterConfigsRequest.Config(
                List.of(new AlterConfigsRequest.ConfigEntry("retention.ms", "5000")));
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            AlterConfigsResponse response = (AlterConfigsResponse) wire.send(
                    new AlterConfigsRequest.Builder(Map.of(resource, replacement), false).build((short) 2));
            assertThat(response.data().responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        }
        Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("5000");
        assertThat(config.get("segment.bytes").value()).isEqualTo("1073741824");
    }

    @Test
    void deleteRecordsMovesTheLogStart() throws Exception {
        broker.createTopic("trimmed", 1, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("trimmed", ("v" + i).getBytes())).get();
            }
        }
        TopicPartition tp = new TopicPartition("trimmed", 0);
        long low = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get().lowWatermark();
        assertThat(low).isEqualTo(4);
        assertThat(broker.readAll(List.of(tp), 6, Duration.ofSeconds(20))).extracting(r -> r.offset())
                .containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void aRequestForMoreThanTenThousandPartitionsInAllIsRefusedForEveryTopic() throws Exception {
        CreateTopicsResult tooMany = admin.createTopics(List.of(new NewTopic("wide-a", 5_000, (short) 1),
                new NewTopic("wide-b", 5_001, (short) 1)));
        for (String topic : List.of("wide-a", "wide-b")) {
            assertThatThrownBy(() -> tooMany.values().get(topic).get()).cause()
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("Excessively large number of partitions per request");
        }
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("wide-c", 10_001, (short) 1))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class);
        assertThat(admin.listTopics().names().get()).doesNotContain("wide-a", "wide-b", "wide-c");

        CreateTopicsResult refusedAlone = admin.createTopics(List.of(new NewTopic("__transaction_state", 10_001,
                (short) 1), new NewTopic("narrow", 1, (short) 1)));
        assertThatThrownBy(() -> refusedAlone.values().get("__transaction_state").get()).cause()
                .isInstanceOf(PolicyViolationException.class).hasMessageContaining("is internal");
        refusedAlone.values().get("narrow").get();
    }

    @Test
    void deleteRecordsIsRefusedOnATopicThatOnlyCompacts() throws Exception {
        broker.createTopic("compacted-only", 1, Map.of("cleanup.policy", "compact"));
        broker.createTopic("compacted-and-deleted", 1, Map.of("cleanup.policy", "compact,delete"));
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (String topic : List.of("compacted-only", "compacted-and-deleted")) {
                producer.send(new ProducerRecord<>(topic, "k".getBytes(), "v".getBytes())).get();
                producer.send(new ProducerRecord<>(topic, "k".getBytes(), "w".getBytes())).get();
            }
        }
        TopicPartition compacted = new TopicPartition("compacted-only", 0);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(compacted, RecordsToDelete.beforeOffset(1)))
                .lowWatermarks().get(compacted).get())
                .hasCauseInstanceOf(PolicyViolationException.class);
        assertThat(broker.readAll(List.of(compacted), 2, Duration.ofSeconds(20))).hasSize(2);

        TopicPartition both = new TopicPartition("compacted-and-deleted", 0);
        assertThat(admin.deleteRecords(Map.of(both, RecordsToDelete.beforeOffset(1))).lowWatermarks().get(both).get()
                .lowWatermark()).isEqualTo(1);
    }

    @Test
    void theInternalOffsetsTopicIsProtectedFromClients() throws Exception {
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "creates-offsets"))) {
            consumer.listTopics();
            consumer.committed(java.util.Set.of(new TopicPartition("anything", 0)));
        }
        String offsets = "__consumer_offsets";
        assertThat(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()).contains(offsets);
        assertThat(admin.describeTopics(List.of(offsets)).allTopicNames().get().get(offsets).isInternal()).isTrue();
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(ProducerConfig.RETRIES_CONFIG, 0))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(offsets, 0, null, "forged".getBytes())).get())
                    .hasCauseInstanceOf(InvalidTopicException.class);
        }
        assertThatThrownBy(() -> admin.deleteTopics(List.of(offsets)).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class);
        TopicPartition offsetsPartition = new TopicPartition(offsets, 0);
        assertThatThrownBy(() -> admin.deleteRecords(Map.of(offsetsPartition, RecordsToDelete.beforeOffset(-1)))
                .lowWatermarks().get(offsetsPartition).get())
                .hasCauseInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> admin.createPartitions(Map.of(offsets, NewPartitions.increaseTo(60))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class);
        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("__transaction_state", 1, (short) 1))).all().get())
                .hasCauseInstanceOf(PolicyViolationException.class);
    }

    @Test
    void topicsAndConfigsSurviveARestart() throws Exception {
        broker.createTopic("durable", 4, Map.of("retention.ms", "123456"));
        broker.restart();
        try (Admin fresh = broker.admin()) {
            assertThat(fresh.describeTopics(List.of("durable")).allTopicNames().get().get("durable").partitions()).hasSize(4);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "durable");
            assertThat(fresh.describeConfigs(List.of(resource)).all().get().get(resource).get("retention.ms").value())
                    .isEqualTo("123456");
            assertThat(fresh.describeCluster().clusterId().get()).isEqualTo(broker.broker().identity().clusterId());
            assertThat(fresh.describeCluster().nodes().get()).hasSize(1);
        }
    }
}
