package io.strata.broker.rest;

import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.partition.Partition;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads records of one partition for the REST API, decoded, up to a count and a byte budget, waiting
 * up to a time for records to arrive (long poll) without holding a thread meanwhile: a wait is an
 * append waiter on the partition and a timer. Reads run on the worker pool, never on an event loop.
 *
 * <p>Every read of the log goes through {@link #readLog}, which reads offsets below the local log
 * from the tiered log, as Fetch does.
 */
@ApplicationScoped
public class RecordReader {

    private static final long TIERED_READ_TIMEOUT_SECONDS = 30;

    private final ScheduledExecutorService executor;

    public RecordReader() {
        this(Infrastructure.getDefaultWorkerPool());
    }

    RecordReader(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** A decoded record. */
    public record ReadRecord(long offset, long timestamp, TimestampType timestampType, byte[] key, byte[] value,
                             Header[] headers) {
    }

    /**
     * @param nextOffset     the offset to read from next
     * @param logStartOffset the partition's first offset when read
     * @param highWatermark  the partition's high watermark when read
     */
    public record ReadResult(List<ReadRecord> records, long nextOffset, long logStartOffset, long highWatermark) {
    }

    /**
     * Records from {@code offset}: completes as soon as there are any, else after {@code maxWaitMs}
     * with none. Fails with Kafka's OffsetOutOfRangeException for an offset outside the log.
     */
    public CompletableFuture<ReadResult> poll(Partition partition, long offset, int maxRecords, int maxBytes,
                                              long maxWaitMs) {
        PendingRead pending = new PendingRead(partition, offset, maxRecords, maxBytes, maxWaitMs);
        executor.execute(pending::start);
        return pending.result;
    }

    /** Reads now, on the calling thread. */
    public ReadResult read(Partition partition, long offset, int maxRecords, int maxBytes) {
        List<ReadRecord> out = new ArrayList<>();
        long next = offset;
        int budget = maxBytes;
        LogReadResult read = readLog(partition, next, budget, true);
        long logStartOffset = partition.logStartOffset();
        long highWatermark = read.highWatermark();
        while (true) {
            Records records = read.records();
            if (records.sizeInBytes() == 0) {
                break;
            }
            budget -= records.sizeInBytes();
            long before = next;
            boolean full = false;
            for (RecordBatch batch : records.batches()) {
                if (!batch.isControlBatch()) {
                    for (Record record : batch) {
                        if (record.offset() < next) {
                            continue;
                        }
                        if (out.size() >= maxRecords) {
                            full = true;
                            break;
                        }
                        out.add(decode(record, batch));
                        next = record.offset() + 1;
                    }
                }
                if (full) {
                    break;
                }
                // Past the batch's last offset even where compaction or a control batch left no record.
                next = Math.max(next, batch.lastOffset() + 1);
            }
            if (full || next == before || out.size() >= maxRecords || budget <= 0 || next >= highWatermark) {
                break;
            }
            read = readLog(partition, next, budget, false);
        }
        return new ReadResult(out, next, logStartOffset, highWatermark);
    }

    /**
     * The log read behind every REST read, up to the high watermark: a slice of local segment files,
     * or whole batches from the object store for an offset below the local log (waited for here, on a
     * worker thread).
     */
    private LogReadResult readLog(Partition partition, long offset, int maxBytes, boolean minOneMessage) {
        if (!partition.isTiered(offset)) {
            return partition.log().read(offset, maxBytes, minOneMessage);
        }
        try {
            return partition.readTiered(offset, maxBytes, minOneMessage).get(TIERED_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new KafkaStorageException("Reading tiered offset " + offset + " of " + partition.topicPartition()
                    + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaStorageException("Reading tiered offset " + offset + " of " + partition.topicPartition()
                    + " took more than " + TIERED_READ_TIMEOUT_SECONDS + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaStorageException("Interrupted while reading " + partition.topicPartition());
        }
    }

    private static ReadRecord decode(Record record, RecordBatch batch) {
        return new ReadRecord(record.offset(), record.timestamp(), batch.timestampType(), bytes(record.key()),
                bytes(record.value()), record.headers());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** One poll from first attempt to answer; the first completion wins. */
    private final class PendingRead implements Runnable {
        private final Partition partition;
        private final long offset;
        private final int maxRecords;
        private final int maxBytes;
        private final long maxWaitMs;
        private final CompletableFuture<ReadResult> result = new CompletableFuture<>();
        private final AtomicBoolean wakePending = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        PendingRead(Partition partition, long offset, int maxRecords, int maxBytes, long maxWaitMs) {
            this.partition = partition;
            this.offset = offset;
            this.maxRecords = maxRecords;
            this.maxBytes = maxBytes;
            this.maxWaitMs = maxWaitMs;
        }

        void start() {
            if (tryComplete(maxWaitMs <= 0)) {
                return;
            }
            partition.addAppendWaiter(this);
            timeout = executor.schedule(() -> tryComplete(true), maxWaitMs, TimeUnit.MILLISECONDS);
            // An append between the first read and the registration would otherwise be missed.
            tryComplete(false);
            if (result.isDone()) {
                cancelWaiting();
            }
        }

        /** Reads; completes when there are records, or when {@code force}. */
        boolean tryComplete(boolean force) {
            if (result.isDone()) {
                return true;
            }
            try {
                ReadResult read = read(partition, offset, maxRecords, maxBytes);
                if (read.records().isEmpty() && !force) {
                    return false;
                }
                result.complete(read);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
            cancelWaiting();
            return true;
        }

        /** Called on the appending thread: the read is handed to the worker pool, once however many appends arrive. */
        @Override
        public void run() {
            if (!result.isDone() && wakePending.compareAndSet(false, true)) {
                try {
                    executor.execute(() -> {
                        wakePending.set(false);
                        tryComplete(false);
                    });
                } catch (RejectedExecutionException e) {
                    result.completeExceptionally(e);
                }
            }
        }

        private void cancelWaiting() {
            partition.removeAppendWaiter(this);
            ScheduledFuture<?> scheduled = timeout;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
