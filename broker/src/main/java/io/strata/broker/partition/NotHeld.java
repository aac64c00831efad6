package io.strata.broker.partition;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import org.apache.kafka.common.protocol.Errors;

import java.util.Optional;

/** The error for a request to a partition whose log this broker does not hold. */
public final class NotHeld {

    private NotHeld() {
    }

    /**
     * NOT_LEADER_OR_FOLLOWER for a partition the metadata has whose log is not open here: another broker leads
     * it, or its log is not open yet (just created, or still loading after a restart), as Kafka's brokers answer
     * before they have applied a change. A client refreshes its metadata and retries, at the leader. Otherwise
     * the topic or partition is unknown.
     */
    public static Errors error(Optional<TopicImage> topic, int partition, boolean byId) {
        if (topic.isPresent() && partition >= 0 && partition < topic.get().partitions()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        return byId && topic.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }

    /**
     * The partition's leader as this broker's metadata knows it, for the hint of KIP-951 that a response
     * carries with {@code NOT_LEADER_OR_FOLLOWER}, so a client goes to the new leader without asking for
     * metadata first: at its endpoint on {@code listener}, the one the client's request came in on. Empty when
     * the partition has no live leader, or one without that listener.
     */
    public static Optional<Leader> leader(MetadataImage image, Optional<TopicImage> topic, int partition,
                                          String listener) {
        if (topic.isEmpty() || partition < 0 || partition >= topic.get().partitions()) {
            return Optional.empty();
        }
        int leaderEpoch = topic.get().partition(partition).leaderEpoch();
        Optional<BrokerImage> broker = image.liveBroker(topic.get().partition(partition).leader());
        return broker.flatMap(leader -> leader.endpoint(listener))
                .map(endpoint -> new Leader(broker.get(), endpoint, leaderEpoch));
    }

    /** A partition's leading broker, its endpoint on the client's listener and the leader epoch it leads in. */
    public record Leader(BrokerImage broker, Endpoint endpoint, int leaderEpoch) {
    }
}
