package io.strata.broker.cluster;

/** Which cluster this broker belongs to and its node id in it. */
public record BrokerIdentity(String clusterId, int nodeId) {
}
