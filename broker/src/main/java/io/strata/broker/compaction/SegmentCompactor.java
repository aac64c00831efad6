package io.strata.broker.compaction;

import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.utils.BufferSupplier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Compacts the record batches of one segment: bytes in (any {@link Records}: a local file, an object
 * read into memory), compacted batches out, decided by a {@link CompactionFilter}. The rewriting is
 * kafka-clients' {@link MemoryRecords#filterTo}, which keeps each batch's base and last offset,
 * producer id, epoch and base sequence, so offsets and idempotence metadata survive, with gaps where
 * records went. A batch that loses nothing is copied byte for byte.
 *
 * <p>Works in chunks of whole batches of about {@code chunkBytes} (a larger batch makes a chunk of
 * its own), so memory stays bounded whatever the segment size. Not thread-safe: it reuses its buffers.
 */
public final class SegmentCompactor {

    /** Receives compacted batches in offset order; their buffer is reused once the call returns. */
    @FunctionalInterface
    public interface Sink {
        void write(MemoryRecords compacted) throws IOException;
    }

    /** What one {@link #compact} call read and kept. */
    public record Stats(long bytesRead, long bytesRetained, int recordsRead, int recordsRetained) {
    }

    private final BufferSupplier decompression = BufferSupplier.create();
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;

    public SegmentCompactor(int chunkBytes) {
        if (chunkBytes < 1024) {
            throw new IllegalArgumentException("Chunks of at least 1024 bytes, not " + chunkBytes);
        }
        this.readBuffer = ByteBuffer.allocate(chunkBytes);
        this.writeBuffer = ByteBuffer.allocate(chunkBytes);
    }

    /**
     * Filters every batch of {@code records} through {@code filter} and hands what remains to {@code sink},
     * in order.
     *
     * @throws IOException if reading {@code records} or the sink fails
     */
    public Stats compact(Records records, CompactionFilter filter, Sink sink) throws IOException {
        Counter counter = new Counter();
        readBuffer.clear();
        for (RecordBatch batch : records.batches()) {
            if (batch.sizeInBytes() > readBuffer.remaining()) {
                filterChunk(filter, sink, counter);
                if (batch.sizeInBytes() > readBuffer.capacity()) {
                    readBuffer = ByteBuffer.allocate(batch.sizeInBytes());
                }
            }
            batch.writeTo(readBuffer);
        }
        filterChunk(filter, sink, counter);
        return new Stats(counter.bytesRead, counter.bytesRetained, counter.recordsRead, counter.recordsRetained);
    }

    /** {@link #compact(Records, CompactionFilter, Sink)} collecting the result in memory. */
    public MemoryRecords compact(Records records, CompactionFilter filter) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        compact(records, filter, compacted -> {
            ByteBuffer buffer = compacted.buffer();
            out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        });
        return MemoryRecords.readableRecords(ByteBuffer.wrap(out.toByteArray()));
    }

    private void filterChunk(CompactionFilter filter, Sink sink, Counter counter) throws IOException {
        readBuffer.flip();
        MemoryRecords chunk = MemoryRecords.readableRecords(readBuffer);
        while (chunk.sizeInBytes() > 0) {
            writeBuffer.clear();
            MemoryRecords.FilterResult result = chunk.filterTo(filter, writeBuffer, decompression);
            // filterTo stops early when it had to grow its output buffer: keep the larger one and go on.
            ByteBuffer output = result.outputBuffer();
            if (output != writeBuffer) {
                writeBuffer = output;
            }
            counter.add(result);
            output.flip();
            if (output.hasRemaining()) {
                sink.write(MemoryRecords.readableRecords(output));
            }
            chunk = chunk.slice(result.bytesRead(), chunk.sizeInBytes() - result.bytesRead());
        }
        readBuffer.clear();
    }

    private static final class Counter {
        long bytesRead;
        long bytesRetained;
        int recordsRead;
        int recordsRetained;

        void add(MemoryRecords.FilterResult result) {
            bytesRead += result.bytesRead();
            bytesRetained += result.bytesRetained();
            recordsRead += result.messagesRead();
            recordsRetained += result.messagesRetained();
        }
    }
}
