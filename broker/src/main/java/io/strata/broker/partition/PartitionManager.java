package io.strata.broker.partition;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.TopicConfigCatalog;
import io.strata.broker.log.LoadTotals;
import io.strata.broker.log.LogConfig;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.remote.TieredLog;
import io.strata.tiered.RemoteManifest;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The partitions this broker holds, kept in step with the metadata image on a reconciler thread: a
 * partition log is opened for every partition that names this broker among its replicas, its config
 * follows the topic's and its leadership the partition's, and the logs of deleted topics are removed.
 * Logs open and close on a pool of I/O threads. Also runs the {@code flush.ms} flusher and the fsync
 * group commit.
 */
public final class PartitionManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PartitionManager.class);
    private static final long FLUSH_CHECK_MS = 100;
    private static final long DISK_MEASURE_MS = 1000;
    private static final int IO_THREADS = 16;

    private final Path logsDir;
    private final TopicConfigCatalog catalog;
    private final Map<String, String> brokerDefaults;
    private final Time time;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Map<Uuid, Map<String, String>> appliedConfigs = new HashMap<>();
    private final LogSyncer syncer = new LogSyncer();
    private final ScheduledExecutorService flusher;
    private final ExecutorService ownerWriter = Executors.newSingleThreadExecutor(
            ThreadUtils.createThreadFactory("strata-partition-owner", true));
    private final Queue<Partition> unrecordedOwners = new ConcurrentLinkedQueue<>();
    private final ExecutorService reconciler = Executors.newSingleThreadExecutor(
            ThreadUtils.createThreadFactory("strata-partition-reconciler", true));
    /** The newest image not applied yet; null when the reconciler has nothing left to do. */
    private final AtomicReference<MetadataImage> pending = new AtomicReference<>();
    /** Whether the directories no topic owns were removed; read and written by the reconciler only. */
    private boolean orphansRemoved;
    private final List<Consumer<MetadataImage>> reconcileListeners = new CopyOnWriteArrayList<>();
    private final NavigableMap<Long, CompletableFuture<Void>> reconciledWaiters = new TreeMap<>();
    private long reconciledVersion = -1; // guarded by reconciledWaiters
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private final PartitionOpenings openings = new PartitionOpenings();
    private boolean closed; // guarded by this
    /**
     * Opens and closes logs: mostly file creation and fsync, which the file system commits together when
     * they come at once, so thousands of partitions open and close several times faster than one by one.
     */
    private final ExecutorService ioPool = Executors.newFixedThreadPool(IO_THREADS,
            ThreadUtils.createThreadFactory("strata-log-io-%d", true));
    private final BiFunction<Uuid, Integer, TieredLog> tieredLogs;
    private final int nodeId;
    private final long localDiskLimitBytes;
    /** The bytes of all local logs, as of the last measure, when there is a limit to check them against. */
    private volatile long measuredLocalBytes;
    /** Written by the flusher's thread, and at close once that has stopped. */
    private final HighWatermarkCheckpoint highWatermarks;
    /** The partitions with a {@code flush.ms}, which the flusher looks at ten times a second. */
    private volatile List<Partition> timedFlushes = List.of();

    /**
     * @param nodeId              this broker: it holds the partitions that name it among their replicas
     * @param tieredLogs          the tiered log of a partition, by topic id and partition number
     * @param localDiskLimitBytes the most bytes the local logs may hold before produce is refused; -1 for none
     */
    public PartitionManager(int nodeId, Path logsDir, TopicConfigCatalog catalog, Map<String, String> brokerDefaults,
                            Time time, BiFunction<Uuid, Integer, TieredLog> tieredLogs, long localDiskLimitBytes) {
        this.nodeId = nodeId;
        this.logsDir = logsDir;
        this.tieredLogs = tieredLogs;
        this.localDiskLimitBytes = localDiskLimitBytes;
        this.catalog = catalog;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.time = time;
        try {
            Files.createDirectories(logsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the log directory " + logsDir, e);
        }
        this.highWatermarks = new HighWatermarkCheckpoint(logsDir);
        this.flusher = Executors.newSingleThreadScheduledExecutor(
                ThreadUtils.createThreadFactory("strata-log-flusher", true));
        flusher.scheduleWithFixedDelay(this::flushDue, FLUSH_CHECK_MS, FLUSH_CHECK_MS, TimeUnit.MILLISECONDS);
        flusher.scheduleWithFixedDelay(this::checkpointHighWatermarks, HighWatermarkCheckpoint.INTERVAL_MS,
                HighWatermarkCheckpoint.INTERVAL_MS, TimeUnit.MILLISECONDS);
        if (localDiskLimitBytes >= 0) {
            // Only the limit needs a recent figure at every produce; the walk is one call per partition.
            flusher.scheduleWithFixedDelay(this::measureLocalBytes, 0, DISK_MEASURE_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** The partition, if this broker holds it and the metadata names it the leader: the one clients may use. */
    public Optional<Partition> leading(TopicPartition tp) {
        return partition(tp).filter(Partition::isLeader);
    }

    /** The broker this manager holds partitions for. */
    public int nodeId() {
        return nodeId;
    }

    /**
     * Why produce is refused, if the local logs hold {@code strata.log.local-disk-limit} bytes: a guard
     * for when tiering cannot free the disk (the bucket is down), so the broker stops taking data before
     * the disk fills instead of failing its logs. Group and metadata writes go on.
     */
    public Optional<String> diskLimitReached() {
        long bytes = measuredLocalBytes;
        if (localDiskLimitBytes < 0 || bytes < localDiskLimitBytes) {
            return Optional.empty();
        }
        return Optional.of("The broker's local logs hold " + bytes + " bytes, at its limit of " + localDiskLimitBytes
                + " (STRATA_LOG_LOCAL_DISK_LIMIT); produce resumes once retention or tiering frees space");
    }

    /** The bytes of all local logs, summed now. */
    public long localBytes() {
        long bytes = 0;
        for (Partition partition : partitions.values()) {
            bytes += partition.log().size();
        }
        return bytes;
    }

    private void measureLocalBytes() {
        measuredLocalBytes = localBytes();
    }

    private void checkpointHighWatermarks() {
        try {
            highWatermarks.write(partitions.values());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Checkpointing the high watermarks in %s failed; the next try is in %d ms: %s", logsDir,
                    HighWatermarkCheckpoint.INTERVAL_MS, e.toString());
        }
    }

    public Optional<Partition> partition(TopicPartition topicPartition) {
        return Optional.ofNullable(partitions.get(topicPartition));
    }

    public Collection<Partition> partitions() {
        return partitions.values();
    }

    /** Completes once everything appended to the partition so far is on disk (shared fsync). */
    public CompletableFuture<Void> sync(Partition partition) {
        return syncer.sync(partition);
    }

    /**
     * The acks=all acknowledgement of an append ending at {@code lastOffset}: completes once the in-sync replicas
     * hold it and, when {@code fsyncBeforeAck}, it is also on disk here.
     */
    public CompletableFuture<Void> acknowledged(Partition partition, long lastOffset, boolean fsyncBeforeAck) {
        CompletableFuture<Void> replicated = partition.replicated(lastOffset);
        return fsyncBeforeAck ? replicated.thenCombine(sync(partition), (a, b) -> null) : replicated;
    }

    /**
     * Brings the partitions in line with {@code image} in the background, on the reconciler thread, as Kafka's
     * brokers follow the metadata: a request to a partition not open yet gets a retriable error, and no
     * metadata change waits for thousands of logs to open. An image that arrives while one is being applied
     * supersedes any other still waiting.
     */
    public void onMetadataImage(MetadataImage image) {
        pending.accumulateAndGet(image, (waiting, next) -> waiting == null || next.version() >= waiting.version()
                ? next : waiting);
        try {
            reconciler.execute(this::reconcilePending);
        } catch (RejectedExecutionException e) {
            // Closed: the metadata may still move on while the broker stops, with no partitions left to follow it.
        }
    }

    private void reconcilePending() {
        MetadataImage image = pending.getAndSet(null);
        if (image == null) {
            return;
        }
        try {
            if (!orphansRemoved) {
                // Before the first partition opens, and by the image it opens them by.
                removeOrphans(image);
                orphansRemoved = true;
            }
            reconcile(image);
        } catch (RuntimeException e) {
            // The partitions that failed are tried again on the next metadata change.
            LOG.errorf("Not every partition of metadata version %d could be opened: %s", image.version(), e.getMessage());
        } finally {
            for (Consumer<MetadataImage> listener : reconcileListeners) {
                try {
                    listener.accept(image);
                } catch (RuntimeException e) {
                    LOG.errorf(e, "A listener failed on the partitions of metadata version %d", image.version());
                }
            }
            reconciledUpTo(image.version());
        }
    }

    /**
     * Calls {@code listener} on the reconciler thread each time the partitions have followed a metadata
     * image, before {@link #reconciled} completes for it: what depends on which partitions this broker
     * leads or follows (the replica fetchers) starts from there.
     */
    public void addReconcileListener(Consumer<MetadataImage> listener) {
        reconcileListeners.add(listener);
    }

    /**
     * Completes once the partitions reflect a metadata image of at least {@code version}: the partitions it has
     * are open (or failed to open) and those of the topics it deleted are gone.
     */
    public CompletableFuture<Void> reconciled(long version) {
        synchronized (reconciledWaiters) {
            if (reconciledVersion >= version) {
                return CompletableFuture.completedFuture(null);
            }
            return reconciledWaiters.computeIfAbsent(version, v -> new CompletableFuture<>());
        }
    }

    private void reconciledUpTo(long version) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (reconciledWaiters) {
            reconciledVersion = Math.max(reconciledVersion, version);
            Map<Long, CompletableFuture<Void>> reached = reconciledWaiters.headMap(reconciledVersion, true);
            done.addAll(reached.values());
            reached.clear();
        }
        done.forEach(future -> future.complete(null));
    }

    /** Opens the partitions of the start-up metadata {@code image} in the background; returns {@link #loaded()}. */
    public CompletableFuture<Void> load(MetadataImage image) {
        reconciled(image.version()).thenRun(openings::loadOver).thenRun(() -> loaded.complete(null));
        onMetadataImage(image);
        return loaded;
    }

    /** Completes once the partitions the broker started with are open ({@link #load}); it may be had before. */
    public CompletableFuture<Void> loaded() {
        return loaded;
    }

    /** Completes once each of {@code wanted} is open here, or the start-up load ({@link #load}) has ended. */
    public CompletableFuture<Void> opened(Iterable<TopicPartition> wanted) {
        return openings.await(wanted, partitions::containsKey);
    }

    /**
     * Brings the partitions in line with {@code image}. Called on start-up and after every metadata change.
     * The logs it opens are reported in one line, at INFO when any of them had files to load (start-up),
     * at DEBUG when all are new (topics created since).
     */
    public synchronized void reconcile(MetadataImage image) {
        if (closed) {
            return;
        }
        removeUnheld(image);
        long started = System.nanoTime();
        List<Callable<Partition>> opens = new ArrayList<>();
        for (TopicImage topic : image.topics()) {
            Map<String, String> configs = topic.configs();
            LogConfig logConfig = null;
            if (!configs.equals(appliedConfigs.get(topic.topicId()))) {
                logConfig = LogConfig.from(catalog.effectiveValues(brokerDefaults, configs));
                appliedConfigs.put(topic.topicId(), configs);
            }
            for (int p = 0; p < topic.partitions(); p++) {
                PartitionImage state = topic.partition(p);
                if (!state.hasReplica(nodeId)) {
                    continue;
                }
                TopicPartition tp = new TopicPartition(topic.name(), p);
                Partition existing = partitions.get(tp);
                if (existing == null) {
                    LogConfig config = logConfig != null ? logConfig
                            : LogConfig.from(catalog.effectiveValues(brokerDefaults, configs));
                    opens.add(() -> {
                        Partition opened = open(topic.topicId(), tp, config);
                        follow(opened, state);
                        return opened;
                    });
                } else {
                    if (logConfig != null) {
                        existing.log().updateConfig(logConfig);
                    }
                    follow(existing, state);
                }
            }
        }
        LoadTotals totals = new LoadTotals();
        try {
            // Each partition serves as soon as it is open, before the others are.
            inParallel(opens, "opening", partition -> {
                synchronized (totals) {
                    totals.add(partition.log().loadSummary());
                }
                partitions.put(partition.topicPartition(), partition);
                openings.opened(partition.topicPartition());
            });
        } finally {
            timedFlushes = partitions.values().stream()
                    .filter(partition -> partition.log().config().flushMs() != Long.MAX_VALUE)
                    .toList();
            if (totals.logs() > 0) {
                LOG.log(totals.anyExisting() ? Logger.Level.INFO : Logger.Level.DEBUG,
                        totals.describe(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
            }
        }
    }

    /**
     * Runs {@code tasks} on the I/O pool and hands the result of each that succeeds to {@code done}, on the
     * pool thread that ran it, as soon as it is ready; the first failure is rethrown once all have finished,
     * so one bad partition does not keep the others from opening.
     */
    private <T> void inParallel(List<Callable<T>> tasks, String action, Consumer<T> done) {
        List<Callable<T>> reporting = new ArrayList<>(tasks.size());
        for (Callable<T> task : tasks) {
            reporting.add(() -> {
                T result = task.call();
                done.accept(result);
                return result;
            });
        }
        List<Future<T>> futures;
        try {
            futures = ioPool.invokeAll(reporting);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaStorageException("Interrupted while " + action + " partition logs");
        }
        RuntimeException failure = null;
        for (Future<T> future : futures) {
            try {
                future.get();
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r
                        : new KafkaStorageException("Failed " + action + " a partition log: " + e.getCause(), e.getCause());
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaStorageException("Interrupted while " + action + " partition logs");
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Tells the partition its replicas, in-sync replicas, leader and epoch as of now. */
    private void follow(Partition partition, PartitionImage state) {
        partition.updateState(state);
    }

    private Partition open(Uuid topicId, TopicPartition tp, LogConfig config) {
        Path dir = logsDir.resolve(LogFiles.partitionDirName(tp));
        PartitionMetadataFile metadataFile = new PartitionMetadataFile(dir);
        Optional<Uuid> onDisk = metadataFile.read();
        if (onDisk.isPresent() && !onDisk.get().equals(topicId)) {
            // A directory left by an earlier topic of the same name: its records are not this topic's.
            LOG.infof("Removing %s: it belongs to topic id %s, not %s", dir, onDisk.get(), topicId);
            deleteRecursively(dir);
        }
        TieredLog tiered = tieredLogs.apply(topicId, tp.partition());
        PartitionLog log = PartitionLog.open(dir, tp, config, time);
        RemoteManifest remote = tiered.manifest();
        if (log.logEndOffset() < remote.endOffset()) {
            // It lost its disk, or came back from an old copy: every offset it holds is in the bucket.
            Partition.restartAtTieredEnd(log, tiered);
        }
        highWatermarks.restore(tp, log);
        if (remote.endOffset() > log.highWatermark()) {
            // What reached the bucket was committed: the leader tiers only below its high watermark.
            log.updateHighWatermark(remote.endOffset());
        }
        Partition partition = new Partition(nodeId, topicId, tp, log, tiered, time);
        if (!onDisk.equals(Optional.of(topicId))) {
            unrecordedOwners.add(partition);
            ownerWriter.execute(this::recordOwners);
        }
        return partition;
    }

    /**
     * Writes the {@code partition.metadata} of the partitions opened without it, in the background as Kafka
     * does: it costs two fsyncs, which one by one made creating thousands of partitions take seconds. A clean
     * close writes what is left; until then, or if a crash comes first, the directory has no owner on record,
     * which the next start takes as this topic's.
     */
    private void recordOwners() {
        while (true) {
            // Taken under the lock, so that close() finds every partition not written yet in the queue.
            synchronized (this) {
                Partition partition = unrecordedOwners.poll();
                if (partition == null) {
                    return;
                }
                recordOwner(partition);
            }
        }
    }

    /** Called under this object's lock, or by {@link #close()}, which holds it: the partition cannot be deleted meanwhile. */
    private Void recordOwner(Partition partition) {
        if (partitions.get(partition.topicPartition()) == partition) {
            new PartitionMetadataFile(partition.log().dir()).write(partition.topicId());
        }
        return null;
    }

    /**
     * Deletes the logs of partitions this broker no longer holds: their topic was deleted, or a reassignment
     * moved the partition to other brokers, which then hold every record it had.
     */
    private void removeUnheld(MetadataImage image) {
        partitions.values().removeIf(partition -> {
            Optional<TopicImage> topic = image.topic(partition.topicId());
            if (topic.isEmpty()) {
                LOG.infof("Deleting the log of %s: its topic was deleted", partition.topicPartition());
                appliedConfigs.remove(partition.topicId());
            } else if (!reassignedAway(topic.get(), partition.topicPartition().partition())) {
                return false;
            } else {
                PartitionImage state = topic.get().partition(partition.topicPartition().partition());
                LOG.infof("Deleting the log of %s: it was reassigned to brokers %s", partition.topicPartition(),
                        state.replicas());
                // Answers the appends waiting for followers while it still led: it leads no more.
                follow(partition, state);
            }
            partition.log().delete();
            return true;
        });
    }

    /** Whether partition {@code index} of {@code topic} has replicas, none of them this broker's. */
    private boolean reassignedAway(TopicImage topic, int index) {
        if (index >= topic.partitions()) {
            return false;
        }
        PartitionImage state = topic.partition(index);
        return !state.replicas().isEmpty() && !state.hasReplica(nodeId);
    }

    /**
     * Removes partition directories that no topic in {@code image} owns, such as those of topics deleted while the
     * broker was down, and those of partitions reassigned away from it meanwhile.
     */
    private synchronized void removeOrphans(MetadataImage image) {
        try (Stream<Path> dirs = Files.list(logsDir)) {
            List<Path> unowned = new ArrayList<>();
            dirs.filter(Files::isDirectory).forEach(dir -> {
                // Only a directory that names its owner, and an owner the metadata no longer has,
                // is removed: an unreadable or missing partition.metadata is no proof of anything.
                Optional<Uuid> owner = new PartitionMetadataFile(dir).read();
                if (owner.isEmpty()) {
                    unowned.add(dir);
                } else if (image.topic(owner.get()).isEmpty()) {
                    LOG.infof("Removing %s: its topic %s was deleted", dir, owner.get());
                    deleteRecursively(dir);
                } else if (reassignedAway(image.topic(owner.get()).get(),
                        LogFiles.parsePartitionDirName(dir.getFileName().toString()).partition())) {
                    LOG.infof("Removing %s: its partition was reassigned to other brokers", dir);
                    deleteRecursively(dir);
                }
            });
            if (!unowned.isEmpty()) {
                // Expected after a crash soon after the partitions were created: the file is written in the background.
                LOG.infof("Leaving %d partition directories without a readable %s alone (%s%s)", unowned.size(),
                        PartitionMetadataFile.NAME, unowned.get(0), unowned.size() > 1 ? ", ..." : "");
            }
        } catch (IOException e) {
            throw new KafkaStorageException("cannot list the log directory " + logsDir, e);
        }
    }

    private void flushDue() {
        long now = time.milliseconds();
        for (Partition partition : timedFlushes) {
            try {
                PartitionLog log = partition.log();
                if (log.unflushedMessages() > 0 && now - log.lastFlushTime() >= log.config().flushMs()) {
                    log.flush();
                }
            } catch (RuntimeException e) {
                LOG.errorf("Periodic flush of %s failed: %s", partition.topicPartition(), e.getMessage());
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new KafkaStorageException("cannot delete " + dir, e);
        }
    }

    @Override
    public synchronized void close() {
        // A reconcile waiting for this lock finds the partitions closed; the reconciler takes no more.
        closed = true;
        reconciler.shutdownNow();
        openings.loadOver();
        // Not interrupted: an interrupt inside FileChannel.force closes the segment's channel.
        flusher.shutdown();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        syncer.close();
        checkpointHighWatermarks();
        // The writer may wait for this lock; what it has not taken is written here, on all I/O threads.
        ownerWriter.shutdownNow();
        List<Callable<Void>> owners = new ArrayList<>();
        for (Partition partition = unrecordedOwners.poll(); partition != null; partition = unrecordedOwners.poll()) {
            Partition unrecorded = partition;
            owners.add(() -> recordOwner(unrecorded));
        }
        try {
            inParallel(owners, "recording the topic of", ignored -> { });
        } catch (RuntimeException e) {
            LOG.warnf("Not every partition's %s could be written; the next start writes them: %s",
                    PartitionMetadataFile.NAME, e.getMessage());
        }
        List<Callable<Void>> closes = new ArrayList<>();
        for (Partition partition : partitions.values()) {
            closes.add(() -> {
                try {
                    partition.log().close();
                } catch (RuntimeException e) {
                    LOG.errorf("Closing %s failed: %s", partition.topicPartition(), e.getMessage());
                }
                return null;
            });
        }
        inParallel(closes, "closing", ignored -> { });
        ioPool.shutdown();
        partitions.clear();
    }
}
