package io.strata.tiered;

import java.util.Objects;

/**
 * The partition that remote segments belong to. The topic id is part of the identity because a
 * topic deleted and created again under the same name must not share the old one's objects.
 *
 * <p>The topic name and id each become part of one segment of an {@link ObjectKey} (see
 * {@link RemoteKeys}), so neither may contain {@code /}; Kafka's naming rules already exclude it.
 *
 * @param topic     the topic's name
 * @param topicId   the topic's id, as the broker writes it (Kafka's is a URL-safe base64 UUID)
 * @param partition the partition's number
 */
public record RemotePartition(String topic, String topicId, int partition) {

    public RemotePartition {
        requireKeySafe("topic", topic);
        requireKeySafe("topicId", topicId);
        if (partition < 0) {
            throw new IllegalArgumentException("Negative partition " + partition);
        }
    }

    /** As Kafka writes a {@code TopicIdPartition}: {@code topicId:topic-partition}. */
    @Override
    public String toString() {
        return topicId + ":" + topic + "-" + partition;
    }

    private static void requireKeySafe(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.indexOf('/') >= 0) {
            throw new IllegalArgumentException("Invalid " + name + " '" + value + "': empty or containing '/'");
        }
    }
}
