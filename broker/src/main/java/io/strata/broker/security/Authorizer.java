package io.strata.broker.security;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.Resource;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.net.InetAddress;

/**
 * Decides whether a principal, connected from a host, may do an operation on a resource, as Kafka's
 * {@code Authorizer} does. The seam between the requests that ask and the ACLs that answer.
 */
@FunctionalInterface
public interface Authorizer {

    /** The name of the one cluster resource, as Kafka names it. */
    String CLUSTER = Resource.CLUSTER_NAME;

    /** Allows everything: a broker without an authorizer, as Kafka without {@code authorizer.class.name}. */
    Authorizer ALLOW_ALL = (principal, host, operation, type, name) -> true;

    boolean allowed(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type, String name);

    /** The error Kafka answers when a principal may not act on a resource of {@code type}. */
    static Errors denied(ResourceType type) {
        return switch (type) {
            case TOPIC -> Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> Errors.GROUP_AUTHORIZATION_FAILED;
            case TRANSACTIONAL_ID -> Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
            case CLUSTER -> Errors.CLUSTER_AUTHORIZATION_FAILED;
            default -> throw new IllegalArgumentException("no authorization error for resource type " + type);
        };
    }

    /**
     * Whether the principal may do {@code operation} on some resource of the type, as Kafka's
     * {@code authorizeByResourceType} asks for an idempotent producer's WRITE on any topic. By default, whether it
     * may on the wildcard resource.
     */
    default boolean allowedOnAny(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type) {
        return allowed(principal, host, operation, type, ResourcePattern.WILDCARD_RESOURCE);
    }
}
