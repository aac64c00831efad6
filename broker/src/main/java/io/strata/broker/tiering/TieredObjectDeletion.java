package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.RemoteKeys;
import io.strata.tiered.RemoteManifest;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deletes the objects the committed metadata no longer refers to: all of a deleted topic's, and
 * those of segments that retention, DeleteRecords or compaction took out of a manifest. A removed
 * segment's objects are deleted only after a delay, so that reads which found it in the manifest
 * just before can finish.
 *
 * <p>Follows the metadata on the Raft applier thread, which only compares images and hands the
 * deletions to the tiering thread; only the applier thread touches the last image after
 * {@link #start}.
 */
final class TieredObjectDeletion {

    private static final Logger LOG = Logger.getLogger(TieredObjectDeletion.class);

    private final ObjectStore store;
    private final RemoteKeys layout;
    private final RemoteLogCleaner cleaner;
    private final ScheduledExecutorService thread;
    private final Duration removedSegmentDeleteDelay;
    private MetadataImage lastImage;

    TieredObjectDeletion(ObjectStore store, RemoteKeys layout, RemoteLogCleaner cleaner, ScheduledExecutorService thread,
                         Duration removedSegmentDeleteDelay) {
        this.store = store;
        this.layout = layout;
        this.cleaner = cleaner;
        this.thread = thread;
        this.removedSegmentDeleteDelay = removedSegmentDeleteDelay;
    }

    /** Takes {@code image} as the state deletions are measured from; before following the metadata. */
    void start(MetadataImage image) {
        lastImage = image;
    }

    /** On the Raft applier thread: schedules the deletions this image calls for. */
    void onImage(MetadataImage image) {
        for (TopicImage topic : lastImage.topics()) {
            if (image.topic(topic.topicId()).isEmpty()) {
                thread.execute(TieringTask.guarded("deleting the objects of topic " + topic.name(),
                        () -> deleteTopicObjects(topic)));
                continue;
            }
            for (int partition = 0; partition < topic.partitions(); partition++) {
                RemoteManifest before = lastImage.remoteManifest(topic.topicId(), partition);
                RemoteManifest after = image.remoteManifest(topic.topicId(), partition);
                if (before.equals(after)) {
                    continue;
                }
                List<ObjectKey> removed = before.segments().stream()
                        .filter(segment -> !after.contains(segment.segmentId()))
                        .flatMap(segment -> segment.keys().stream())
                        .toList();
                if (!removed.isEmpty()) {
                    thread.schedule(TieringTask.guarded("deleting removed tiered segments of " + topic.name(),
                            () -> store.deleteAll(removed).get()), removedSegmentDeleteDelay.toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
        }
        lastImage = image;
    }

    private void deleteTopicObjects(TopicImage topic) throws ExecutionException, InterruptedException {
        List<ObjectKey> keys = new ArrayList<>();
        for (int partition = 0; partition < topic.partitions(); partition++) {
            cleaner.forget(new TopicPartition(topic.name(), partition));
            keys.addAll(store.list(layout.partitionPrefix(TieredPartition.remote(topic, partition))).get());
        }
        store.deleteAll(keys).get();
        if (!keys.isEmpty()) {
            LOG.infof("Deleted the %d tiered objects of deleted topic %s", keys.size(), topic.name());
        }
    }
}
