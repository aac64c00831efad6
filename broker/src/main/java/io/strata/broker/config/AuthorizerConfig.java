package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.Optional;

/**
 * Authorization of Kafka requests by the ACLs of the replicated metadata, as Kafka's {@code StandardAuthorizer}:
 * {@code STRATA_AUTHORIZER_ENABLED}, {@code STRATA_SUPER_USERS}, {@code STRATA_ALLOW_EVERYONE_IF_NO_ACL_FOUND}.
 */
@Unremovable
@ConfigMapping(prefix = "strata")
public interface AuthorizerConfig {

    /** Whether requests are checked against the ACLs; off by default, when everyone may do everything. */
    @WithName("authorizer.enabled")
    @WithDefault("false")
    boolean authorizerEnabled();

    /** Kafka's {@code super.users}: principals that may do anything, as {@code User:alice;User:bob}. */
    @WithName("super-users")
    Optional<String> superUsers();

    /** Kafka's {@code allow.everyone.if.no.acl.found}: whether a resource no ACL matches is open to everyone. */
    @WithName("allow-everyone-if-no-acl-found")
    @WithDefault("false")
    boolean allowEveryoneIfNoAclFound();
}
