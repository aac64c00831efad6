package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.tiered.RemotePartition;
import org.apache.kafka.common.internals.Topic;

import java.util.ArrayList;
import java.util.List;

/**
 * A partition of this broker whose topic is tiered, with its topic as the metadata has it and its
 * place in the bucket: what every round of the tiering service works on. Immutable.
 */
record TieredPartition(TopicImage topic, Partition partition, RemotePartition remote) {

    /**
     * The partitions of tiered topics that still exist in {@code image} and that this broker leads: only a
     * leader uploads and compacts in the bucket, and a new leader carries on from the replicated manifest.
     */
    static List<TieredPartition> all(PartitionManager partitions, MetadataImage image) {
        List<TieredPartition> tiered = new ArrayList<>();
        for (Partition partition : partitions.partitions()) {
            TopicImage topic = image.topic(partition.topicId()).orElse(null);
            if (topic != null && partition.isLeader() && isTiered(partition)) {
                tiered.add(new TieredPartition(topic, partition, remote(topic, partition.topicPartition().partition())));
            }
        }
        return tiered;
    }

    /**
     * Whether the partition's topic is tiered: its effective {@code remote.storage.enable}. Internal
     * topics ({@code __consumer_offsets}) stay local whatever the default says, as in Kafka.
     */
    static boolean isTiered(Partition partition) {
        return partition.log().config().remoteStorageEnable() && !Topic.isInternal(partition.topicPartition().topic());
    }

    /** Where partition {@code partition} of {@code topic} lives in the bucket. */
    static RemotePartition remote(TopicImage topic, int partition) {
        return new RemotePartition(topic.name(), topic.topicId().toString(), partition);
    }
}
