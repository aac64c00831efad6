package io.strata.broker.rest;

import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import io.strata.broker.server.BrokerLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

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
        int id;
        try {
            id = Integer.parseInt(partitionId);
        } catch (NumberFormatException e) {
            topic(clusterId, topicName);
            throw RestException.notFound("Partition " + partitionId + " of topic " + topicName + " not found.");
        }
        return partition(clusterId, topicName, id);
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

    /** The partition as this broker serves it; 503 until it has opened it. */
    static Partition openPartition(Broker broker, String topicName, int partitionId) {
        return broker.partitions().partition(new TopicPartition(topicName, partitionId))
                .orElseThrow(() -> new RestException(503, "Partition " + partitionId + " of topic " + topicName
                        + " is not open on this broker yet."));
    }
}
