package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic as the replicated metadata knows it.
 *
 * @param partitionStates each partition's replicas and leadership, by partition index
 * @param configs         the topic's own config overrides (validated, normalised), sorted by name; the
 *                        values it runs with come from {@code TopicConfigCatalog.effective}
 */
public record TopicImage(String name, Uuid topicId, List<PartitionImage> partitionStates, short replicationFactor,
                         Map<String, String> configs) {

    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        partitionStates = List.copyOf(partitionStates);
        configs = configs == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(configs));
    }

    /** How many partitions the topic has. */
    public int partitions() {
        return partitionStates.size();
    }

    /** Partition {@code index}'s state; {@code index} must be below {@link #partitions()}. */
    public PartitionImage partition(int index) {
        return partitionStates.get(index);
    }

    /** The topic with {@code added} partitions after its current ones. */
    TopicImage withAddedPartitions(List<PartitionImage> added) {
        List<PartitionImage> all = new ArrayList<>(partitionStates);
        all.addAll(added);
        return new TopicImage(name, topicId, all, replicationFactor, configs);
    }

    TopicImage withPartitionStates(List<PartitionImage> states) {
        return new TopicImage(name, topicId, states, replicationFactor, configs);
    }

    /** The topic with partition {@code index} in {@code state}. */
    TopicImage withPartition(int index, PartitionImage state) {
        List<PartitionImage> states = new ArrayList<>(partitionStates);
        states.set(index, state);
        return withPartitionStates(states);
    }

    TopicImage withConfigs(Map<String, String> newConfigs) {
        return new TopicImage(name, topicId, partitionStates, replicationFactor, newConfigs);
    }
}
