package io.strata.broker.rest;

import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.Optional;

/**
 * The running broker as the REST resources reach it: 503 while it starts, 404 for a cluster id
 * other than its own, an unknown topic or an unknown partition.
 */
@ApplicationScoped
public class BrokerAccess {

    private final BrokerLifecycle lifecycle;

    public BrokerAccess(BrokerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    public Broker broker() {
        Broker broker = lifecycle.broker();
        if (broker == null) {
            throw new RestException(503, "The broker is starting.");
        }
        return broker;
    }

    /** The broker, if {@code clusterId} is its cluster's id. */
    public Broker broker(String clusterId) {
        Broker broker = broker();
        if (!broker.identity().clusterId().equals(clusterId)) {
            throw RestException.notFound("Cluster " + clusterId + " not found; this broker belongs to "
                    + broker.identity().clusterId() + ".");
        }
        return broker;
    }

    public TopicImage topic(String clusterId, String topicName) {
        return broker(clusterId).metadataImage().topic(topicName)
                .orElseThrow(() -> RestException.notFound("Topic " + topicName + " not found."));
    }

    /** A partition named in a path: one that is not a number is as unknown as one out of range. */
    public Partition partition(String clusterId, String topicName, String partitionId) {
        return openPartition(broker(clusterId), topicName, partitionIndex(clusterId, topicName, partitionId));
    }

    /** The number of a partition named in a path, 404 unless the topic has it. */
    public int partitionIndex(String clusterId, String topicName, String partitionId) {
        TopicImage topic = topic(clusterId, topicName);
        int id;
        try {
            id = Integer.parseInt(partitionId);
        } catch (NumberFormatException e) {
            throw RestException.notFound("Partition " + partitionId + " of topic " + topicName + " not found.");
        }
        requirePartition(topic, id);
        return id;
    }

    public Partition partition(String clusterId, String topicName, int partitionId) {
        requirePartition(topic(clusterId, topicName), partitionId);
        return openPartition(broker(), topicName, partitionId);
    }

    /** 404 unless {@code topic} has a partition {@code partitionId}. */
    static void requirePartition(TopicImage topic, int partitionId) {
        if (partitionId < 0 || partitionId >= topic.partitions()) {
            throw RestException.notFound("Partition " + partitionId + " of topic " + topic.name() + " not found; it has "
                    + topic.partitions() + " partition(s).");
        }
    }

    /**
     * The partition as this broker serves it: 421 when another broker leads it (ask that one), 503 until this
     * broker has opened it.
     */
    static Partition openPartition(Broker broker, String topicName, int partitionId) {
        TopicPartition tp = new TopicPartition(topicName, partitionId);
        Optional<Partition> leading = broker.partitions().leading(tp);
        if (leading.isPresent()) {
            return leading.get();
        }
        int leader = broker.metadataImage().topic(topicName)
                .filter(topic -> partitionId < topic.partitions())
                .map(topic -> topic.partition(partitionId).leader())
                .orElse(PartitionImage.NO_LEADER);
        if (leader != PartitionImage.NO_LEADER && leader != broker.identity().nodeId()) {
            throw new RestException(421, "Partition " + partitionId + " of topic " + topicName + " is led by broker "
                    + leader + ", not this one (" + broker.identity().nodeId() + "); send the request to that broker.");
        }
        throw new RestException(503, "Partition " + partitionId + " of topic " + topicName
                + " is not open on this broker yet.");
    }
}
