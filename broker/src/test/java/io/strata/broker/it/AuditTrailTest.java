package io.strata.broker.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.broker.security.AuditLog;
import io.strata.broker.testing.AuditLines;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@link AuditLog} of a broker with SASL and ACLs, as real clients use it: one line per denied request (but none
 * for what a listing only leaves out), per failed authentication, and per change to topics, configs, ACLs, SCRAM
 * credentials and quotas, with the outcome and without secrets.
 */
class AuditTrailTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of(
            "strata.kafka.security-protocol", "SASL_PLAINTEXT",
            "strata.sasl.mechanisms", "PLAIN",
            "strata.sasl.bootstrap-users", "admin:admin-secret,alice:alice-secret",
            "strata.inter-broker.username", "admin",
            "strata.inter-broker.password", "admin-secret",
            "strata.sasl.failed-authentication-delay-ms", "0",
            "strata.authorizer.enabled", "true",
            "strata.super-users", "User:admin"));

    private static Admin admin;
    private static Admin alice;
    private AuditLines lines;

    private static Admin admin(String user, String password) {
        return Admin.create(Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"" + user + "\" password=\"" + password + "\";",
                CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
                CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    }

    @BeforeAll
    static void connect() throws Exception {
        admin = admin("admin", "admin-secret");
        alice = admin("alice", "alice-secret");
        admin.createTopics(List.of(new NewTopic("ledger", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void disconnect() {
        if (alice != null) {
            alice.close();
        }
        if (admin != null) {
            admin.close();
        }
    }

    @BeforeEach
    void capture() {
        lines = AuditLines.capture();
    }

    @AfterEach
    void stopCapturing() {
        lines.close();
    }

    @Test
    void aDeniedRequestIsAuditedButATopicListingThatLeavesTopicsOutIsNot() throws Exception {
        assertThat(alice.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("ledger");
        assertThat(lines.matching(line -> line.get("event").asText().equals("denied"))).isEmpty();

        assertThatThrownBy(() -> alice.describeTopics(List.of("ledger")).allTopicNames().get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        JsonNode denied = lines.about("denied", "ledger").get(0);
        assertThat(denied.get("request").asText()).isEqualTo("DESCRIBE_TOPIC_PARTITIONS");
        assertThat(denied.get("principal").asText()).isEqualTo("User:alice");
        assertThat(denied.get("client").asText()).isEqualTo("127.0.0.1");
        assertThat(denied.get("operation").asText()).isEqualTo("DESCRIBE");
        assertThat(denied.get("resourceType").asText()).isEqualTo("TOPIC");
    }

    @Test
    void topicChangesAreAuditedWithTheirOutcomeAndConfigNamesButNotValues() throws Exception {
        admin.createTopics(List.of(new NewTopic("orders", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        admin.createTopics(List.of(new NewTopic("rehearsal", 1, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> alice.createTopics(List.of(new NewTopic("sneaky", 1, (short) 1))).all()
                .get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(TopicAuthorizationException.class);
        ConfigResource orders = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
        admin.incrementalAlterConfigs(Map.of(orders, List.of(new AlterConfigOp(
                new ConfigEntry("retention.ms", "1234567"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);

        JsonNode created = lines.about("change", "orders").get(0);
        assertThat(created.get("request").asText()).isEqualTo("CREATE_TOPICS");
        assertThat(created.get("principal").asText()).isEqualTo("User:admin");
        assertThat(created.get("resourceType").asText()).isEqualTo("TOPIC");
        assertThat(created.get("detail").asText()).isEqualTo("partitions=2 replication-factor=1");
        assertThat(created.get("outcome").asText()).isEqualTo("NONE");
        assertThat(lines.about("change", "rehearsal")).as("a validate-only request changes nothing").isEmpty();
        assertThat(lines.about("denied", "sneaky")).singleElement()
                .satisfies(line -> assertThat(line.get("operation").asText()).isEqualTo("CREATE"));
        assertThat(lines.about("change", "sneaky")).as("its denial's line says it all").isEmpty();
        JsonNode altered = lines.matching(line -> line.path("resourceType").asText().equals("TOPIC_CONFIG")).get(0);
        assertThat(altered.get("request").asText()).isEqualTo("INCREMENTAL_ALTER_CONFIGS");
        assertThat(altered.get("resource").asText()).isEqualTo("orders");
        assertThat(altered.get("detail").asText()).isEqualTo("SET retention.ms");
        assertThat(lines.raw()).noneMatch(line -> line.contains("1234567"));
    }

    @Test
    void securityChangesAreAuditedWithoutSecrets() throws Exception {
        admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("bob",
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), "bob-very-secret"))).all()
                .get(30, TimeUnit.SECONDS);
        admin.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders-", PatternType.PREFIXED),
                new AccessControlEntry("User:bob", "*", AclOperation.READ, AclPermissionType.ALLOW))))
                .all().get(30, TimeUnit.SECONDS);
        admin.alterClientQuotas(List.of(new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER,
                "bob")), List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1048576.0))))).all()
                .get(30, TimeUnit.SECONDS);

        JsonNode user = lines.about("change", "bob").get(0);
        assertThat(user.get("request").asText()).isEqualTo("ALTER_USER_SCRAM_CREDENTIALS");
        assertThat(user.get("detail").asText()).isEqualTo("upsert SCRAM-SHA-256 iterations=8192");
        assertThat(lines.raw()).noneMatch(line -> line.contains("bob-very-secret"));
        JsonNode acl = lines.about("change", "TOPIC:PREFIXED:orders-").get(0);
        assertThat(acl.get("request").asText()).isEqualTo("CREATE_ACLS");
        assertThat(acl.get("detail").asText()).isEqualTo("User:bob ALLOW READ from *");
        JsonNode quota = lines.about("change", "user=bob").get(0);
        assertThat(quota.get("detail").asText()).isEqualTo("producer_byte_rate=1048576.0");
        assertThat(quota.get("outcome").asText()).isEqualTo("NONE");
    }

    @Test
    void unregisteringABrokerIsAuditedWithItsOutcome() {
        assertThatThrownBy(() -> admin.unregisterBroker(7).all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(BrokerIdNotRegisteredException.class);

        JsonNode unregistered = lines.about("change", "7").get(0);
        assertThat(unregistered.get("request").asText()).isEqualTo("UNREGISTER_BROKER");
        assertThat(unregistered.get("resourceType").asText()).isEqualTo("BROKER");
        assertThat(unregistered.get("outcome").asText()).isEqualTo("BROKER_ID_NOT_REGISTERED");
    }

    @Test
    void aFailedAuthenticationIsAudited() {
        try (Admin intruder = admin("alice", "guess")) {
            assertThatThrownBy(() -> intruder.listTopics().names().get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
        // One per attempt: the client may have tried more than once before giving up.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(lines.matching(line ->
                line.get("event").asText().equals("authentication-failed"))).isNotEmpty().allSatisfy(line -> {
                    assertThat(line.get("mechanism").asText()).isEqualTo("SASL PLAIN");
                    assertThat(line.get("client").asText()).isEqualTo("127.0.0.1");
                    assertThat(line.get("principal").isNull()).isTrue();
                }));
        assertThat(lines.raw()).noneMatch(line -> line.contains("guess"));
    }
}
