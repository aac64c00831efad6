package io.strata.broker.rest;

import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.partition.DelayedFetch;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads records of one partition for the REST API, decoded, up to a count and a byte budget, waiting
 * up to a time for records to arrive (long poll) without holding a thread meanwhile: a wait is a
 * {@link DelayedFetch}, as Fetch's is. Reads run on the worker pool, never on an event loop.
 *
 * <p>Every read of the log goes through {@link Partition#read}, which picks the tier, as Fetch's do. A
 * read_committed read stops at the last stable offset and leaves out aborted transactions' records, as a
 * read_committed consumer does.
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

    /** What a read sees, as a consumer's {@code isolation.level}. */
    public enum Isolation {
        /** Every record up to the high watermark, of open and aborted transactions too. */
        READ_UNCOMMITTED(FetchIsolation.HIGH_WATERMARK),
        /** Up to the last stable offset, without the records of aborted transactions. */
        READ_COMMITTED(FetchIsolation.TXN_COMMITTED);

        private final FetchIsolation fetchIsolation;

        Isolation(FetchIsolation fetchIsolation) {
            this.fetchIsolation = fetchIsolation;
        }
    }

    /**
     * Records from {@code offset}: completes as soon as there are any, else after {@code maxWaitMs}
     * with none. Fails with Kafka's OffsetOutOfRangeException for an offset outside the log.
     */
    public CompletableFuture<ReadResult> poll(Partition partition, long offset, int maxRecords, int maxBytes,
                                              long maxWaitMs, Isolation isolation) {
        DelayedFetch<ReadResult> delayed = new DelayedFetch<>(List.of(partition), executor, force -> {
            ReadResult read = read(partition, offset, maxRecords, maxBytes, isolation);
            return read.records().isEmpty() && !force && maxWaitMs > 0 ? null : read;
        });
        executor.execute(() -> {
            if (!delayed.tryComplete()) {
                delayed.await(maxWaitMs);
            }
        });
        return delayed.result();
    }

    /** Reads now, on the calling thread. */
    public ReadResult read(Partition partition, long offset, int maxRecords, int maxBytes, Isolation isolation) {
        List<ReadRecord> out = new ArrayList<>();
        long next = offset;
        int budget = maxBytes;
        AbortedBatches aborted = new AbortedBatches();
        LogReadResult read = readLog(partition, next, budget, true, isolation);
        long logStartOffset = partition.logStartOffset();
        long highWatermark = read.highWatermark();
        // A read_committed reader goes no further than the last stable offset.
        long readableEnd = isolation == Isolation.READ_COMMITTED ? read.lastStableOffset() : highWatermark;
        while (true) {
            Records records = read.records();
            if (records.sizeInBytes() == 0) {
                break;
            }
            aborted.add(read.abortedTxns());
            budget -= records.sizeInBytes();
            long before = next;
            boolean full = false;
            for (RecordBatch batch : records.batches()) {
                if (!aborted.skips(batch)) {
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
            if (full || next == before || out.size() >= maxRecords || budget <= 0 || next >= readableEnd) {
                break;
            }
            read = readLog(partition, next, budget, false, isolation);
        }
        return new ReadResult(out, next, logStartOffset, highWatermark);
    }

    /**
     * The log read behind every REST read, up to the high watermark or the last stable offset: a slice of local
     * segment files, or whole batches from the object store for an offset below the local log (waited for here,
     * on a worker thread).
     */
    private static LogReadResult readLog(Partition partition, long offset, int maxBytes, boolean minOneMessage,
                                         Isolation isolation) {
        try {
            return partition.read(offset, maxBytes, minOneMessage, isolation.fetchIsolation)
                    .get(TIERED_READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new KafkaStorageException("Reading offset " + offset + " of " + partition.topicPartition()
                    + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaStorageException("Reading offset " + offset + " of " + partition.topicPartition()
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
}
