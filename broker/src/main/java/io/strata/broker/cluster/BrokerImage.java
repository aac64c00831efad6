package io.strata.broker.cluster;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A broker registered in the replicated metadata, with the endpoint of each of its listeners that clients and
 * the other brokers are told to use.
 *
 * @param endpoints one per listener, in the order the broker lists its listeners
 * @param rack      {@code null} when the broker has no rack
 * @param fenced    whether the metadata quorum lost sight of the broker since it registered: it leads
 *                  nothing, gets no new replicas and is not listed to clients until it is back
 */
public record BrokerImage(int nodeId, List<Endpoint> endpoints, String rack, boolean fenced) {

    public BrokerImage {
        endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
    }

    /**
     * The broker's endpoint on {@code listener}: a client is told of the brokers as they are reached on the
     * listener its request came in on, and brokers reach each other on the inter-broker listener. Empty when the
     * broker has no such listener. The one endpoint of a registration from before brokers had several listeners
     * ({@link Endpoint#UNNAMED_LISTENER}) is on every listener.
     */
    public Optional<Endpoint> endpoint(String listener) {
        Optional<Endpoint> named = endpoints.stream().filter(endpoint -> endpoint.listener().equals(listener))
                .findFirst();
        if (named.isEmpty() && endpoints.size() == 1 && endpoints.get(0).listener().equals(Endpoint.UNNAMED_LISTENER)) {
            return Optional.of(endpoints.get(0));
        }
        return named;
    }

    /**
     * The endpoint to name the broker by where one must stand for all (the REST API's brokers): its first one that is
     * not on {@code interBrokerListener}, as that is the one clients use, or its first when it has no other.
     */
    public Endpoint clientEndpoint(String interBrokerListener) {
        return endpoints.stream().filter(endpoint -> !endpoint.listener().equals(interBrokerListener)).findFirst()
                .orElse(endpoints.get(0));
    }

    BrokerImage withFenced(boolean value) {
        return new BrokerImage(nodeId, endpoints, rack, value);
    }
}
