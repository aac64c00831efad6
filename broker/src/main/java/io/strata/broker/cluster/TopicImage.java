package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A topic as the replicated metadata knows it.
 *
 * @param configs the topic's own config overrides (validated, normalised), sorted by name; the
 *                values it runs with come from {@code TopicConfigCatalog.effective}
 */
public record TopicImage(String name, Uuid topicId, int partitions, short replicationFactor,
                         Map<String, String> configs) {

    public TopicImage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        configs = configs == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(configs));
    }

    TopicImage withPartitions(int count) {
        return new TopicImage(name, topicId, count, replicationFactor, configs);
    }

    TopicImage withConfigs(Map<String, String> newConfigs) {
        return new TopicImage(name, topicId, partitions, replicationFactor, newConfigs);
    }
}
