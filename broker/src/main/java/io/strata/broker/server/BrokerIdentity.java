package io.strata.broker.server;

/** Which cluster this broker belongs to and its node id in it. */
public record BrokerIdentity(String clusterId, int nodeId) {
}
