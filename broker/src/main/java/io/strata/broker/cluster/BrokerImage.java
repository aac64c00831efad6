package io.strata.broker.cluster;

import java.util.Objects;

/**
 * A broker registered in the replicated metadata, with the endpoint clients are told to use.
 *
 * @param rack   {@code null} when the broker has no rack
 * @param fenced whether the metadata quorum lost sight of the broker since it registered: it leads
 *               nothing, gets no new replicas and is not listed to clients until it is back
 */
public record BrokerImage(int nodeId, String host, int port, String rack, boolean fenced) {

    public BrokerImage {
        Objects.requireNonNull(host, "host");
    }

    BrokerImage withFenced(boolean value) {
        return new BrokerImage(nodeId, host, port, rack, value);
    }
}
