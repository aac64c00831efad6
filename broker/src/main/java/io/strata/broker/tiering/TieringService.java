package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.compaction.CleanerSettings;
import io.strata.broker.partition.PartitionManager;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.OrphanSweeper;
import io.strata.tiered.RemoteKeys;
import io.strata.tiered.RetryPolicy;
import io.strata.tiered.SegmentIds;
import io.strata.tiered.SegmentUploader;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The upload side of tiered storage: owns the tiering thread and runs on it, each on its own
 * schedule, the uploads of closed segments ({@link ClosedSegmentUploads}), the compaction of tiered
 * segments of compacted topics ({@link TieredCompaction}) and the sweep of orphaned objects
 * ({@link OrphanSweep}); and follows the metadata to delete the objects it no longer refers to
 * ({@link TieredObjectDeletion}). Reading the tiered log is not its job: that is
 * {@code io.strata.broker.remote}'s, and local segments already tiered are deleted by retention.
 *
 * <p>All of it runs on one thread of its own, which waits for each upload and commit, so nothing runs
 * concurrently with a sweep or a deletion; network threads never wait for it. Thread-safe: the
 * status and counters may be read from any thread.
 */
public final class TieringService implements AutoCloseable {

    private static final RetryPolicy RETRY = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10));

    private final ObjectStore store;
    private final RaftMetadataLog metadata;
    private final TieringSettings settings;
    private final CleanerSettings cleanerSettings;
    private final ScheduledExecutorService thread;
    /** Runs the uploader's file checks and retries, which may block; never the waiting tiering thread. */
    private final ExecutorService io;
    private final ObjectStoreProbe probe;
    private final ClosedSegmentUploads uploads;
    private final TieredCompaction compaction;
    private final OrphanSweep sweep;
    private final TieredObjectDeletion deletion;
    private final Consumer<MetadataImage> listener;

    /**
     * @param stagingDir a directory of the service's own, for producer snapshots being uploaded
     * @param cleaner    how often, and with how much memory, tiered segments of compacted topics are compacted
     * @param workDir    a directory of the service's own, for the segments being compacted
     */
    public TieringService(ObjectStore store, PartitionManager partitions, RaftMetadataLog metadata,
                          TieringSettings settings,
                          Path stagingDir, CleanerSettings cleaner, Path workDir) throws IOException {
        this.store = store;
        this.metadata = metadata;
        this.settings = settings;
        this.cleanerSettings = cleaner;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                ThreadUtils.createThreadFactory("strata-tiering", true));
        this.io = Executors.newFixedThreadPool(2, ThreadUtils.createThreadFactory("strata-tiering-io", true));
        Clock clock = Clock.systemUTC();
        RemoteKeys layout = new RemoteKeys(new ObjectKey("tiered"));
        SegmentUploader uploader = new SegmentUploader(store, layout, new SegmentIds(clock), RETRY, io);
        RemoteLogCleaner remoteCleaner = new RemoteLogCleaner(store, uploader, metadata, workDir, Time.SYSTEM,
                cleaner.dedupeBufferBytes());
        this.probe = new ObjectStoreProbe(store);
        this.uploads = new ClosedSegmentUploads(store, partitions, metadata, probe, uploader, new SnapshotStaging(stagingDir));
        // The partitions each round of compaction and sweeping works on, as the metadata has them then.
        Supplier<List<TieredPartition>> tieredPartitions = () -> TieredPartition.all(partitions, metadata.image());
        this.compaction = new TieredCompaction(tieredPartitions, probe, remoteCleaner);
        this.deletion = new TieredObjectDeletion(store, layout, remoteCleaner, thread, settings.removedSegmentDeleteDelay());
        this.sweep = new OrphanSweep(tieredPartitions, new OrphanSweeper(store, layout, settings.orphanGracePeriod(), clock),
                deletion);
        this.listener = deletion::onImage;
    }

    /** Starts the rounds and follows the metadata for objects to delete. */
    public void start() {
        deletion.start(metadata.image());
        metadata.addListener(listener);
        schedule("upload round", uploads::round, settings.uploadInterval());
        schedule("tiered compaction round", compaction::round, cleanerSettings.interval());
        schedule("orphan sweep", sweep::round, settings.sweepInterval());
    }

    private void schedule(String what, TieringTask round, Duration interval) {
        long millis = interval.toMillis();
        thread.scheduleWithFixedDelay(TieringTask.guarded(what, round), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The store's URL. */
    public String storeDescription() {
        return store.toString();
    }

    /** Whether the store answered the last probe, and since when. */
    public ObjectStoreStatus status() {
        return probe.status();
    }

    /** Counters of uploads so far and the upload lag now, for metrics. */
    public UploadStats uploadStats() {
        return uploads.stats();
    }

    /**
     * @param segments  segments uploaded and committed
     * @param bytes     bytes of their {@code .log} files
     * @param failures  failed uploads and probes
     * @param lagBytes  bytes of closed local segments not tiered yet
     */
    public record UploadStats(long segments, long bytes, long failures, long lagBytes) {
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
