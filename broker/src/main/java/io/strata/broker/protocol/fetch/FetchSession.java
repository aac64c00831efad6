package io.strata.broker.protocol.fetch;

import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.requests.FetchMetadata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An incremental fetch session (KIP-227): the partitions one client fetches from this broker, so that its
 * requests name only the partitions whose fetch changed and its responses carry only the partitions with
 * something new. Each request carries the session's epoch, which moves on with every request accepted.
 *
 * <p>A partition that was sent moves to the end of the session, so that when the response's byte limit
 * cuts a fetch short, the partitions left out come first the next time.
 *
 * <p>Thread-safe: a client sends one fetch at a time per session, but a misbehaving one may send more.
 */
final class FetchSession {

    private final int id;
    /** A follower's session, which only another follower's may push out of a full cache. */
    private final boolean privileged;
    private final boolean usesTopicIds;
    private final Map<PartitionKey, SessionPartition> partitions;
    private int epoch = FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
    private long lastUsedMs;

    FetchSession(int id, boolean privileged, boolean usesTopicIds, Map<PartitionKey, SessionPartition> partitions,
                 long nowMs) {
        this.id = id;
        this.privileged = privileged;
        this.usesTopicIds = usesTopicIds;
        this.partitions = new LinkedHashMap<>(partitions);
        this.lastUsedMs = nowMs;
    }

    int id() {
        return id;
    }

    boolean privileged() {
        return privileged;
    }

    boolean usesTopicIds() {
        return usesTopicIds;
    }

    synchronized int size() {
        return partitions.size();
    }

    synchronized long lastUsedMs() {
        return lastUsedMs;
    }

    synchronized boolean expects(int requestEpoch) {
        return requestEpoch == epoch;
    }

    /**
     * Applies an incremental request: its partitions are added or take their new fetch positions, its
     * forgotten ones leave. Returns what to read, every partition of the session, grouped by topic.
     */
    synchronized List<FetchTopic> update(List<FetchTopic> topics, List<ForgottenTopic> forgotten, long nowMs) {
        for (ForgottenTopic topic : forgotten) {
            for (int partition : topic.partitions()) {
                partitions.remove(new PartitionKey(topic.topicId(), topic.topic(), partition));
            }
        }
        for (FetchTopic topic : topics) {
            for (FetchPartition fetch : topic.partitions()) {
                SessionPartition known = partitions.get(key(topic, fetch));
                if (known == null) {
                    partitions.put(key(topic, fetch), new SessionPartition(fetch));
                } else {
                    known.update(fetch);
                }
            }
        }
        epoch = FetchMetadata.nextEpoch(epoch);
        lastUsedMs = nowMs;
        List<FetchTopic> reads = new ArrayList<>();
        FetchTopic current = null;
        for (Map.Entry<PartitionKey, SessionPartition> entry : partitions.entrySet()) {
            PartitionKey key = entry.getKey();
            if (current == null || !current.topic().equals(key.topic()) || !current.topicId().equals(key.topicId())) {
                current = new FetchTopic().setTopic(key.topic()).setTopicId(key.topicId());
                reads.add(current);
            }
            current.partitions().add(entry.getValue().fetch());
        }
        return reads;
    }

    /**
     * Cuts a response holding every partition of the session down to those with something new for the
     * client, moving those to the end of the session.
     */
    synchronized FetchResponseData incremental(FetchResponseData full) {
        List<FetchableTopicResponse> kept = new ArrayList<>();
        for (FetchableTopicResponse topic : full.responses()) {
            List<PartitionData> changed = new ArrayList<>();
            for (PartitionData data : topic.partitions()) {
                PartitionKey key = new PartitionKey(topic.topicId(), topic.topic(), data.partitionIndex());
                SessionPartition partition = partitions.get(key);
                if (partition != null && partition.mustSend(data)) {
                    changed.add(data);
                    partitions.remove(key);
                    partitions.put(key, partition);
                }
            }
            if (!changed.isEmpty()) {
                kept.add(new FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId())
                        .setPartitions(changed));
            }
        }
        return full.setResponses(kept).setSessionId(id);
    }

    static PartitionKey key(FetchTopic topic, FetchPartition fetch) {
        return new PartitionKey(topic.topicId(), topic.topic(), fetch.partition());
    }
}
