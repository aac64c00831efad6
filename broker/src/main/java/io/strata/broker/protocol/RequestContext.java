package io.strata.broker.protocol;

import io.strata.broker.security.AuditLog;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.ResourceType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a handler knows about the request beyond its body: its header, where it came from, who sent it, and the
 * event loop of its connection. A handler that waits (a Fetch long poll) schedules its wake-ups there, so the thread that
 * completes the request is the one that writes the response: an idle consumer's poll costs no thread hand-over.
 */
public record RequestContext(RequestHeader header, SocketAddress clientAddress, ScheduledExecutorService eventLoop,
                             ClientSession session) {

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }

    /** The name of the listener the request came in on. */
    public String listener() {
        return session.listener();
    }

    /**
     * Whether the client may do {@code operation} on the resource (always, on a broker without an authorizer); a
     * refusal goes to the {@link AuditLog}.
     */
    public boolean allowed(AclOperation operation, ResourceType type, String name) {
        boolean allowed = allowedSilently(operation, type, name);
        if (!allowed) {
            AuditLog.denied(header.apiKey().name(), session.principal(), clientHost(), operation, type, name);
        }
        return allowed;
    }

    /**
     * {@link #allowed} without an audit line for a refusal, for what Kafka asks with {@code logIfDenied} false: a
     * check that only narrows an answer (the topics a listing shows, the authorized operations it reports) or
     * tries a broader permission before the one the request needs.
     */
    public boolean allowedSilently(AclOperation operation, ResourceType type, String name) {
        return session.allowed(clientHost(), operation, type, name);
    }

    /** Whether the client may do {@code operation} on some resource of the type (Kafka's authorizeByResourceType). */
    public boolean allowedOnAny(AclOperation operation, ResourceType type) {
        return session.allowedOnAny(clientHost(), operation, type);
    }

    /** The client's address, as the authorizer and the audit log take it; null for a non-IP channel. */
    public InetAddress clientHost() {
        return clientAddress instanceof InetSocketAddress address ? address.getAddress() : null;
    }

    /** Whether the client may do {@code operation} on the cluster; a refusal goes to the {@link AuditLog}. */
    public boolean allowedOnCluster(AclOperation operation) {
        return allowed(operation, ResourceType.CLUSTER, Authorizer.CLUSTER);
    }

    /** {@link #allowedOnCluster} without an audit line, as {@link #allowedSilently}. */
    public boolean allowedOnClusterSilently(AclOperation operation) {
        return allowedSilently(operation, ResourceType.CLUSTER, Authorizer.CLUSTER);
    }
}
