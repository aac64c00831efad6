package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.config.AuthorizerConfig;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.SecurityUtils;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

import static io.strata.broker.config.SettingCheck.describe;

/**
 * Whether and how Kafka requests are authorized, checked once; see {@link AuthorizerConfig}. Immutable.
 *
 * @param superUsers principals that may do anything
 */
public record AuthorizerSettings(boolean enabled, Set<KafkaPrincipal> superUsers, boolean allowEveryoneIfNoAclFound) {

    public AuthorizerSettings {
        superUsers = Set.copyOf(superUsers);
    }

    public static AuthorizerSettings from(AuthorizerConfig config) {
        Set<KafkaPrincipal> superUsers = new LinkedHashSet<>();
        for (String entry : config.superUsers().orElse("").split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            try {
                superUsers.add(SecurityUtils.parseKafkaPrincipal(entry.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(describe("strata.super-users") + " names '" + entry.trim()
                        + "', which is not a principal such as User:alice (several are separated by ';')", e);
            }
        }
        return new AuthorizerSettings(config.authorizerEnabled(), superUsers, config.allowEveryoneIfNoAclFound());
    }

    /** The authorizer these settings make: the ACLs of {@code security}, or everything allowed when disabled. */
    public Authorizer authorizer(Supplier<SecurityImage> security) {
        return enabled ? new AclAuthorizer(security, superUsers, allowEveryoneIfNoAclFound) : Authorizer.ALLOW_ALL;
    }
}
