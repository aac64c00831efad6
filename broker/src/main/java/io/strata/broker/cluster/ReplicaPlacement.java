package io.strata.broker.cluster;

import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * Where new partitions' replicas go, as Kafka places them: the brokers are ordered so that racks
 * alternate, consecutive partitions take consecutive brokers of that order as their leader (so
 * leaders spread evenly over brokers and racks), and each partition's followers are taken from
 * the brokers after its leader, a rack not yet holding a replica first, with a shift that changes
 * every round of partitions so that follower sets differ. A random start spreads the leaders of
 * many small topics. A broker without a rack counts as a rack of its own.
 */
public final class ReplicaPlacement {

    private final List<BrokerImage> ordered;
    private final int start;
    private final int shift;

    /** @param random picks the first leader and the follower shift */
    public ReplicaPlacement(Collection<BrokerImage> brokers, RandomGenerator random) {
        this.ordered = rackAlternating(brokers);
        this.start = ordered.isEmpty() ? 0 : random.nextInt(ordered.size());
        this.shift = ordered.isEmpty() ? 0 : random.nextInt(ordered.size());
    }

    /**
     * Replicas for partitions {@code first} to {@code first + count - 1} of a topic, preferred leader first.
     *
     * @throws InvalidReplicationFactorException when fewer brokers are available than {@code replicationFactor}
     */
    public List<List<Integer>> place(int first, int count, short replicationFactor) {
        int brokers = ordered.size();
        if (replicationFactor > brokers) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor + " cannot be reached because only "
                    + brokers + " broker(s) are available.");
        }
        List<List<Integer>> assignment = new ArrayList<>(count);
        for (int p = first; p < first + count; p++) {
            assignment.add(replicas(p, replicationFactor));
        }
        return assignment;
    }

    private List<Integer> replicas(int partition, short replicationFactor) {
        int brokers = ordered.size();
        int leaderIndex = (start + partition) % brokers;
        BrokerImage leader = ordered.get(leaderIndex);
        List<BrokerImage> chosen = new ArrayList<>(replicationFactor);
        chosen.add(leader);
        List<BrokerImage> candidates = new ArrayList<>(brokers - 1);
        int roundShift = brokers > 1 ? (shift + partition / brokers) % (brokers - 1) : 0;
        for (int i = 0; i < brokers - 1; i++) {
            candidates.add(ordered.get((leaderIndex + 1 + (roundShift + i) % (brokers - 1)) % brokers));
        }
        Set<String> racks = new HashSet<>();
        racks.add(rackOf(leader));
        long rackCount = ordered.stream().map(ReplicaPlacement::rackOf).distinct().count();
        for (BrokerImage candidate : candidates) {
            if (chosen.size() == replicationFactor) {
                break;
            }
            if (racks.size() == rackCount) {
                racks.clear(); // every rack holds a replica: the next round may reuse them
            }
            if (racks.add(rackOf(candidate))) {
                chosen.add(candidate);
            }
        }
        for (BrokerImage candidate : candidates) {
            if (chosen.size() == replicationFactor) {
                break;
            }
            if (!chosen.contains(candidate)) {
                chosen.add(candidate);
            }
        }
        return chosen.stream().map(BrokerImage::nodeId).toList();
    }

    /**
     * Checks replicas chosen by a client or placed earlier: every partition names {@code replicationFactor}
     * distinct brokers, each of them registered.
     *
     * @throws InvalidReplicaAssignmentException naming the first partition that does not
     */
    public static void requireValid(MetadataImage image, List<List<Integer>> assignment, int replicationFactor) {
        for (int p = 0; p < assignment.size(); p++) {
            List<Integer> replicas = assignment.get(p);
            if (replicas.isEmpty() || replicas.size() != replicationFactor) {
                throw new InvalidReplicaAssignmentException("Partition " + p + " is assigned " + replicas.size()
                        + " replicas " + replicas + "; every partition needs the replication factor "
                        + replicationFactor + ", which must be at least 1.");
            }
            if (new HashSet<>(replicas).size() != replicas.size()) {
                throw new InvalidReplicaAssignmentException("Partition " + p + " names a broker twice: " + replicas + ".");
            }
            for (int nodeId : replicas) {
                if (image.broker(nodeId).isEmpty()) {
                    throw new InvalidReplicaAssignmentException("Partition " + p + " is assigned to broker " + nodeId
                            + ", which is not registered.");
                }
            }
        }
    }

    /** Brokers by rack, then the first of each rack, the second of each rack, and so on. */
    private static List<BrokerImage> rackAlternating(Collection<BrokerImage> brokers) {
        Map<String, List<BrokerImage>> byRack = new TreeMap<>();
        brokers.stream().sorted(Comparator.comparingInt(BrokerImage::nodeId))
                .forEach(broker -> byRack.computeIfAbsent(rackOf(broker), rack -> new ArrayList<>()).add(broker));
        List<BrokerImage> ordered = new ArrayList<>(brokers.size());
        for (int round = 0; ordered.size() < brokers.size(); round++) {
            for (List<BrokerImage> rack : byRack.values()) {
                if (round < rack.size()) {
                    ordered.add(rack.get(round));
                }
            }
        }
        return ordered;
    }

    private static String rackOf(BrokerImage broker) {
        return Objects.requireNonNullElse(broker.rack(), "\0no rack " + broker.nodeId());
    }
}
