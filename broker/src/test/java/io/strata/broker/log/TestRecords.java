package io.strata.broker.log;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.utils.Crc32C;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Record batches built with kafka-clients, and their decoding, for tests. */
public final class TestRecords {

    // Byte offsets of the v2 batch header fields tests damage (Kafka's DefaultRecordBatch layout).
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORDS_COUNT_OFFSET = 57;
    /** Where the records start, after the header. */
    public static final int RECORDS_OFFSET = 61;

    private TestRecords() {
    }

    /**
     * Writes {@code value} (a short or an int, by {@code size}) at {@code offset} of the batch header, under a CRC
     * that matches.
     */
    public static MemoryRecords withHeaderField(MemoryRecords records, int offset, int size, int value) {
        ByteBuffer buffer = records.buffer();
        if (size == 2) {
            buffer.putShort(offset, (short) value);
        } else {
            buffer.putInt(offset, value);
        }
        return withMatchingCrc(buffer);
    }

    /** {@code buffer}, one v2 batch whose bytes a test changed, under a CRC that matches them again. */
    public static MemoryRecords withMatchingCrc(ByteBuffer buffer) {
        buffer.putInt(CRC_OFFSET, (int) Crc32C.compute(buffer, ATTRIBUTES_OFFSET, buffer.limit() - ATTRIBUTES_OFFSET));
        return MemoryRecords.readableRecords(buffer);
    }

    static SimpleRecord[] simple(long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    /** One uncompressed CreateTime batch at offset 0, every record stamped {@code timestamp}. */
    static MemoryRecords batch(long timestamp, String... values) {
        return MemoryRecords.withRecords(Compression.NONE, simple(timestamp, values));
    }

    /** One uncompressed batch whose offsets start at {@code baseOffset}. */
    static MemoryRecords batchAt(long baseOffset, long timestamp, String... values) {
        return MemoryRecords.withRecords(baseOffset, Compression.NONE, simple(timestamp, values));
    }

    static MemoryRecords idempotent(long producerId, short epoch, int baseSequence, long timestamp, String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence,
                simple(timestamp, values));
    }

    /** One transactional batch of {@code records} records of the producer, its offsets from 0. */
    static MemoryRecords transactional(long producerId, short epoch, int baseSequence, int records) {
        String[] values = new String[records];
        Arrays.fill(values, "t");
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, baseSequence,
                simple(1000L + baseSequence, values));
    }

    /** A value of {@code size} bytes, to fill segments quickly. */
    static String payload(int size, char c) {
        return String.valueOf(c).repeat(size);
    }

    /** The values of every whole record in {@code records}. */
    static List<String> values(Records records) {
        List<String> values = new ArrayList<>();
        for (Record record : records.records()) {
            byte[] bytes = new byte[record.valueSize()];
            record.value().get(bytes);
            values.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return values;
    }

    /** The offsets of every whole record in {@code records}. */
    static List<Long> offsets(Records records) {
        List<Long> offsets = new ArrayList<>();
        for (Record record : records.records()) {
            offsets.add(record.offset());
        }
        return offsets;
    }

    /** The batches of {@code parts} one after the other in one buffer; the parts are left unread. */
    public static MemoryRecords concat(MemoryRecords... parts) {
        int size = 0;
        for (MemoryRecords part : parts) {
            size += part.sizeInBytes();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        for (MemoryRecords part : parts) {
            buffer.put(part.buffer().duplicate());
        }
        return MemoryRecords.readableRecords(buffer.flip());
    }

    /**
     * A leader's append on a single replica: appends (a transaction opened as once its coordinator confirmed it),
     * then moves the high watermark to the new log end as the partition would once every in-sync replica has the
     * records.
     */
    public static AppendResult appendCommitted(PartitionLog log, MemoryRecords records) {
        return appendCommitted(log, records, RecordBatch.NO_PARTITION_LEADER_EPOCH);
    }

    /** {@link #appendCommitted(PartitionLog, MemoryRecords)} in {@code leaderEpoch}. */
    public static AppendResult appendCommitted(PartitionLog log, MemoryRecords records, int leaderEpoch) {
        RecordBatch first = records.firstBatch();
        VerificationGuard verified = first != null && first.isTransactional()
                ? log.producers().startVerification(first.producerId(), first.baseSequence(),
                first.producerEpoch()) : VerificationGuard.NONE;
        AppendResult result = log.append(records, leaderEpoch, verified);
        log.updateHighWatermark(log.logEndOffset());
        return result;
    }

    /** One uncompressed batch as a leader in {@code leaderEpoch} wrote it at {@code baseOffset}, for a follower. */
    static MemoryRecords leaderBatch(long baseOffset, int leaderEpoch, long timestamp, String... values) {
        return MemoryRecords.withRecords(RecordBatch.CURRENT_MAGIC_VALUE, baseOffset, Compression.NONE,
                TimestampType.CREATE_TIME, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE, leaderEpoch, false, simple(timestamp, values));
    }

    /** {@link #leaderBatch} of an idempotent producer. */
    static MemoryRecords idempotentLeaderBatch(long baseOffset, int leaderEpoch, long producerId, int baseSequence,
                                               long timestamp, String... values) {
        return MemoryRecords.withRecords(RecordBatch.CURRENT_MAGIC_VALUE, baseOffset, Compression.NONE,
                TimestampType.CREATE_TIME, producerId, (short) 0, baseSequence, leaderEpoch, false,
                simple(timestamp, values));
    }

    /** The value of every record from the log start offset to the high watermark, read as a consumer would. */
    public static List<String> readValues(PartitionLog log) {
        List<String> values = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.highWatermark()) {
            for (Record record : log.read(offset, Integer.MAX_VALUE, true).records().records()) {
                if (record.offset() >= offset) {
                    byte[] bytes = new byte[record.valueSize()];
                    record.value().get(bytes);
                    values.add(new String(bytes, StandardCharsets.UTF_8));
                    offset = record.offset() + 1;
                }
            }
        }
        return values;
    }
}
