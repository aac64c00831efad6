package io.strata.broker.config;

/** Which replica a partition's leader points consumers to (Kafka's {@code replica.selector.class}). */
public enum ReplicaSelector {
    /** Consumers fetch from the leader (Kafka's default, no selector). */
    LEADER,
    /**
     * A consumer that names its {@code client.rack} is pointed to an in-sync follower in that rack when the
     * leader is in another one (KIP-392, Kafka's {@code RackAwareReplicaSelector}).
     */
    RACK_AWARE
}
