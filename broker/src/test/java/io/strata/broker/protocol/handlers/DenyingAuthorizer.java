package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.ClientSession;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * An authorizer that allows everything but the operations a test denies on named resources, and the request contexts
 * of a client it decides for.
 */
final class DenyingAuthorizer implements Authorizer {

    static final KafkaPrincipal CLIENT = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");

    private record Denial(AclOperation operation, ResourceType type, String name) {
    }

    private final Set<Denial> denied = ConcurrentHashMap.newKeySet();

    DenyingAuthorizer deny(AclOperation operation, ResourceType type, String name) {
        denied.add(new Denial(operation, type, name));
        return this;
    }

    DenyingAuthorizer denyOnCluster(AclOperation... operations) {
        for (AclOperation operation : operations) {
            deny(operation, ResourceType.CLUSTER, Authorizer.CLUSTER);
        }
        return this;
    }

    @Override
    public boolean allowed(KafkaPrincipal principal, InetAddress host, AclOperation operation, ResourceType type,
                           String name) {
        return !denied.contains(new Denial(operation, type, name));
    }

    RequestContext context(ApiKeys api, short version) {
        return context(api, version, null);
    }

    RequestContext context(ApiKeys api, short version, ScheduledExecutorService eventLoop) {
        return new RequestContext(new RequestHeader(api, version, "client", 1),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000), eventLoop,
                new ClientSession("PLAINTEXT", null, () -> CLIENT, this));
    }
}
