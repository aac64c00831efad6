package io.strata.broker.group;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.log.ProducerStateEntry;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotCoordinatorException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the coordinator's logic runs on: one thread that owns all group state, the timers that run
 * on it, and the write path that appends records to {@code __consumer_offsets} and replays them.
 */
final class CoordinatorRuntime implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(CoordinatorRuntime.class);

    private final ScheduledThreadPoolExecutor thread;
    private final Map<String, ScheduledFuture<?>> timers = new HashMap<>();
    private final PartitionManager partitions;
    private final Supplier<MetadataImage> image;
    private final boolean fsyncBeforeAck;
    private final Time time;
    private final GroupConfig config;
    private final GroupStore store;
    private volatile int offsetsTopicPartitions;

    CoordinatorRuntime(GroupConfig config, PartitionManager partitions, Supplier<MetadataImage> image,
                       boolean fsyncBeforeAck, Time time) {
        this.config = config;
        this.partitions = partitions;
        this.image = image;
        this.fsyncBeforeAck = fsyncBeforeAck;
        this.time = time;
        this.store = new GroupStore(time::milliseconds);
        this.offsetsTopicPartitions = config.offsetsTopicPartitions();
        this.thread = new ScheduledThreadPoolExecutor(1, ThreadUtils.createThreadFactory("strata-group-coordinator", true));
        thread.setRemoveOnCancelPolicy(true);
    }

    GroupConfig config() {
        return config;
    }

    GroupStore store() {
        return store;
    }

    MetadataImage image() {
        return image.get();
    }

    PartitionManager partitions() {
        return partitions;
    }

    long now() {
        return time.milliseconds();
    }

    Executor executor() {
        return thread;
    }

    /** Runs {@code task} on the coordinator thread; what it returns completes the result. */
    <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                try {
                    task.get().whenComplete((value, error) -> {
                        if (error != null) {
                            result.completeExceptionally(error);
                        } else {
                            result.complete(value);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(new CoordinatorNotAvailableException("The group coordinator is shutting down."));
        }
        return result;
    }

    // ---- partitions of __consumer_offsets ----

    void setOffsetsTopicPartitions(int count) {
        offsetsTopicPartitions = count;
    }

    /** The partition of {@code __consumer_offsets} that holds the group, as Kafka maps it. */
    int partitionFor(String groupId) {
        return partitionFor(groupId, offsetsTopicPartitions);
    }

    /** The partition of a {@code __consumer_offsets} of {@code partitions} partitions that holds the group. */
    static int partitionFor(String groupId, int partitions) {
        return Utils.abs(groupId.hashCode()) % partitions;
    }

    // ---- timers ----

    /** Runs {@code task} on the coordinator thread after {@code delayMs}, replacing the timer of the same key. */
    void schedule(String key, long delayMs, Runnable task) {
        cancel(key);
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = thread.schedule(() -> {
            // A timer replaced or cancelled after it became due must not run.
            if (timers.get(key) != self[0]) {
                return;
            }
            timers.remove(key);
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "Group coordinator timer %s failed", key);
            }
        }, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
        timers.put(key, self[0]);
    }

    void cancel(String key) {
        ScheduledFuture<?> timer = timers.remove(key);
        if (timer != null) {
            timer.cancel(false);
        }
    }

    // ---- writes ----

    /**
     * Appends {@code records} to the group's partition of {@code __consumer_offsets} as one batch and
     * replays them into the store: the store changes only if the append succeeded. The returned
     * future completes when the records are as durable as produced records with acks=all: every in-sync
     * replica holds them (Kafka's {@code offsets.commit.required.acks=-1}) and, when the broker fsyncs
     * before acknowledging, they are on disk; it fails after {@link CoordinatorLog#WRITE_TIMEOUT_MS}.
     *
     * @throws ApiException if the append failed; nothing was replayed then
     */
    CompletableFuture<Void> write(String groupId, List<CoordinatorRecord> records) {
        return write(groupId, records, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                VerificationGuard.NONE);
    }

    /**
     * {@link #write(String, List)} within producer {@code producerId}'s transaction (TxnOffsetCommit): a
     * transactional batch of that producer, whose offsets stay pending until the transaction's marker. The first
     * such batch of a transaction appends with {@code verified}, its verification with the transaction coordinator.
     */
    CompletableFuture<Void> write(String groupId, List<CoordinatorRecord> records, long producerId,
                                  short producerEpoch, VerificationGuard verified) {
        if (records.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        TopicPartition tp = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, partitionFor(groupId));
        // A timer of a group unloaded meanwhile must not write to a partition another broker leads now.
        Partition partition = partitions.leading(tp).orElseThrow(() -> new NotCoordinatorException(
                "This broker no longer leads " + tp + ", the partition of group " + groupId + "."));
        long now = now();
        SimpleRecord[] batch = new SimpleRecord[records.size()];
        for (int i = 0; i < batch.length; i++) {
            CoordinatorRecord record = records.get(i);
            batch[i] = new SimpleRecord(now, GroupRecords.encodeKey(record.key()), GroupRecords.encodeValue(record.value()));
        }
        boolean transactional = producerId != RecordBatch.NO_PRODUCER_ID;
        MemoryRecords appended = transactional
                ? MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, producerEpoch,
                        nextSequence(partition, producerId, producerEpoch), batch)
                : MemoryRecords.withRecords(Compression.NONE, batch);
        CompletableFuture<Void> durable;
        try {
            durable = CoordinatorLog.append(partitions, partition, appended, verified, fsyncBeforeAck);
        } catch (ApiException e) {
            LOG.warnf("Writing %d record(s) of group %s to %s failed: %s", records.size(), groupId, tp, e.getMessage());
            throw e;
        }
        for (CoordinatorRecord record : records) {
            if (transactional) {
                store.replayTransactional(producerId, record);
            } else {
                store.replay(record);
            }
        }
        return durable;
    }

    /**
     * The sequence the coordinator's next batch of the producer starts at: the log checks a producer's sequences
     * in every partition, and only this thread writes the producer's batches to {@code __consumer_offsets}.
     */
    private static int nextSequence(Partition partition, long producerId, short producerEpoch) {
        ProducerStateEntry entry = partition.log().producers().active().get(producerId);
        return entry == null || entry.producerEpoch() != producerEpoch || entry.batches().isEmpty()
                ? 0 : entry.lastSeq() + 1;
    }

    /** Ends producer {@code producerId}'s transaction for the groups of partition {@code partition}. */
    void completeTransaction(int partition, long producerId, boolean commit) {
        store.completeTransaction(producerId, commit, groupId -> partitionFor(groupId) == partition);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        ThreadUtils.shutdownExecutorServiceQuietly(thread, 5, TimeUnit.SECONDS);
    }
}
