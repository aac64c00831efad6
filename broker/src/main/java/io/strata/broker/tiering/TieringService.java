package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.log.LogSegment;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.tiered.LocalSegmentFiles;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.OrphanSweeper;
import io.strata.tiered.RemoteKeys;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemotePartition;
import io.strata.tiered.RemoteSegment;
import io.strata.tiered.RetryPolicy;
import io.strata.tiered.SegmentIds;
import io.strata.tiered.SegmentUploader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Tiers closed segments: every upload interval, for each partition of a topic whose effective
 * {@code remote.storage.enable} is true, uploads the closed segments above the partition's remote
 * manifest, oldest first, and commits each with an {@link AddRemoteSegment}. Also deletes a deleted
 * topic's objects and now and then sweeps the orphans of failed uploads.
 *
 * <p>All of it runs on one thread of its own, which waits for each upload and commit: one upload
 * at a time keeps the store's and the disk's load bounded, and nothing else then runs concurrently
 * with a sweep or a deletion. Network threads never wait for it. A failure is logged in one line
 * and the partition is tried again next round; since every attempt uploads under a new segment id,
 * a retry never overwrites anything.
 *
 * <p>Not in this increment: deleting uploaded segments locally ({@code local.retention.*}) and
 * serving fetches from the store.
 */
public final class TieringService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TieringService.class);
    /** A key the broker never writes: asking for its size shows whether the store answers. */
    private static final ObjectKey PROBE_KEY = new ObjectKey("strata-probe");
    private static final long PROBE_TIMEOUT_SECONDS = 10;
    private static final RetryPolicy RETRY = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));

    private final ObjectStore store;
    private final RemoteKeys layout = new RemoteKeys(new ObjectKey("tiered"));
    private final PartitionManager partitions;
    private final RaftMetadataLog metadata;
    private final TieringSettings settings;
    private final ScheduledExecutorService thread;
    /** Runs the uploader's file checks and retries, which may block; never the waiting tiering thread. */
    private final ExecutorService io;
    private final SegmentUploader uploader;
    private final OrphanSweeper sweeper;
    private final SnapshotStaging staging;
    private final CleanerSettings cleanerSettings;
    private final RemoteLogCleaner remoteCleaner;
    private final Consumer<MetadataImage> listener = this::onImage;
    private final LongAdder uploadedSegments = new LongAdder();
    private final LongAdder uploadedBytes = new LongAdder();
    private final LongAdder uploadFailures = new LongAdder();
    private volatile ObjectStoreStatus status = ObjectStoreStatus.reachable(Instant.now());
    /** The image the deletion listener last saw; only the applier thread touches it after start. */
    private MetadataImage lastImage;

    /**
     * @param stagingDir a directory of the service's own, for producer snapshots being uploaded
     * @param cleaner    how often, and with how much memory, tiered segments of compacted topics are compacted
     * @param workDir    a directory of the service's own, for the segments being compacted
     */
    public TieringService(ObjectStore store, PartitionManager partitions, RaftMetadataLog metadata,
                          TieringSettings settings,
                          Path stagingDir, CleanerSettings cleaner, Path workDir) throws IOException {
        this.staging = new SnapshotStaging(stagingDir);
        this.store = store;
        this.partitions = partitions;
        this.metadata = metadata;
        this.settings = settings;
        this.thread = Executors.newSingleThreadScheduledExecutor(daemon("strata-tiering"));
        this.io = Executors.newFixedThreadPool(2, daemon("strata-tiering-io"));
        Clock clock = Clock.systemUTC();
        this.uploader = new SegmentUploader(store, layout, new SegmentIds(clock), RETRY, io);
        this.sweeper = new OrphanSweeper(store, layout, settings.orphanGracePeriod(), clock);
        this.cleanerSettings = cleaner;
        this.remoteCleaner = new RemoteLogCleaner(store, uploader, metadata, workDir, Time.SYSTEM,
                cleaner.dedupeBufferBytes());
    }

    /** Starts the rounds and follows topic deletions. */
    public void start() {
        lastImage = metadata.image();
        metadata.addListener(listener);
        long upload = settings.uploadInterval().toMillis();
        thread.scheduleWithFixedDelay(() -> guarded("upload round", this::uploadRound), upload, upload,
                TimeUnit.MILLISECONDS);
        long clean = cleanerSettings.interval().toMillis();
        thread.scheduleWithFixedDelay(() -> guarded("tiered compaction round", this::compactionRound), clean, clean,
                TimeUnit.MILLISECONDS);
        long sweep = settings.sweepInterval().toMillis();
        thread.scheduleWithFixedDelay(() -> guarded("orphan sweep", this::sweepRound), sweep, sweep,
                TimeUnit.MILLISECONDS);
    }

    // ---- uploads ----

    private void uploadRound() throws InterruptedException {
        boolean reachable = probe();
        if (!reachable) {
            return;
        }
        for (Partition partition : partitions.partitions()) {
            TopicImage topic = metadata.image().topic(partition.topicId()).orElse(null);
            if (topic != null && tiered(partition)) {
                uploadClosedSegments(topic, partition);
            }
        }
    }

    /**
     * Asks the store for the size of an object that never exists: a cheap request that shows whether
     * the store answers at all. Rounds skip their uploads while it does not.
     */
    private boolean probe() throws InterruptedException {
        try {
            store.size(PROBE_KEY).get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!status.reachable()) {
                LOG.infof("The object store %s answers again; tiering resumes", store);
            }
            status = ObjectStoreStatus.reachable(Instant.now());
            return true;
        } catch (ExecutionException | TimeoutException e) {
            String reason = String.valueOf(e instanceof ExecutionException ? e.getCause() : e);
            if (status.reachable()) {
                LOG.warnf("The object store %s does not answer, tiering waits for it: %s", store, reason);
                status = ObjectStoreStatus.unreachable(Instant.now(), reason);
            } else {
                status = ObjectStoreStatus.unreachable(status.since(), reason);
            }
            uploadFailures.increment();
            return false;
        }
    }

    /** Bytes of the partition's closed local segments not tiered yet. */
    private long bytesToUpload(Partition partition) {
        long tieredUpTo = partition.tiered().manifest().lastOffset();
        List<LogSegment> segments = partition.log().segments();
        long bytes = 0;
        for (LogSegment segment : segments.subList(0, segments.size() - 1)) {
            if (segment.baseOffset() > tieredUpTo) {
                bytes += segment.size();
            }
        }
        return bytes;
    }

    /** The store's URL. */
    public String storeDescription() {
        return store.toString();
    }

    /** Whether the store answered the last probe, and since when. */
    public ObjectStoreStatus status() {
        return status;
    }

    /** Counters of uploads so far and the upload lag now, for metrics. */
    public UploadStats uploadStats() {
        long lag = 0;
        for (Partition partition : partitions.partitions()) {
            if (tiered(partition)) {
                lag += bytesToUpload(partition);
            }
        }
        return new UploadStats(uploadedSegments.sum(), uploadedBytes.sum(), uploadFailures.sum(), lag);
    }

    /**
     * @param segments  segments uploaded and committed
     * @param bytes     bytes of their {@code .log} files
     * @param failures  failed uploads and probes
     * @param lagBytes  bytes of closed local segments not tiered yet
     */
    public record UploadStats(long segments, long bytes, long failures, long lagBytes) {
    }

    /**
     * Whether the partition's topic is tiered: its effective {@code remote.storage.enable}. Internal
     * topics ({@code __consumer_offsets}) stay local whatever the default says, as in Kafka.
     */
    private static boolean tiered(Partition partition) {
        return partition.log().config().remoteStorageEnable() && !Topic.isInternal(partition.topicPartition().topic());
    }

    private void uploadClosedSegments(TopicImage topic, Partition partition) throws InterruptedException {
        int number = partition.topicPartition().partition();
        List<RemoteSegment> manifest = metadata.image().remoteManifest(topic.topicId(), number).segments();
        long uploadedUpTo = manifest.isEmpty() ? -1 : manifest.get(manifest.size() - 1).lastOffset();
        RemotePartition remote = remotePartition(topic, number);
        for (LocalSegmentFiles files : ClosedSegments.after(partition.log(), uploadedUpTo)) {
            LocalSegmentFiles pinned = null;
            try {
                pinned = staging.pin(files);
                RemoteSegment segment = await(uploader.upload(remote, pinned));
                commit(topic.topicId(), number, segment);
                uploadedSegments.increment();
                uploadedBytes.add(segment.sizeInBytes());
            } catch (ExecutionException | IOException | RuntimeException e) {
                uploadFailures.increment();
                LOG.warnf("Tiering segment %d of %s failed, retrying next round: %s", files.baseOffset(), remote,
                        e instanceof ExecutionException ? e.getCause() : e);
                return;
            } finally {
                release(pinned);
            }
        }
    }

    private void release(LocalSegmentFiles pinned) {
        try {
            if (pinned != null) {
                staging.release(pinned);
            }
        } catch (IOException e) {
            LOG.warnf("Cannot remove a staged producer snapshot: %s", e);
        }
    }

    /** Commits an uploaded segment; one the metadata refuses (its topic was deleted) is deleted again. */
    private void commit(Uuid topicId, int partition, RemoteSegment segment)
            throws IOException, ExecutionException, InterruptedException {
        MetadataResult result = await(metadata.submit(new AddRemoteSegment(topicId, partition, segment.toBytes())));
        if (result.isError()) {
            await(store.deleteAll(segment.keys()));
            throw new IOException("the metadata refused the segment: " + result.message());
        }
        LOG.debugf("Tiered offsets %d to %d of %s", segment.baseOffset(), segment.lastOffset(), segment.partition());
    }

    // ---- compaction ----

    private void compactionRound() throws InterruptedException {
        if (!status.reachable()) {
            return;
        }
        for (Partition partition : partitions.partitions()) {
            TopicImage topic = metadata.image().topic(partition.topicId()).orElse(null);
            if (topic == null || !tiered(partition) || !partition.log().config().compact()) {
                continue;
            }
            try {
                remoteCleaner.clean(partition, remotePartition(topic, partition.topicPartition().partition()));
            } catch (IOException | ExecutionException | RuntimeException e) {
                LOG.warnf("Compacting the tiered segments of %s failed, retrying next round: %s",
                        partition.topicPartition(), e instanceof ExecutionException ? e.getCause() : e);
            }
        }
    }

    // ---- topic deletion ----

    /**
     * On the Raft applier thread: hands the objects of topics that are gone, and of segments that
     * retention, DeleteRecords or compaction took out of a manifest, to the tiering thread. A segment's
     * objects are deleted only after {@link TieringSettings#removedSegmentDeleteDelay()}, so that reads
     * which found it in the manifest just before can finish.
     */
    private void onImage(MetadataImage image) {
        for (TopicImage topic : lastImage.topics()) {
            if (image.topic(topic.topicId()).isEmpty()) {
                thread.execute(() -> guarded("deleting the objects of topic " + topic.name(),
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
                    thread.schedule(() -> guarded("deleting removed tiered segments of " + topic.name(),
                            () -> await(store.deleteAll(removed))), settings.removedSegmentDeleteDelay().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }
        }
        lastImage = image;
    }

    private void deleteTopicObjects(TopicImage topic) throws ExecutionException, InterruptedException {
        List<ObjectKey> keys = new ArrayList<>();
        for (int partition = 0; partition < topic.partitions(); partition++) {
            remoteCleaner.forget(new TopicPartition(topic.name(), partition));
            keys.addAll(await(store.list(layout.partitionPrefix(remotePartition(topic, partition)))));
        }
        await(store.deleteAll(keys));
        if (!keys.isEmpty()) {
            LOG.infof("Deleted the %d tiered objects of deleted topic %s", keys.size(), topic.name());
        }
    }

    // ---- orphans ----

    private void sweepRound() throws InterruptedException {
        for (Partition partition : partitions.partitions()) {
            TopicImage topic = metadata.image().topic(partition.topicId()).orElse(null);
            if (topic == null || !tiered(partition)) {
                continue;
            }
            int number = partition.topicPartition().partition();
            Set<UUID> committed = metadata.image().remoteManifest(topic.topicId(), number).segments().stream()
                    .map(RemoteSegment::segmentId).collect(Collectors.toSet());
            RemotePartition remote = remotePartition(topic, number);
            try {
                List<ObjectKey> deleted = await(sweeper.sweep(remote, committed));
                if (!deleted.isEmpty()) {
                    LOG.infof("Deleted %d orphaned tiered objects of %s", deleted.size(), remote);
                }
            } catch (ExecutionException e) {
                LOG.warnf("Sweeping the orphaned tiered objects of %s failed: %s", remote, e.getCause());
            }
        }
    }

    // ----

    private static RemotePartition remotePartition(TopicImage topic, int partition) {
        return new RemotePartition(topic.name(), topic.topicId().toString(), partition);
    }

    /** Waits interruptibly, so that {@link #close} can stop a round that waits for a stalled store. */
    private static <T> T await(CompletableFuture<T> future) throws ExecutionException, InterruptedException {
        return future.get();
    }

    private interface Task {
        void run() throws Exception;
    }

    /** Runs a task of the tiering thread, logging a failure in one line rather than ending the schedule. */
    private static void guarded(String what, Task task) {
        try {
            task.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warnf("Tiering: %s failed: %s", what, e instanceof ExecutionException ? e.getCause() : e);
        }
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops the rounds, interrupting one that waits; the caller closes the store afterwards. */
    @Override
    public void close() throws InterruptedException {
        metadata.removeListener(listener);
        thread.shutdownNow();
        io.shutdown();
        thread.awaitTermination(10, TimeUnit.SECONDS);
        io.awaitTermination(10, TimeUnit.SECONDS);
    }
}
