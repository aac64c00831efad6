package io.strata.broker.cluster;

import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.Uuid;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable snapshot of the replicated metadata: topics (by name and by id), registered
 * brokers, the producer-id counter and each partition's manifest of tiered segments. The state machine replaces its image atomically after
 * every change, so a reader takes {@code image()} once and sees one consistent state.
 */
public final class MetadataImage {

    public static final MetadataImage EMPTY = new MetadataImage(Map.of(), Map.of(), Map.of(), Map.of(), 0, 0);

    private final Map<String, TopicImage> topicsByName;
    private final Map<Uuid, TopicImage> topicsById;
    private final Map<Integer, BrokerImage> brokers;
    /** Per topic id and partition, the segments committed to the object store, sorted by base offset. */
    private final Map<Uuid, Map<Integer, List<RemoteSegment>>> remoteSegments;
    private final long nextProducerId;
    private final long version;

    private MetadataImage(Map<String, TopicImage> topicsByName, Map<Uuid, TopicImage> topicsById,
                          Map<Integer, BrokerImage> brokers, Map<Uuid, Map<Integer, List<RemoteSegment>>> remoteSegments,
                          long nextProducerId, long version) {
        this.topicsByName = topicsByName;
        this.topicsById = topicsById;
        this.brokers = brokers;
        this.remoteSegments = remoteSegments;
        this.nextProducerId = nextProducerId;
        this.version = version;
    }

    /** Builds an image from its parts (snapshots, tests). */
    static MetadataImage of(Collection<TopicImage> topics, Collection<BrokerImage> brokers, long nextProducerId,
                            long version) {
        return of(topics, brokers, List.of(), nextProducerId, version);
    }

    /** Builds an image from its parts; {@code remoteSegments} may come in any order. */
    static MetadataImage of(Collection<TopicImage> topics, Collection<BrokerImage> brokers,
                            Collection<TopicRemoteSegment> remoteSegments, long nextProducerId, long version) {
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
        MetadataImage image = new MetadataImage(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId),
                Collections.unmodifiableMap(brokerMap), Map.of(), nextProducerId, version);
        for (TopicRemoteSegment entry : remoteSegments) {
            image = image.withRemoteSegment(entry.topicId(), entry.segment(), version);
        }
        return image;
    }

    /** A manifest entry with the id of its topic, as snapshots list them. */
    record TopicRemoteSegment(Uuid topicId, RemoteSegment segment) {
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

    public Optional<BrokerImage> broker(int nodeId) {
        return Optional.ofNullable(brokers.get(nodeId));
    }

    /**
     * The segments of the partition committed to the object store, sorted by base offset; empty if
     * none (or no such partition).
     */
    public List<RemoteSegment> remoteSegments(Uuid topicId, int partition) {
        return remoteSegments.getOrDefault(topicId, Map.of()).getOrDefault(partition, List.of());
    }

    /** Every manifest entry, by topic id and partition; unmodifiable. */
    Map<Uuid, Map<Integer, List<RemoteSegment>>> remoteSegments() {
        return remoteSegments;
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
        return new MetadataImage(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId), brokers,
                remoteSegments, nextProducerId, version + 1);
    }

    MetadataImage withoutTopic(TopicImage topic) {
        Map<String, TopicImage> byName = new TreeMap<>(topicsByName);
        Map<Uuid, TopicImage> byId = new HashMap<>(topicsById);
        byName.remove(topic.name());
        byId.remove(topic.topicId());
        Map<Uuid, Map<Integer, List<RemoteSegment>>> manifests = new HashMap<>(remoteSegments);
        manifests.remove(topic.topicId());
        return new MetadataImage(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId), brokers,
                Collections.unmodifiableMap(manifests), nextProducerId, version + 1);
    }

    MetadataImage withBroker(BrokerImage broker) {
        Map<Integer, BrokerImage> brokerMap = new TreeMap<>(brokers);
        brokerMap.put(broker.nodeId(), broker);
        return new MetadataImage(topicsByName, topicsById, Collections.unmodifiableMap(brokerMap), remoteSegments,
                nextProducerId, version + 1);
    }

    MetadataImage withNextProducerId(long next) {
        return new MetadataImage(topicsByName, topicsById, brokers, remoteSegments, next, version + 1);
    }

    /**
     * Adds {@code segment} to its partition's manifest in base-offset order, with the given image
     * version. The caller has checked that its id is new.
     */
    MetadataImage withRemoteSegment(Uuid topicId, RemoteSegment segment, long newVersion) {
        List<RemoteSegment> segments = new ArrayList<>(remoteSegments(topicId, segment.partition().partition()));
        segments.add(segment);
        segments.sort(Comparator.comparingLong(RemoteSegment::baseOffset));
        Map<Integer, List<RemoteSegment>> partitions = new TreeMap<>(remoteSegments.getOrDefault(topicId, Map.of()));
        partitions.put(segment.partition().partition(), List.copyOf(segments));
        Map<Uuid, Map<Integer, List<RemoteSegment>>> manifests = new HashMap<>(remoteSegments);
        manifests.put(topicId, Collections.unmodifiableMap(partitions));
        return new MetadataImage(topicsByName, topicsById, brokers, Collections.unmodifiableMap(manifests),
                nextProducerId, newVersion);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage other
                && nextProducerId == other.nextProducerId
                && version == other.version
                && topicsByName.equals(other.topicsByName)
                && brokers.equals(other.brokers)
                && remoteSegments.equals(other.remoteSegments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topicsByName, brokers, remoteSegments, nextProducerId, version);
    }

    @Override
    public String toString() {
        return "MetadataImage(version=" + version + ", topics=" + topicsByName.values() + ", brokers=" + brokers.values()
                + ", nextProducerId=" + nextProducerId + ")";
    }
}
