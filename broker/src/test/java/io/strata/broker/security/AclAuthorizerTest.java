package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.apache.kafka.common.acl.AclOperation.ALTER;
import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

/** {@link AclAuthorizer}: Kafka's rules for matching ACLs and deciding, over the ACLs of a security image. */
class AclAuthorizerTest {

    private static final KafkaPrincipal ALICE = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");
    private static final KafkaPrincipal BOB = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "bob");
    private static final KafkaPrincipal ADMIN = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "admin");
    private static final InetAddress HOST = InetAddress.getLoopbackAddress();

    private final AtomicReference<SecurityImage> image = new AtomicReference<>(SecurityImage.EMPTY);
    private final AclAuthorizer authorizer = new AclAuthorizer(image::get, Set.of(ADMIN), false);

    private void add(ResourceType type, String name, PatternType pattern, String principal, String host,
                     AclOperation operation, AclPermissionType permission) {
        image.set(image.get().withAcl(Uuid.randomUuid(), new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, host, operation, permission))));
    }

    private boolean allowed(KafkaPrincipal principal, AclOperation operation, ResourceType type, String name) {
        return authorizer.allowed(principal, HOST, operation, type, name);
    }

    @Test
    void withoutAnyAclOnlySuperUsersMayActUnlessEveryoneIsAllowed() {
        assertThat(allowed(ALICE, READ, TOPIC, "orders")).isFalse();
        assertThat(allowed(ADMIN, ALTER, ResourceType.CLUSTER, Authorizer.CLUSTER)).isTrue();
        AclAuthorizer open = new AclAuthorizer(image::get, Set.of(), true);
        assertThat(open.allowed(ALICE, HOST, READ, TOPIC, "orders")).isTrue();
        add(TOPIC, "orders", PatternType.LITERAL, "User:bob", "*", READ, ALLOW);
        assertThat(open.allowed(ALICE, HOST, READ, TOPIC, "orders")).as("the topic has ACLs now").isFalse();
        assertThat(open.allowed(ALICE, HOST, READ, TOPIC, "payments")).isTrue();
    }

    @Test
    void literalWildcardAndPrefixedPatternsMatch() {
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", WRITE, ALLOW);
        add(TOPIC, "audit-", PatternType.PREFIXED, "User:alice", "*", READ, ALLOW);
        add(GROUP, "*", PatternType.LITERAL, "User:alice", "*", READ, ALLOW);
        assertThat(allowed(ALICE, WRITE, TOPIC, "orders")).isTrue();
        assertThat(allowed(ALICE, WRITE, TOPIC, "orders-2")).isFalse();
        assertThat(allowed(ALICE, READ, TOPIC, "audit-2026")).isTrue();
        assertThat(allowed(ALICE, READ, TOPIC, "audit")).isFalse();
        assertThat(allowed(ALICE, READ, GROUP, "any-group")).isTrue();
        assertThat(allowed(ALICE, READ, TOPIC, "any-group")).as("other resource type").isFalse();
        assertThat(allowed(BOB, WRITE, TOPIC, "orders")).as("other principal").isFalse();
    }

    @Test
    void denyBeatsAllowAndTheWildcardPrincipalCountsForEveryone() {
        add(TOPIC, "orders", PatternType.LITERAL, "User:*", "*", AclOperation.ALL, ALLOW);
        add(TOPIC, "ord", PatternType.PREFIXED, "User:bob", "*", WRITE, DENY);
        assertThat(allowed(ALICE, WRITE, TOPIC, "orders")).isTrue();
        assertThat(allowed(BOB, READ, TOPIC, "orders")).isTrue();
        assertThat(allowed(BOB, WRITE, TOPIC, "orders")).isFalse();
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", AclOperation.ALL, DENY);
        assertThat(allowed(ALICE, READ, TOPIC, "orders")).isFalse();
        assertThat(allowed(ADMIN, READ, TOPIC, "orders")).as("super users pass even a DENY").isTrue();
    }

    @Test
    void readWriteDeleteAndAlterImplyDescribeAndAlterConfigsImpliesDescribeConfigs() {
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", WRITE, ALLOW);
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", ALTER_CONFIGS, ALLOW);
        assertThat(allowed(ALICE, DESCRIBE, TOPIC, "orders")).isTrue();
        assertThat(allowed(ALICE, DESCRIBE_CONFIGS, TOPIC, "orders")).isTrue();
        assertThat(allowed(ALICE, READ, TOPIC, "orders")).isFalse();
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", DESCRIBE, DENY);
        assertThat(allowed(ALICE, DESCRIBE, TOPIC, "orders")).as("a DENY of DESCRIBE is not lifted by WRITE").isFalse();
        assertThat(allowed(ALICE, WRITE, TOPIC, "orders")).as("nor does it deny WRITE").isTrue();
    }

    @Test
    void aHostFilterMatchesOnlyThatAddress() throws Exception {
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "10.0.0.7", READ, ALLOW);
        assertThat(allowed(ALICE, READ, TOPIC, "orders")).isFalse();
        assertThat(authorizer.allowed(ALICE, InetAddress.getByName("10.0.0.7"), READ, TOPIC, "orders")).isTrue();
    }

    @Test
    void anAllowOnSomeResourceOfTheTypeThatNoDenyCoversAllowsOnAny() {
        assertThat(authorizer.allowedOnAny(ALICE, HOST, WRITE, TOPIC)).isFalse();
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", WRITE, ALLOW);
        assertThat(authorizer.allowedOnAny(ALICE, HOST, WRITE, TOPIC)).isTrue();
        assertThat(authorizer.allowedOnAny(ALICE, HOST, WRITE, GROUP)).isFalse();
        assertThat(authorizer.allowedOnAny(BOB, HOST, WRITE, TOPIC)).isFalse();
        add(TOPIC, "ord", PatternType.PREFIXED, "User:alice", "*", WRITE, DENY);
        assertThat(authorizer.allowedOnAny(ALICE, HOST, WRITE, TOPIC)).isFalse();
        assertThat(authorizer.allowedOnAny(ADMIN, HOST, WRITE, TOPIC)).isTrue();
    }

    @Test
    void decisionsFollowTheAclsAsTheyChange() {
        add(TOPIC, "orders", PatternType.LITERAL, "User:alice", "*", READ, ALLOW);
        assertThat(allowed(ALICE, READ, TOPIC, "orders")).isTrue();
        image.set(image.get().withoutAcls(image.get().acls().keySet()));
        assertThat(allowed(ALICE, READ, TOPIC, "orders")).isFalse();
    }
}
