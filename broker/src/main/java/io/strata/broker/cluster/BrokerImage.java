package io.strata.broker.cluster;

import java.util.Objects;

/**
 * A broker registered in the replicated metadata, with the endpoint clients are told to use.
 *
 * @param rack {@code null} when the broker has no rack
 */
public record BrokerImage(int nodeId, String host, int port, String rack) {

    public BrokerImage {
        Objects.requireNonNull(host, "host");
    }
}
