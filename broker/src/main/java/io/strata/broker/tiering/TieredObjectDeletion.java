package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.RemoteKeys;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Deletes the objects the committed metadata no longer refers to: all of a deleted topic's, and
 * those of segments that retention, DeleteRecords or compaction took out of a manifest. A removed
 * segment's objects are deleted only after a delay, so that reads which found it in the manifest
 * just before can finish. Until then the segment's id is pending: the orphan sweep, to which old
 * objects that no manifest names look orphaned, leaves them alone (see {@link #keptSegmentIds}).
 *
 * <p>Follows the metadata on the Raft applier thread, which only compares images and hands the
 * deletions to the tiering thread; only the applier thread changes the last image after
 * {@link #start}.
 */
final class TieredObjectDeletion {

    private static final Logger LOG = Logger.getLogger(TieredObjectDeletion.class);

    private final ObjectStore store;
    private final RemoteKeys layout;
    private final RemoteLogCleaner cleaner;
    private final ScheduledExecutorService thread;
    private final Duration removedSegmentDeleteDelay;
    /** Segments taken out of a manifest whose delayed deletion has not finished yet. */
    private final Set<UUID> pendingSegmentIds = ConcurrentHashMap.newKeySet();
    /** Written after the pending ids it removes segments for, so a reader of it sees them. */
    private volatile MetadataImage lastImage;

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
                List<RemoteSegment> removedSegments = before.segments().stream()
                        .filter(segment -> !after.contains(segment.segmentId()))
                        .toList();
                if (!removedSegments.isEmpty()) {
                    Set<UUID> ids = removedSegments.stream().map(RemoteSegment::segmentId).collect(Collectors.toSet());
                    List<ObjectKey> removed = removedSegments.stream().flatMap(segment -> segment.keys().stream()).toList();
                    pendingSegmentIds.addAll(ids);
                    thread.schedule(TieringTask.guarded("deleting removed tiered segments of " + topic.name(),
                            () -> deletePending(ids, removed)), removedSegmentDeleteDelay.toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
        }
        lastImage = image;
    }

    /**
     * The ids of the partition's segments whose objects must stay: those of the manifest in the last
     * image followed, and those taken out of a manifest whose delayed deletion has not finished. That
     * image rather than the metadata's own: the metadata publishes an image before telling this
     * deletion of it, so its segments removed may not be pending yet, whereas the image followed is
     * recorded only after they are. It is read before the pending ids for the same reason.
     */
    Set<UUID> keptSegmentIds(Uuid topicId, int partition) {
        Set<UUID> kept = lastImage.remoteManifest(topicId, partition).segments().stream()
                .map(RemoteSegment::segmentId).collect(Collectors.toCollection(HashSet::new));
        kept.addAll(pendingSegmentIds);
        return kept;
    }

    private void deletePending(Set<UUID> ids, List<ObjectKey> keys) throws ExecutionException, InterruptedException {
        try {
            store.deleteAll(keys).get();
        } finally {
            // Deleted, or else left to the orphan sweep, which collects what a failed deletion left.
            pendingSegmentIds.removeAll(ids);
        }
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
