package io.strata.broker.cluster;

import java.util.List;

/**
 * One partition as the replicated metadata knows it: the brokers holding a replica, which of them
 * leads, in which epoch, and which are in sync. Every broker derives from it whether it leads,
 * follows or does not hold the partition.
 *
 * @param replicas    the brokers holding a replica, the preferred leader first; empty only for a partition of a
 *                    log written before replicas were assigned, until a broker registers and adopts it
 * @param isr         the in-sync replicas, a subset of {@code replicas} that includes the leader
 * @param leader      the leading broker, or {@link #NO_LEADER}
 * @param leaderEpoch raised with every change of leader, so a deposed leader's requests are recognised
 */
public record PartitionImage(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch) {

    /** {@link #leader()} of a partition no broker leads. */
    public static final int NO_LEADER = -1;

    public PartitionImage {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /** A new partition on {@code replicas}: all in sync, the first one leading, in epoch 0. */
    public static PartitionImage assigned(List<Integer> replicas) {
        return new PartitionImage(replicas, replicas, replicas.isEmpty() ? NO_LEADER : replicas.get(0), 0);
    }

    public boolean hasReplica(int nodeId) {
        return replicas.contains(nodeId);
    }

    /** The partition under another leader (or none), in the next leader epoch. */
    PartitionImage withLeader(int newLeader, List<Integer> newIsr) {
        return new PartitionImage(replicas, newIsr, newLeader, leaderEpoch + 1);
    }
}
