package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataCommand.ReassignPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The transitions of the metadata that change partitions' replicas, in-sync replicas and leaders: the leader's
 * ISR changes, elections, reassignments, and what a fenced, returning or wiped broker does to the partitions it
 * holds. Deterministic functions of the image and the command, as {@link MetadataStateMachine} requires.
 */
final class PartitionTransitions {

    private PartitionTransitions() {
    }

    static Outcome alterPartition(MetadataImage image, AlterPartition c) {
        return onPartition(image, c.topicId(), c.partition(), (topic, partition, name) ->
                alterPartition(image, c, topic, partition, name));
    }

    private static Outcome alterPartition(MetadataImage image, AlterPartition c, TopicImage topic,
                                          PartitionImage partition, String name) {
        if (partition.leader() != c.leader() || partition.leaderEpoch() != c.leaderEpoch()) {
            return Outcome.failed(image, Errors.FENCED_LEADER_EPOCH, "Broker " + c.leader() + " in epoch "
                    + c.leaderEpoch() + " no longer leads " + name + " (leader "
                    + partition.leader() + ", epoch " + partition.leaderEpoch() + ").");
        }
        if (!c.isr().contains(c.leader()) || !partition.replicas().containsAll(c.isr())
                || c.isr().stream().distinct().count() != c.isr().size()) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "In-sync replicas " + c.isr() + " of "
                    + name + " must be distinct replicas of " + partition.replicas()
                    + " including the leader " + c.leader() + ".");
        }
        for (int id : c.isr()) {
            if (!partition.isr().contains(id) && image.liveBroker(id).isEmpty()) {
                return Outcome.failed(image, Errors.INELIGIBLE_REPLICA, "Broker " + id + " is fenced or not registered:"
                        + " it cannot join the in-sync replicas of " + name + ".");
            }
        }
        // Kept in replica order, so that every broker derives the same image whatever order the leader sent.
        List<Integer> isr = partition.replicas().stream().filter(c.isr()::contains).toList();
        if (isr.equals(partition.isr())) {
            return Outcome.ok(image);
        }
        PartitionImage altered = completeIfCaughtUp(image, partition.withIsr(isr));
        return Outcome.ok(image.withTopic(topic.withPartition(c.partition(), altered)));
    }

    /**
     * Starts, replaces or cancels a partition's reassignment, as Kafka's AlterPartitionReassignments (KIP-455).
     * A target starts one from the replicas the partition had before any reassignment in progress: the
     * replicas become the target followed by those it drops, the added ones follow the leader, and once all of
     * the target is in sync the partition settles on it ({@link #completeIfCaughtUp}). A target without new
     * replicas settles at once. An empty target cancels the reassignment in progress, back to the original
     * replicas. Every target replica must be registered and not fenced.
     */
    static Outcome reassignPartition(MetadataImage image, ReassignPartition c) {
        return onPartition(image, c.topicId(), c.partition(), (topic, partition, name) ->
                reassignPartition(image, c, topic, partition, name));
    }

    private static Outcome reassignPartition(MetadataImage image, ReassignPartition c, TopicImage topic,
                                             PartitionImage partition, String name) {
        List<Integer> original = partition.originalReplicas();
        List<Integer> target = c.targetReplicas();
        if (target.isEmpty()) {
            if (!partition.isReassigning()) {
                return Outcome.failed(image, Errors.NO_REASSIGNMENT_IN_PROGRESS,
                        "No reassignment of " + name + " is in progress.");
            }
            if (original.stream().noneMatch(partition.isr()::contains)) {
                return Outcome.failed(image, Errors.INVALID_REPLICA_ASSIGNMENT, "None of the original replicas "
                        + original + " of " + name + " is in sync: cancelling would lose its records.");
            }
            return Outcome.ok(image.withTopic(topic.withPartition(c.partition(), settle(image, partition, original))));
        }
        if (target.stream().distinct().count() != target.size()) {
            return Outcome.failed(image, Errors.INVALID_REPLICA_ASSIGNMENT,
                    "The target replicas " + target + " of " + name + " name a broker twice.");
        }
        for (int id : target) {
            if (image.liveBroker(id).isEmpty()) {
                return Outcome.failed(image, Errors.INVALID_REPLICA_ASSIGNMENT, "The target replicas " + target + " of "
                        + name + " include broker " + id + ", which is not registered or is fenced.");
            }
        }
        List<Integer> adding = target.stream().filter(id -> !original.contains(id)).toList();
        List<Integer> removing = original.stream().filter(id -> !target.contains(id)).toList();
        List<Integer> replicas = new ArrayList<>(target);
        replicas.addAll(removing);
        // Replaces a reassignment in progress: replicas it added that this one does not keep leave the ISR.
        List<Integer> isr = replicas.stream().filter(partition.isr()::contains).toList();
        PartitionImage moving = new PartitionImage(replicas, isr, partition.leader(), partition.leaderEpoch(),
                adding, removing);
        if (!replicas.contains(moving.leader())) {
            moving = moving.withLeader(nextLeader(image, moving, isr, PartitionImage.NO_LEADER), isr);
        }
        PartitionImage moved = adding.isEmpty() ? settle(image, moving, target) : completeIfCaughtUp(image, moving);
        return Outcome.ok(image.withTopic(topic.withPartition(c.partition(), moved)));
    }

    /** The partition settled on its reassignment's target once every target replica is in sync, else unchanged. */
    private static PartitionImage completeIfCaughtUp(MetadataImage image, PartitionImage partition) {
        if (!partition.isReassigning() || !partition.isr().containsAll(partition.targetReplicas())) {
            return partition;
        }
        return settle(image, partition, partition.targetReplicas());
    }

    /**
     * The partition on exactly {@code replicas}, no reassignment moving it: its in-sync replicas among them stay
     * in sync, and a leader not among them hands over to the first of them that is in sync and live, in a new epoch.
     */
    private static PartitionImage settle(MetadataImage image, PartitionImage partition, List<Integer> replicas) {
        List<Integer> isr = replicas.stream().filter(partition.isr()::contains).toList();
        PartitionImage settled = new PartitionImage(replicas, isr, partition.leader(), partition.leaderEpoch());
        return replicas.contains(settled.leader()) ? settled
                : settled.withLeader(nextLeader(image, settled, isr, PartitionImage.NO_LEADER), isr);
    }

    /**
     * Moves a partition's leadership as {@link Election} says, in a new epoch. ELECTION_NOT_NEEDED when the
     * preferred replica leads already (preferred) or a live broker leads (the others); otherwise, when no
     * replica may lead, PREFERRED_LEADER_NOT_AVAILABLE or ELIGIBLE_LEADERS_NOT_AVAILABLE.
     */
    static Outcome electLeader(MetadataImage image, ElectLeader c) {
        return onPartition(image, c.topicId(), c.partition(), (topic, partition, name) ->
                electLeader(image, c, topic, partition, name));
    }

    private static Outcome electLeader(MetadataImage image, ElectLeader c, TopicImage topic,
                                       PartitionImage partition, String name) {
        PartitionImage elected;
        if (c.election() == Election.PREFERRED) {
            int preferred = partition.replicas().isEmpty() ? PartitionImage.NO_LEADER : partition.replicas().get(0);
            if (preferred != PartitionImage.NO_LEADER && partition.leader() == preferred) {
                return Outcome.failed(image, Errors.ELECTION_NOT_NEEDED, "Broker " + preferred
                        + ", the preferred leader of " + name + ", leads it already.");
            }
            if (preferred == PartitionImage.NO_LEADER
                    || nextLeader(image, partition, partition.isr(), PartitionImage.NO_LEADER) != preferred) {
                return Outcome.failed(image, Errors.PREFERRED_LEADER_NOT_AVAILABLE, "The preferred leader of " + name
                        + ", broker " + preferred + ", is not live and in sync (in-sync replicas " + partition.isr() + ").");
            }
            elected = partition.withLeader(preferred, partition.isr());
        } else {
            if (image.liveBroker(partition.leader()).isPresent()) {
                return Outcome.failed(image, Errors.ELECTION_NOT_NEEDED, "Broker " + partition.leader() + " leads "
                        + name + ".");
            }
            int inSync = nextLeader(image, partition, partition.isr(), PartitionImage.NO_LEADER);
            int live = nextLeader(image, partition, partition.replicas(), PartitionImage.NO_LEADER);
            if (inSync != PartitionImage.NO_LEADER) {
                elected = partition.withLeader(inSync, partition.isr());
            } else if (c.election() == Election.UNCLEAN && live != PartitionImage.NO_LEADER) {
                elected = partition.withLeader(live, List.of(live));
            } else {
                return Outcome.failed(image, Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "No live replica of " + name
                        + " may lead: in-sync replicas " + partition.isr() + (c.election() == Election.UNCLEAN ? ""
                        : ", and its topic does not allow unclean leader election") + ".");
            }
        }
        return Outcome.ok(image.withTopic(topic.withPartition(c.partition(), elected)));
    }

    /**
     * Takes a fenced broker out of leadership: each partition it leads gets the first other in-sync replica
     * that is registered and not fenced, or no leader; it leaves every ISR it is not the last member of.
     */
    static MetadataImage stepDown(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> {
            if (!partition.isr().contains(nodeId)) {
                return partition;
            }
            List<Integer> isr = partition.isr().size() > 1
                    ? partition.isr().stream().filter(id -> id != nodeId).toList() : partition.isr();
            if (partition.leader() != nodeId) {
                return partition.withIsr(isr);
            }
            return partition.withLeader(nextLeader(image, partition, isr, nodeId), isr);
        });
    }

    /**
     * Takes a broker whose partition logs are gone out of every in-sync replica set, even as its last member
     * (the partition then has no leader until an unclean election), and out of leadership.
     */
    static MetadataImage forgetReplicas(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> {
            if (!partition.isr().contains(nodeId) && partition.leader() != nodeId) {
                return partition;
            }
            List<Integer> isr = partition.isr().stream().filter(id -> id != nodeId).toList();
            if (partition.leader() != nodeId) {
                return partition.withIsr(isr);
            }
            return partition.withLeader(nextLeader(image, partition, isr, nodeId), isr);
        });
    }

    /**
     * Who may lead {@code partition} next: its first replica, in assignment order (the preferred leader first),
     * that is among {@code candidates}, is not {@code excluded} and is registered and not fenced; or
     * {@link PartitionImage#NO_LEADER}. Every change of leader chooses through here.
     */
    private static int nextLeader(MetadataImage image, PartitionImage partition, List<Integer> candidates, int excluded) {
        return partition.replicas().stream()
                .filter(id -> id != excluded && candidates.contains(id))
                .filter(id -> image.liveBroker(id).isPresent())
                .findFirst().orElse(PartitionImage.NO_LEADER);
    }

    /** Gives a broker that is back the leadership of the partitions left without a leader that it is in sync for. */
    static MetadataImage leadAgain(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> partition.leader() == PartitionImage.NO_LEADER
                && partition.isr().contains(nodeId) ? partition.withLeader(nodeId, partition.isr()) : partition);
    }

    /** The image with {@code change} applied to every partition; topics it leaves alone stay the same objects. */
    private static MetadataImage mapPartitions(MetadataImage image, UnaryOperator<PartitionImage> change) {
        MetadataImage changed = image;
        for (TopicImage topic : image.topics()) {
            List<PartitionImage> states = topic.partitionStates().stream().map(change).toList();
            if (!states.equals(topic.partitionStates())) {
                changed = changed.withTopic(topic.withPartitionStates(states));
            }
        }
        return changed;
    }

    /** Gives {@code nodeId} the partitions written before replicas were assigned and held by nobody yet. */
    static MetadataImage adoptUnassigned(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> partition.replicas().isEmpty()
                ? PartitionImage.assigned(List.of(nodeId)) : partition);
    }

    /** What a command does to one partition that exists; {@code name} is its topic-partition name. */
    @FunctionalInterface
    interface PartitionChange {
        Outcome apply(TopicImage topic, PartitionImage partition, String name);
    }

    /** {@code change} applied to partition {@code index} of the topic, or UNKNOWN_TOPIC_OR_PARTITION. */
    static Outcome onPartition(MetadataImage image, Uuid topicId, int index, PartitionChange change) {
        TopicImage topic = image.topic(topicId).orElse(null);
        if (topic == null || index < 0 || index >= topic.partitions()) {
            return Outcome.failed(image, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "Partition " + index + " of topic id " + topicId + " does not exist.");
        }
        return change.apply(topic, topic.partition(index), topic.name() + "-" + index);
    }
}
