package io.strata.broker.compaction;

import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@link LogCleaner} over every partition whose {@code cleanup.policy} includes
 * {@code compact} ({@code __consumer_offsets} among them), one round per interval, on one daemon
 * thread of its own: compaction is disk-heavy background work that must not hold up appends, fetches
 * or the group coordinator, and one thread with one offset map bounds its memory and I/O.
 *
 * <p>A failure on one partition is logged in one line and the round goes on with the next; the
 * partition is tried again next round. Closing stops between two steps of a compaction, without
 * interrupting the thread: an interrupt would close the file channels that fetches share.
 */
public final class LogCleanerService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LogCleanerService.class);
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private final PartitionManager partitions;
    private final CleanerSettings settings;
    private final Time time;
    private final ScheduledExecutorService thread;
    private volatile boolean stopping;
    /** Created at the first compaction: a broker without compacted topics never pays for the map. */
    private LogCleaner cleaner;

    public LogCleanerService(PartitionManager partitions, CleanerSettings settings, Time time) {
        this.partitions = partitions;
        this.settings = settings;
        this.time = time;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                ThreadUtils.createThreadFactory("strata-log-cleaner", true));
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.thread = executor;
    }

    public void start() {
        long interval = settings.interval().toMillis();
        thread.scheduleWithFixedDelay(this::round, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** One pass over the compacted partitions. */
    private void round() {
        for (Partition partition : partitions.partitions()) {
            if (stopping) {
                return;
            }
            // Tiered topics are compacted in the bucket (see RemoteLogCleaner): a local rewrite could race an upload.
            if (!partition.log().config().compact() || partition.log().config().remoteStorageEnable()) {
                continue;
            }
            try {
                if (cleaner == null) {
                    cleaner = new LogCleaner(settings.dedupeBufferBytes(), time, () -> stopping);
                }
                LogCleaner.Result result = cleaner.clean(partition.log());
                if (result.segmentsRewritten() > 0) {
                    LOG.debugf("Compacted %s up to offset %d: %d bytes to %d", partition.topicPartition(),
                            result.mappedEnd(), result.bytesBefore(), result.bytesAfter());
                }
            } catch (Exception e) {
                if (!stopping) {
                    LOG.warnf("Compacting %s failed, retrying next round: %s", partition.topicPartition(), e);
                }
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warnf("The log cleaner did not stop within %d s", STOP_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
