package io.strata.broker.cluster;

import io.strata.tiered.RemoteManifest;
import org.apache.kafka.common.Uuid;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An immutable snapshot of the replicated metadata: the cluster id, topics (by name and by id) with
 * their partitions' replicas and leaders, registered brokers, the data directory each node runs on,
 * the producer-id counter and each partition's manifest of tiered segments. The state machine replaces its image atomically after
 * every change, so a reader takes {@code image()} once and sees one consistent state.
 */
public final class MetadataImage {

    public static final MetadataImage EMPTY = new MetadataImage(null, Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
            Map.of(), SecurityImage.EMPTY, 0, 0);

    /** The cluster's id, agreed by the first broker to commit one; null until then. */
    private final String clusterId;
    private final Map<String, TopicImage> topicsByName;
    private final Map<Uuid, TopicImage> topicsById;
    private final Map<Integer, BrokerImage> brokers;
    /** Per node id, the id of the data directory it registered last (see {@link MetadataCommand.RegisterDirectory}). */
    private final Map<Integer, Uuid> directories;
    /** Per topic id and partition, the tiered log; partitions with nothing ever tiered are absent. */
    private final Map<Uuid, Map<Integer, RemoteManifest>> remoteManifests;
    /** The dynamic broker configs, by broker: a node id, or "" for the cluster-wide defaults; each sorted by name. */
    private final Map<String, Map<String, String>> brokerConfigs;
    private final SecurityImage security;
    private final long nextProducerId;
    private final long version;

    private MetadataImage(String clusterId, Map<String, TopicImage> topicsByName, Map<Uuid, TopicImage> topicsById,
                          Map<Integer, BrokerImage> brokers, Map<Integer, Uuid> directories,
                          Map<Uuid, Map<Integer, RemoteManifest>> remoteManifests,
                          Map<String, Map<String, String>> brokerConfigs, SecurityImage security, long nextProducerId,
                          long version) {
        this.clusterId = clusterId;
        this.topicsByName = topicsByName;
        this.topicsById = topicsById;
        this.brokers = brokers;
        this.directories = directories;
        this.remoteManifests = remoteManifests;
        this.brokerConfigs = brokerConfigs;
        this.security = security;
        this.nextProducerId = nextProducerId;
        this.version = version;
    }

    /** Builds an image from its parts (snapshots, tests). */
    static MetadataImage of(Collection<TopicImage> topics, Collection<BrokerImage> brokers, long nextProducerId,
                            long version) {
        return of(null, topics, brokers, Map.of(), Map.of(), Map.of(), SecurityImage.EMPTY, nextProducerId, version);
    }

    /** Builds an image from its parts. */
    static MetadataImage of(String clusterId, Collection<TopicImage> topics, Collection<BrokerImage> brokers,
                            Map<Integer, Uuid> directories, Map<Uuid, Map<Integer, RemoteManifest>> remoteManifests,
                            Map<String, Map<String, String>> brokerConfigs, SecurityImage security,
                            long nextProducerId, long version) {
        Map<String, TopicImage> byName = new TreeMap<>();
        Map<Uuid, TopicImage> byId = new HashMap<>();
        for (TopicImage topic : topics) {
            if (byName.put(topic.name(), topic) != null || byId.put(topic.topicId(), topic) != null) {
                throw new IllegalArgumentException("duplicate topic " + topic.name() + " / " + topic.topicId());
            }
        }
        Map<Integer, BrokerImage> brokerMap = new TreeMap<>();
        for (BrokerImage broker : brokers) {
            brokerMap.put(broker.nodeId(), broker);
        }
        Map<Uuid, Map<Integer, RemoteManifest>> manifests = new HashMap<>();
        remoteManifests.forEach((topicId, partitions) ->
                manifests.put(topicId, Collections.unmodifiableMap(new TreeMap<>(partitions))));
        return new MetadataImage(clusterId, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId),
                Collections.unmodifiableMap(brokerMap), Collections.unmodifiableMap(new TreeMap<>(directories)),
                Collections.unmodifiableMap(manifests), sortedConfigs(brokerConfigs), security, nextProducerId, version);
    }

    private static Map<String, Map<String, String>> sortedConfigs(Map<String, Map<String, String>> configs) {
        Map<String, Map<String, String>> sorted = new TreeMap<>();
        configs.forEach((broker, values) -> sorted.put(broker, Collections.unmodifiableMap(new TreeMap<>(values))));
        return Collections.unmodifiableMap(sorted);
    }

    /** The cluster's id; empty until a broker has committed one. */
    public Optional<String> clusterId() {
        return Optional.ofNullable(clusterId);
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(name == null ? null : topicsByName.get(name));
    }

    public Optional<TopicImage> topic(Uuid topicId) {
        return Optional.ofNullable(topicId == null ? null : topicsById.get(topicId));
    }

    /** All topics, sorted by name. */
    public Collection<TopicImage> topics() {
        return topicsByName.values();
    }

    /** Topics by name, sorted by name; unmodifiable. */
    public Map<String, TopicImage> topicsByName() {
        return topicsByName;
    }

    /** Topics by id; unmodifiable. */
    public Map<Uuid, TopicImage> topicsById() {
        return topicsById;
    }

    /** Registered brokers, sorted by node id. */
    public Collection<BrokerImage> brokers() {
        return brokers.values();
    }

    /** Registered brokers that are not fenced, sorted by node id: the ones clients are told of. */
    public List<BrokerImage> liveBrokers() {
        return brokers.values().stream().filter(broker -> !broker.fenced()).toList();
    }

    /** The broker, if it is registered and not fenced. */
    public Optional<BrokerImage> liveBroker(int nodeId) {
        return broker(nodeId).filter(broker -> !broker.fenced());
    }

    public Optional<BrokerImage> broker(int nodeId) {
        return Optional.ofNullable(brokers.get(nodeId));
    }

    /** The id of the data directory node {@code nodeId} registered last; empty if it registered none. */
    public Optional<Uuid> directory(int nodeId) {
        return Optional.ofNullable(directories.get(nodeId));
    }

    /** The data directory of every node that registered one, by node id; unmodifiable. */
    public Map<Integer, Uuid> directories() {
        return directories;
    }

    /** The tiered log of the partition; empty if nothing was tiered (or there is no such partition). */
    public RemoteManifest remoteManifest(Uuid topicId, int partition) {
        return remoteManifests.getOrDefault(topicId, Map.of()).getOrDefault(partition, RemoteManifest.EMPTY);
    }

    /** Every tiered log, by topic id and partition; unmodifiable. */
    Map<Uuid, Map<Integer, RemoteManifest>> remoteManifests() {
        return remoteManifests;
    }

    /** The dynamic configs of {@code broker} (a node id, or "" for the cluster-wide defaults), sorted by name. */
    public Map<String, String> brokerConfigs(String broker) {
        return brokerConfigs.getOrDefault(broker, Map.of());
    }

    /** Every broker's dynamic configs; unmodifiable. */
    Map<String, Map<String, String>> brokerConfigs() {
        return brokerConfigs;
    }

    MetadataImage withBrokerConfigs(String broker, Map<String, String> configs) {
        Map<String, Map<String, String>> changed = new TreeMap<>(brokerConfigs);
        if (configs.isEmpty()) {
            changed.remove(broker);
        } else {
            changed.put(broker, configs);
        }
        return new MetadataImage(clusterId, topicsByName, topicsById, brokers, directories, remoteManifests,
                sortedConfigs(changed), security, nextProducerId, version + 1);
    }

    /** The users' SCRAM credentials, the ACLs and the client quotas. */
    public SecurityImage security() {
        return security;
    }

    MetadataImage withSecurity(SecurityImage changed) {
        return new MetadataImage(clusterId, topicsByName, topicsById, brokers, directories, remoteManifests, brokerConfigs,
                changed, nextProducerId, version + 1);
    }

    /** The first id of the next producer-id block; ids below it have been handed out. */
    public long nextProducerId() {
        return nextProducerId;
    }

    /** How many state changes produced this image; grows by one with each change. */
    public long version() {
        return version;
    }

    MetadataImage withTopic(TopicImage topic) {
        Map<String, TopicImage> byName = new TreeMap<>(topicsByName);
        Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
        TopicImage previous = byId.get(topic.topicId());
        if (previous != null && !previous.name().equals(topic.name())) {
            byName.remove(previous.name());
        }
        byName.put(topic.name(), topic);
        byId.put(topic.topicId(), topic);
        return new MetadataImage(clusterId, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId), brokers,
                directories, remoteManifests, brokerConfigs, security, nextProducerId, version + 1);
    }

    MetadataImage withoutTopic(TopicImage topic) {
        Map<String, TopicImage> byName = new TreeMap<>(topicsByName);
        Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
        byName.remove(topic.name());
        byId.remove(topic.topicId());
        Map<Uuid, Map<Integer, RemoteManifest>> manifests = new HashMap<>(remoteManifests);
        manifests.remove(topic.topicId());
        return new MetadataImage(clusterId, Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId), brokers,
                directories, Collections.unmodifiableMap(manifests), brokerConfigs, security, nextProducerId, version + 1);
    }

    MetadataImage withBroker(BrokerImage broker) {
        return withBrokers(brokerMap -> brokerMap.put(broker.nodeId(), broker));
    }

    MetadataImage withoutBroker(int nodeId) {
        return withBrokers(brokerMap -> brokerMap.remove(nodeId));
    }

    private MetadataImage withBrokers(Consumer<Map<Integer, BrokerImage>> change) {
        Map<Integer, BrokerImage> brokerMap = new TreeMap<>(brokers);
        change.accept(brokerMap);
        return new MetadataImage(clusterId, topicsByName, topicsById, Collections.unmodifiableMap(brokerMap),
                directories, remoteManifests, brokerConfigs, security, nextProducerId, version + 1);
    }

    MetadataImage withDirectory(int nodeId, Uuid directoryId) {
        Map<Integer, Uuid> directoryMap = new TreeMap<>(directories);
        directoryMap.put(nodeId, directoryId);
        return new MetadataImage(clusterId, topicsByName, topicsById, brokers, Collections.unmodifiableMap(directoryMap),
                remoteManifests, brokerConfigs, security, nextProducerId, version + 1);
    }

    MetadataImage withClusterId(String id) {
        return new MetadataImage(id, topicsByName, topicsById, brokers, directories, remoteManifests, brokerConfigs, security,
                nextProducerId, version + 1);
    }

    MetadataImage withNextProducerId(long next) {
        return new MetadataImage(clusterId, topicsByName, topicsById, brokers, directories, remoteManifests, brokerConfigs, security,
                next, version + 1);
    }

    MetadataImage withRemoteManifest(Uuid topicId, int partition, RemoteManifest manifest) {
        Map<Integer, RemoteManifest> partitions = new TreeMap<>(remoteManifests.getOrDefault(topicId, Map.of()));
        partitions.put(partition, manifest);
        Map<Uuid, Map<Integer, RemoteManifest>> manifests = new HashMap<>(remoteManifests);
        manifests.put(topicId, Collections.unmodifiableMap(partitions));
        return new MetadataImage(clusterId, topicsByName, topicsById, brokers, directories,
                Collections.unmodifiableMap(manifests), brokerConfigs, security, nextProducerId, version + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage other
                && Objects.equals(clusterId, other.clusterId)
                && nextProducerId == other.nextProducerId
                && version == other.version
                && topicsByName.equals(other.topicsByName)
                && brokers.equals(other.brokers)
                && directories.equals(other.directories)
                && remoteManifests.equals(other.remoteManifests)
                && brokerConfigs.equals(other.brokerConfigs)
                && security.equals(other.security);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clusterId, topicsByName, brokers, directories, remoteManifests, brokerConfigs, security, nextProducerId,
                version);
    }

    @Override
    public String toString() {
        return "MetadataImage(version=" + version + ", clusterId=" + clusterId + ", topics=" + topicsByName.values()
                + ", brokers=" + brokers.values() + ", directories=" + directories + ", brokerConfigs=" + brokerConfigs
                + ", nextProducerId=" + nextProducerId + ")";
    }
}
