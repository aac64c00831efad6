package io.strata.broker.coordinator;

import io.strata.broker.log.AppendResult;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The partition of an internal topic that holds a coordinator's state ({@code __consumer_offsets} for groups,
 * {@code __transaction_state} for transactions): the state is the replay of its records, so a coordinator reads
 * them all when it starts leading the partition, and appends each change before applying it.
 */
public final class CoordinatorLog {

    /** How long a write may wait for the in-sync replicas: Kafka's {@code offsets.commit.timeout.ms}. */
    public static final long WRITE_TIMEOUT_MS = 5_000;
    private static final int LOAD_READ_BYTES = 1 << 20;

    private CoordinatorLog() {
    }

    /** Receives the records of a replay, each with its batch (control batches included). */
    @FunctionalInterface
    public interface RecordSink {
        void accept(RecordBatch batch, Record record);
    }

    /** Records and bytes a replay read. */
    public record ReplayTotals(long records, long bytes) {

        public ReplayTotals plus(ReplayTotals other) {
            return new ReplayTotals(records + other.records, bytes + other.bytes);
        }
    }

    /**
     * Reads the partition's log from its start to its end into {@code sink}. As leader its log is the partition's;
     * the topic is never tiered, so every read is of the local log and complete at once.
     */
    public static ReplayTotals replay(Partition partition, RecordSink sink) {
        TopicPartition tp = partition.topicPartition();
        long offset = partition.logStartOffset();
        long end = partition.logEndOffset();
        long records = 0;
        long bytes = 0;
        while (offset < end) {
            LogReadResult read = partition.read(offset, LOAD_READ_BYTES, true, FetchIsolation.LOG_END).join();
            long next = offset;
            for (RecordBatch batch : read.records().batches()) {
                for (Record record : batch) {
                    if (record.offset() >= offset) {
                        records++;
                        sink.accept(batch, record);
                    }
                }
                bytes += batch.sizeInBytes();
                next = batch.nextOffset();
            }
            if (next <= offset) {
                throw new IllegalStateException("No complete record batch at offset " + offset + " of " + tp);
            }
            offset = next;
        }
        return new ReplayTotals(records, bytes);
    }

    /**
     * Appends {@code records} to {@code partition}, which this broker leads, as its leader appends a produce. The
     * returned future completes when they are as durable as records produced with acks=all (every in-sync replica
     * holds them and, when the broker fsyncs before acknowledging, they are on disk), and fails after
     * {@value #WRITE_TIMEOUT_MS} ms.
     *
     * @param verified the verification a transactional batch opening its producer's transaction here appends with
     *                 ({@link VerificationGuard#NONE} for the coordinator's own state)
     * @throws org.apache.kafka.common.errors.ApiException if the append failed
     */
    public static CompletableFuture<Void> append(PartitionManager partitions, Partition partition,
                                                 MemoryRecords records, VerificationGuard verified,
                                                 boolean fsyncBeforeAck) {
        AppendResult appended = partition.append(records, verified);
        return partitions.acknowledged(partition, appended.lastOffset(), fsyncBeforeAck)
                .orTimeout(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** The error a client gets when storing coordinator state failed, as Kafka maps append errors. */
    public static Errors writeError(Throwable error) {
        Throwable unwrapped = error;
        while (unwrapped instanceof CompletionException && unwrapped.getCause() != null) {
            unwrapped = unwrapped.getCause();
        }
        if (unwrapped instanceof TimeoutException) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        return switch (Errors.forException(unwrapped)) {
            case UNKNOWN_TOPIC_OR_PARTITION, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT,
                 COORDINATOR_NOT_AVAILABLE -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, NOT_COORDINATOR -> Errors.NOT_COORDINATOR;
            default -> Errors.UNKNOWN_SERVER_ERROR;
        };
    }
}
