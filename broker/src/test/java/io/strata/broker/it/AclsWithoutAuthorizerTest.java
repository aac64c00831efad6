package io.strata.broker.it;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With the authorizer off (the default), the ACL APIs refuse as Kafka's do without an authorizer. */
class AclsWithoutAuthorizerTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();

    @Test
    void creatingDescribingAndDeletingAclsIsAnsweredSecurityDisabled() {
        AclBinding acl = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
        try (Admin admin = broker.admin()) {
            assertThatThrownBy(() -> admin.createAcls(List.of(acl)).all().get())
                    .hasCauseInstanceOf(SecurityDisabledException.class)
                    .hasMessageContaining("STRATA_AUTHORIZER_ENABLED");
            assertThatThrownBy(() -> admin.describeAcls(AclBindingFilter.ANY).values().get())
                    .hasCauseInstanceOf(SecurityDisabledException.class);
            assertThatThrownBy(() -> admin.deleteAcls(List.of(AclBindingFilter.ANY)).all().get())
                    .hasCauseInstanceOf(SecurityDisabledException.class);
        }
    }
}
