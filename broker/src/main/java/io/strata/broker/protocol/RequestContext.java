package io.strata.broker.protocol;

import org.apache.kafka.common.requests.RequestHeader;

import java.net.SocketAddress;

/** What a handler knows about the request beyond its body: its header and where it came from. */
public record RequestContext(RequestHeader header, SocketAddress clientAddress) {

    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }
}
