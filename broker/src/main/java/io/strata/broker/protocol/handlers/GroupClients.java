package io.strata.broker.protocol.handlers;

import io.strata.broker.group.ClientContext;
import io.strata.broker.protocol.RequestContext;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** What the group coordinator records about the client of a group request. */
final class GroupClients {

    private GroupClients() {
    }

    static ClientContext of(RequestContext context) {
        return new ClientContext(context.apiVersion(), context.clientId() == null ? "" : context.clientId(),
                host(context.clientAddress()));
    }

    /** The client's address as Kafka reports a member's host: {@code /127.0.0.1}. */
    private static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().toString();
        }
        return address == null ? "" : address.toString();
    }
}
