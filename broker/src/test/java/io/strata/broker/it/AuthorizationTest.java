package io.strata.broker.it;

import io.strata.broker.testing.ChildJvm;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Authorization by ACLs, with real clients over SASL: for each Kafka API a client uses, a principal without the ACL
 * Kafka's documentation names is refused with Kafka's error, and allowed once an administrator grants it; prefixed
 * ACLs, DENY over ALLOW, super users, Metadata hiding topics, and {@code kafka-acls}.
 */
class AuthorizationTest {

    private static final String TOPIC = "secured";
    private static final String GROUP = "team";
    private static final String TXN = "alice-tx";

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.ofEntries(
            Map.entry("strata.kafka.security-protocol", "SASL_PLAINTEXT"),
            Map.entry("strata.sasl.mechanisms", "PLAIN"),
            Map.entry("strata.sasl.bootstrap-users", "admin:admin-secret,alice:alice-secret"),
            Map.entry("strata.inter-broker.username", "admin"),
            Map.entry("strata.inter-broker.password", "admin-secret"),
            Map.entry("strata.sasl.failed-authentication-delay-ms", "0"),
            Map.entry("strata.authorizer.enabled", "true"),
            Map.entry("strata.super-users", "User:admin"),
            Map.entry("strata.transactions.state-log-replication-factor", "1"),
            Map.entry("strata.groups.offsets-topic-replication-factor", "1")));

    private static Map<String, Object> login(String user) {
        return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + user + "-secret\";",
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    }

    private static Admin admin(String user) {
        return broker.admin(login(user));
    }

    private static Admin admin;
    private static Admin alice;

    @BeforeAll
    static void setUp() throws Exception {
        admin = admin("admin");
        alice = admin("alice");
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic("doomed", 1, (short) 1),
                new NewTopic("grown", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(login("admin"))) {
            producer.send(new ProducerRecord<>(TOPIC, "first".getBytes())).get(30, TimeUnit.SECONDS);
        }
        // A group with a committed offset, for the group APIs.
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(withGroup(login("admin")))) {
            consumer.commitSync(Map.of(new TopicPartition(TOPIC, 0),
                    new OffsetAndMetadata(1)));
        }
    }

    private static Map<String, Object> withGroup(Map<String, Object> login) {
        Map<String, Object> config = new HashMap<>(login);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    @AfterAll
    static void closeClients() {
        alice.close();
        admin.close();
    }

    @AfterEach
    void removeAlicesAcls() throws Exception {
        admin.deleteAcls(List.of(new AclBindingFilter(ResourcePatternFilter.ANY, new AccessControlEntryFilter(
                "User:alice", null, AclOperation.ANY, AclPermissionType.ANY)))).all().get(30, TimeUnit.SECONDS);
    }

    private static AclBinding allow(ResourceType type, String name, AclOperation operation) {
        return acl(type, name, PatternType.LITERAL, operation, AclPermissionType.ALLOW);
    }

    private static AclBinding acl(ResourceType type, String name, PatternType pattern, AclOperation operation,
                                  AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:alice", "*", operation, permission));
    }

    private static void grant(List<AclBinding> acls) throws Exception {
        admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Something alice does, which needs {@code acls} besides the ones it is {@code given}; without them it fails with
     * {@code refusal}.
     */
    record Case(String api, List<AclBinding> given, List<AclBinding> acls, Class<? extends Exception> refusal,
                Action action) {

        Case(String api, List<AclBinding> acls, Class<? extends Exception> refusal, Action action) {
            this(api, List.of(), acls, refusal, action);
        }

        @Override
        public String toString() {
            return api;
        }
    }

    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private static <T> T get(KafkaFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    static Stream<Case> cases() {
        TopicPartition partition = new TopicPartition(TOPIC, 0);
        ConfigResource topicConfig = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
        return Stream.of(
                new Case("Produce", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.WRITE)),
                        TopicAuthorizationException.class, () -> {
                    try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of(
                            ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000,
                            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                            CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT", SaslConfigs.SASL_MECHANISM,
                            "PLAIN", SaslConfigs.SASL_JAAS_CONFIG, login("alice").get(SaslConfigs.SASL_JAAS_CONFIG)))) {
                        producer.send(new ProducerRecord<>(TOPIC, "by alice".getBytes())).get(30, TimeUnit.SECONDS);
                    }
                }),
                new Case("Fetch", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.READ)),
                        TopicAuthorizationException.class, () -> {
                    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(login("alice"))) {
                        consumer.assign(List.of(partition));
                        consumer.seekToBeginning(List.of(partition));
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        int records = 0;
                        while (records == 0 && System.nanoTime() < deadline) {
                            records += consumer.poll(Duration.ofMillis(200)).count();
                        }
                        assertThat(records).isPositive();
                    }
                }),
                new Case("JoinGroup", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.READ)),
                        List.of(allow(ResourceType.GROUP, "joiners", AclOperation.READ)), GroupAuthorizationException.class, () -> {
                    Map<String, Object> config = new HashMap<>(login("alice"));
                    config.put(ConsumerConfig.GROUP_ID_CONFIG, "joiners");
                    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(config)) {
                        consumer.subscribe(List.of(TOPIC));
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                            consumer.poll(Duration.ofMillis(200));
                        }
                        assertThat(consumer.assignment()).contains(partition);
                    }
                }),
                new Case("ListOffsets", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.DESCRIBE)),
                        TopicAuthorizationException.class,
                        () -> get(alice.listOffsets(Map.of(partition, OffsetSpec.latest())).all())),
                new Case("CreateTopics", List.of(allow(ResourceType.TOPIC, "alices", AclOperation.CREATE)),
                        TopicAuthorizationException.class,
                        () -> get(alice.createTopics(List.of(new NewTopic("alices", 1, (short) 1))).all())),
                new Case("DeleteTopics", List.of(allow(ResourceType.TOPIC, "doomed", AclOperation.DELETE)),
                        TopicAuthorizationException.class, () -> get(alice.deleteTopics(List.of("doomed")).all())),
                new Case("CreatePartitions", List.of(allow(ResourceType.TOPIC, "grown", AclOperation.ALTER)),
                        TopicAuthorizationException.class,
                        () -> get(alice.createPartitions(Map.of("grown", NewPartitions.increaseTo(2))).all())),
                new Case("DescribeConfigs", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.DESCRIBE_CONFIGS)),
                        TopicAuthorizationException.class, () -> get(alice.describeConfigs(List.of(topicConfig)).all())),
                new Case("IncrementalAlterConfigs", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.ALTER_CONFIGS)),
                        TopicAuthorizationException.class, () -> get(alice.incrementalAlterConfigs(Map.of(topicConfig,
                        List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
                        .all())),
                new Case("DeleteRecords", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.DELETE)),
                        TopicAuthorizationException.class, () -> get(alice.deleteRecords(Map.of(partition,
                        RecordsToDelete.beforeOffset(0))).all())),
                new Case("DescribeProducers", List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.READ)),
                        TopicAuthorizationException.class, () -> get(alice.describeProducers(List.of(partition)).all())),
                new Case("OffsetFetch", List.of(allow(ResourceType.GROUP, GROUP, AclOperation.DESCRIBE),
                        allow(ResourceType.TOPIC, TOPIC, AclOperation.DESCRIBE)), GroupAuthorizationException.class,
                        () -> assertThat(get(alice.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()))
                                .containsKey(partition)),
                new Case("DescribeGroups", List.of(allow(ResourceType.GROUP, GROUP, AclOperation.DESCRIBE)),
                        GroupAuthorizationException.class, () -> get(alice.describeConsumerGroups(List.of(GROUP)).all())),
                new Case("InitProducerId (transactional)", List.of(allow(ResourceType.TRANSACTIONAL_ID, TXN,
                        AclOperation.WRITE)), TransactionalIdAuthorizationException.class, () -> {
                    Map<String, Object> config = new HashMap<>(login("alice"));
                    config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, TXN);
                    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
                    try (KafkaProducer<byte[], byte[]> producer = broker.producer(config)) {
                        producer.initTransactions();
                    }
                }),
                new Case("CreateAcls", List.of(allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.ALTER)),
                        ClusterAuthorizationException.class, () -> get(alice.createAcls(List.of(
                        allow(ResourceType.GROUP, "elsewhere", AclOperation.READ))).all())),
                new Case("DescribeAcls", List.of(allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE)),
                        ClusterAuthorizationException.class, () -> get(alice.describeAcls(AclBindingFilter.ANY).values())),
                new Case("AlterUserScramCredentials", List.of(allow(ResourceType.CLUSTER, "kafka-cluster",
                        AclOperation.ALTER)), ClusterAuthorizationException.class, () -> get(alice.alterUserScramCredentials(
                        List.of(new UserScramCredentialUpsertion("carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256,
                                4096), "carol-secret"))).all())),
                new Case("DescribeUserScramCredentials", List.of(allow(ResourceType.CLUSTER, "kafka-cluster",
                        AclOperation.DESCRIBE)), ClusterAuthorizationException.class,
                        () -> get(alice.describeUserScramCredentials().all())),
                new Case("ElectLeaders", List.of(allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.ALTER)),
                        ClusterAuthorizationException.class,
                        // Allowed, it answers per partition: here that the preferred leader already leads.
                        () -> get(alice.electLeaders(ElectionType.PREFERRED, Set.of(partition)).partitions())),
                new Case("ListPartitionReassignments", List.of(allow(ResourceType.CLUSTER, "kafka-cluster",
                        AclOperation.DESCRIBE)), ClusterAuthorizationException.class,
                        () -> get(alice.listPartitionReassignments().reassignments())),
                new Case("DescribeLogDirs", List.of(allow(ResourceType.CLUSTER, "kafka-cluster", AclOperation.DESCRIBE)),
                        ClusterAuthorizationException.class,
                        () -> get(alice.describeLogDirs(List.of(1)).allDescriptions())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachApiIsRefusedWithoutItsAclAndServedWithIt(Case apiCase) throws Exception {
        if (!apiCase.given().isEmpty()) {
            grant(apiCase.given());
        }
        assertThatThrownBy(apiCase.action()::run).as("%s without %s", apiCase.api(), apiCase.acls())
                .satisfies(error -> assertThat(rootOrSelf(error)).isInstanceOf(apiCase.refusal()));
        grant(apiCase.acls());
        apiCase.action().run();
    }

    private static Throwable rootOrSelf(Throwable error) {
        Throwable cause = error;
        while (!(cause instanceof AuthorizationException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Test
    void metadataListsOnlyTheTopicsAPrincipalMayDescribe() throws Exception {
        assertThat(get(alice.listTopics().names())).doesNotContain(TOPIC);
        grant(List.of(allow(ResourceType.TOPIC, TOPIC, AclOperation.READ)));
        assertThat(get(alice.listTopics().names())).contains(TOPIC).doesNotContain("grown");
        assertThatThrownBy(() -> get(alice.describeTopics(List.of("grown")).allTopicNames()))
                .cause().isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void prefixedAclsGrantAndDenyBeatsAllow() throws Exception {
        grant(List.of(acl(ResourceType.TOPIC, "sec", PatternType.PREFIXED, AclOperation.DESCRIBE, AclPermissionType.ALLOW)));
        assertThat(get(alice.listTopics().names())).contains(TOPIC);
        grant(List.of(acl(ResourceType.TOPIC, TOPIC, PatternType.LITERAL, AclOperation.DESCRIBE, AclPermissionType.DENY)));
        assertThat(get(alice.listTopics().names())).doesNotContain(TOPIC);
    }

    @Test
    void kafkaAclsAddsListsAndRemovesAcls(@TempDir Path dir) throws Exception {
        Path adminConfig = Files.writeString(dir.resolve("admin.properties"), String.join("\n",
                "security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN",
                "sasl.jaas.config=" + login("admin").get(SaslConfigs.SASL_JAAS_CONFIG), ""));
        ChildJvm.kafkaTool("org.apache.kafka.tools.AclCommand", broker.bootstrapServers(), 60,
                "--command-config", adminConfig.toString(), "--add", "--allow-principal", "User:alice",
                "--operation", "Read", "--topic", "audit-", "--resource-pattern-type", "prefixed");
        String listed = ChildJvm.kafkaTool("org.apache.kafka.tools.AclCommand", broker.bootstrapServers(), 60,
                "--command-config", adminConfig.toString(), "--list", "--topic", "audit-",
                "--resource-pattern-type", "prefixed");
        assertThat(listed).contains("User:alice").contains("READ").contains("PREFIXED");
        ChildJvm.kafkaTool("org.apache.kafka.tools.AclCommand", broker.bootstrapServers(), 60,
                "--command-config", adminConfig.toString(), "--remove", "--force", "--allow-principal", "User:alice",
                "--operation", "Read", "--topic", "audit-", "--resource-pattern-type", "prefixed");
        assertThat(get(admin.describeAcls(AclBindingFilter.ANY).values())).isEmpty();
    }
}
