package io.strata.broker.cluster;

import java.util.List;

/**
 * One partition as the replicated metadata knows it: the brokers holding a replica, which of them
 * leads, in which epoch, and which are in sync. Every broker derives from it whether it leads,
 * follows or does not hold the partition.
 *
 * <p>While a reassignment moves the partition (KIP-455), {@code replicas} holds the target replicas
 * followed by those being removed: the added ones copy the log as followers, and once all of the target
 * is in sync the partition settles on the target alone.
 *
 * @param replicas         the brokers holding a replica, the preferred leader first; empty only for a partition of
 *                         a log written before replicas were assigned, until a broker registers and adopts it
 * @param isr              the in-sync replicas, a subset of {@code replicas} that includes the leader
 * @param leader           the leading broker, or {@link #NO_LEADER}
 * @param leaderEpoch      raised with every change of leader, so a deposed leader's requests are recognised
 * @param addingReplicas   the replicas a reassignment adds, still catching up; empty when none moves the partition
 * @param removingReplicas the replicas a reassignment removes once the added ones are in sync
 */
public record PartitionImage(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                             List<Integer> addingReplicas, List<Integer> removingReplicas) {

    /** {@link #leader()} of a partition no broker leads. */
    public static final int NO_LEADER = -1;

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        addingReplicas = List.copyOf(addingReplicas);
        removingReplicas = List.copyOf(removingReplicas);
    }

    /** A partition no reassignment moves. */
    public PartitionImage(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {
        this(replicas, isr, leader, leaderEpoch, List.of(), List.of());
    }

    /** A new partition on {@code replicas}: all in sync, the first one leading, in epoch 0. */
    public static PartitionImage assigned(List<Integer> replicas) {
        return new PartitionImage(replicas, replicas, replicas.isEmpty() ? NO_LEADER : replicas.get(0), 0);
    }

    public boolean hasReplica(int nodeId) {
        return replicas.contains(nodeId);
    }

    /** Whether a reassignment is moving the partition. */
    public boolean isReassigning() {
        return !addingReplicas.isEmpty() || !removingReplicas.isEmpty();
    }

    /** The replicas the partition ends up on: all of them, less those a reassignment removes. */
    public List<Integer> targetReplicas() {
        return replicas.stream().filter(id -> !removingReplicas.contains(id)).toList();
    }

    /** The replicas before the reassignment in progress, if any: all of them, less those it adds. */
    public List<Integer> originalReplicas() {
        return replicas.stream().filter(id -> !addingReplicas.contains(id)).toList();
    }

    /**
     * Whether fewer replicas are in sync than the partition has, not counting those a reassignment adds: they
     * catch up by design. Kafka's rule, for its under-replicated metric and {@code kafka-topics}.
     */
    public boolean isUnderReplicated() {
        return isr.size() < replicas.size() - addingReplicas.size();
    }

    /**
     * The in-sync replicas an acks=all append needs under {@code minInsyncReplicas}: never more than the partition
     * has replicas, as in Kafka, so that a topic with fewer replicas than the setting asks for still takes them.
     */
    public int requiredInsyncReplicas(int minInsyncReplicas) {
        return Math.min(minInsyncReplicas, replicas.size());
    }

    /** Fewer in-sync replicas than an acks=all append needs under {@code minInsyncReplicas}. */
    public boolean isUnderMinIsr(int minInsyncReplicas) {
        return isr.size() < requiredInsyncReplicas(minInsyncReplicas);
    }

    /** The partition under another leader (or none), in the next leader epoch. */
    PartitionImage withLeader(int newLeader, List<Integer> newIsr) {
        return new PartitionImage(replicas, newIsr, newLeader, leaderEpoch + 1, addingReplicas, removingReplicas);
    }

    /** The partition with other in-sync replicas, under the same leader in the same epoch. */
    PartitionImage withIsr(List<Integer> newIsr) {
        return new PartitionImage(replicas, newIsr, leader, leaderEpoch, addingReplicas, removingReplicas);
    }
}
