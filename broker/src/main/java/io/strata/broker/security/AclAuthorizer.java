package io.strata.broker.security;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The ACLs of the replicated metadata, applied as Kafka's {@code StandardAuthorizer} applies them. An ACL
 * matches a request when its pattern matches the resource (a literal name, the literal wildcard {@code *}, or a
 * prefix of the name), its principal is the request's or {@code User:*}, and its host is the client's address or
 * {@code *}. Then: super users may do anything; a matching DENY of the operation (or of ALL) refuses; a matching
 * ALLOW of the operation, of ALL, or of an operation that implies it (READ, WRITE, DELETE and ALTER imply DESCRIBE;
 * ALTER_CONFIGS implies DESCRIBE_CONFIGS) allows; and a resource that no ACL at all matches is allowed only with
 * {@code allow.everyone.if.no.acl.found}. Thread-safe: each decision reads the current ACLs, indexed once per
 * change.
 */
public final class AclAuthorizer implements Authorizer {

    /** The principal of an ACL for every user. */
    private static final String WILDCARD_PRINCIPAL = "User:*";
    /** The host of an ACL for every address. */
    private static final String WILDCARD_HOST = "*";
    private static final Map<AclOperation, Set<AclOperation>> IMPLIED_BY = Map.of(
            AclOperation.DESCRIBE, Set.of(AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER),
            AclOperation.DESCRIBE_CONFIGS, Set.of(AclOperation.ALTER_CONFIGS));

    private final Supplier<SecurityImage> security;
    private final Set<KafkaPrincipal> superUsers;
    private final boolean allowEveryoneIfNoAclFound;
    private volatile Index index = new Index(SecurityImage.EMPTY);

    public AclAuthorizer(Supplier<SecurityImage> security, Set<KafkaPrincipal> superUsers,
                         boolean allowEveryoneIfNoAclFound) {
        this.security = security;
        this.superUsers = Set.copyOf(superUsers);
        this.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound;
    }

    @Override
    public boolean allowed(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type,
                           String name) {
        if (superUsers.contains(principal)) {
            return true;
        }
        String address = host == null ? null : host.getHostAddress();
        String user = principal.toString();
        boolean found = false;
        boolean allowed = false;
        for (AclBinding acl : current().matching(type, name)) {
            found = true;
            AccessControlEntry entry = acl.entry();
            if (!entry.principal().equals(user) && !entry.principal().equals(WILDCARD_PRINCIPAL)
                    || !entry.host().equals(address) && !entry.host().equals(WILDCARD_HOST)) {
                continue;
            }
            if (entry.permissionType() == AclPermissionType.DENY) {
                if (entry.operation() == operation || entry.operation() == AclOperation.ALL) {
                    return false;
                }
            } else if (entry.operation() == operation || entry.operation() == AclOperation.ALL
                    || IMPLIED_BY.getOrDefault(operation, Set.of()).contains(entry.operation())) {
                allowed = true;
            }
        }
        return allowed || !found && allowEveryoneIfNoAclFound;
    }

    /**
     * Allowed when an ACL allows the operation to the principal on some resource of the type that no DENY covers, as
     * Kafka decides an idempotent producer's WRITE on any topic.
     */
    @Override
    public boolean allowedOnAny(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type) {
        // A name no resource can have: allowed only by the literal wildcard, or by no ACL with the open default.
        if (superUsers.contains(principal) || allowed(principal, host, operation, type, "/any")) {
            return true;
        }
        String user = principal.toString();
        String address = host == null ? null : host.getHostAddress();
        for (AclBinding acl : current().image.acls().values()) {
            AccessControlEntry entry = acl.entry();
            if (acl.pattern().resourceType() == type && entry.permissionType() == AclPermissionType.ALLOW
                    && (entry.principal().equals(user) || entry.principal().equals(WILDCARD_PRINCIPAL))
                    && (entry.host().equals(address) || entry.host().equals(WILDCARD_HOST))
                    && (entry.operation() == operation || entry.operation() == AclOperation.ALL)
                    && allowed(principal, host, operation, type, acl.pattern().name())) {
                return true;
            }
        }
        return false;
    }

    private Index current() {
        SecurityImage image = security.get();
        Index known = index;
        if (known.image != image) {
            known = new Index(image);
            index = known;
        }
        return known;
    }

    /** The ACLs of one image by resource type: literal ones by name (the wildcard among them), prefixed ones listed. */
    private static final class Index {
        final SecurityImage image;
        final Map<ResourceType, Map<String, List<AclBinding>>> literal = new EnumMap<>(ResourceType.class);
        final Map<ResourceType, List<AclBinding>> prefixed = new EnumMap<>(ResourceType.class);

        Index(SecurityImage image) {
            this.image = image;
            for (AclBinding acl : image.acls().values()) {
                ResourcePattern pattern = acl.pattern();
                if (pattern.patternType() == PatternType.PREFIXED) {
                    prefixed.computeIfAbsent(pattern.resourceType(), t -> new ArrayList<>()).add(acl);
                } else {
                    literal.computeIfAbsent(pattern.resourceType(), t -> new HashMap<>())
                            .computeIfAbsent(pattern.name(), n -> new ArrayList<>()).add(acl);
                }
            }
        }

        List<AclBinding> matching(ResourceType type, String name) {
            List<AclBinding> matches = new ArrayList<>();
            Map<String, List<AclBinding>> byName = literal.getOrDefault(type, Map.of());
            matches.addAll(byName.getOrDefault(name, List.of()));
            if (!name.equals(ResourcePattern.WILDCARD_RESOURCE)) {
                matches.addAll(byName.getOrDefault(ResourcePattern.WILDCARD_RESOURCE, List.of()));
            }
            for (AclBinding acl : prefixed.getOrDefault(type, List.of())) {
                if (name.startsWith(acl.pattern().name())) {
                    matches.add(acl);
                }
            }
            return matches;
        }
    }
}
