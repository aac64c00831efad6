package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.requests.ProduceResponse.RecordError;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.apache.kafka.common.utils.CloseableIterator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The checks a produced set of record batches must pass before a {@link PartitionLog} appends it, each
 * refusal an exception that maps to Kafka's error code for it: the batches must be whole, v2, within
 * the size limits, with a valid CRC, a known compression, a record count matching their offsets,
 * timestamps within the configured bounds (CreateTime only), keys on every record of a compacted log,
 * a producer id on transactional batches, and no control batch. Every record is decoded (those of a compressed batch
 * without their keys and values), so that no batch a consumer could not read is stored. A topic whose
 * {@code compression.type} names a codec gets every batch in another codec rebuilt in it, as
 * Kafka's broker recompresses them. Once accepted, the batches get their offsets through {@link #assignOffsets}, as in
 * Kafka's LogValidator.
 *
 * <p>Immutable and thread-safe.
 */
public final class LogValidator {

    /**
     * The buffers decompression reads into, kept by each thread that validates, as Kafka's request handler threads
     * keep theirs, rather than allocated for every compressed batch; kafka-clients' supplier is not thread-safe.
     */
    private static final ThreadLocal<BufferSupplier> DECOMPRESSION_BUFFERS =
            ThreadLocal.withInitial(BufferSupplier::create);

    private final TopicPartition topicPartition;

    public LogValidator(TopicPartition topicPartition) {
        this.topicPartition = topicPartition;
    }

    /** The records to store, and their batches in order, ready to have their offsets assigned. */
    public record Validated(MemoryRecords records, List<MutableRecordBatch> batches) {
    }

    /**
     * Checks every batch of {@code records} against {@code config} at broker time {@code now}, and recompresses those
     * not in the topic's {@code compression.type}.
     *
     * @return {@code records}, or their recompressed copy
     * @throws InvalidRecordException        a control batch, a transactional batch without a producer id, not
     *                                       magic v2, no batch, unknown compression, bad record count or
     *                                       offset delta, negative sequence, a record that does not decode,
     *                                       records that do not fill their batch or whose offsets do not run one
     *                                       by one, a record without a key in a compacted log
     * @throws CorruptRecordException        CRC mismatch, malformed batch, trailing bytes
     * @throws RecordTooLargeException       a batch is larger than {@code max.message.bytes}, as sent or as stored
     * @throws RecordBatchTooLargeException  the whole set is larger than {@code segment.bytes}
     * @throws InvalidTimestampException     a CreateTime timestamp outside the configured bounds
     * @throws InvalidProducerEpochException an idempotent batch with a negative producer epoch
     * @see RecordErrors the records that failed, the cause of a refusal for a key or a timestamp
     */
    public Validated validate(MemoryRecords records, LogConfig config, long now) {
        List<MutableRecordBatch> batches = new ArrayList<>();
        long bytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            // Markers are the transaction coordinator's to write (WriteTxnMarkers), never a client's.
            if (batch.isControlBatch()) {
                throw new InvalidRecordException("Produce to " + topicPartition + " holds a control batch");
            }
            if (batch.isTransactional() && !batch.hasProducerId()) {
                throw new InvalidRecordException("Transactional batch in a produce to " + topicPartition
                        + " has no producer id");
            }
            if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
                throw new InvalidRecordException("Batch magic " + batch.magic() + " in a produce to " + topicPartition
                        + " is not supported; only v2 is");
            }
            requireMaxMessageBytes(batch, config);
            batch.ensureValid();
            try {
                batch.compressionType();
            } catch (IllegalArgumentException e) {
                throw new InvalidRecordException("Batch in a produce to " + topicPartition + ": " + e.getMessage());
            }
            Integer count = batch.countOrNull();
            if (count == null || count <= 0 || batch.lastOffset() - batch.baseOffset() != count - 1L) {
                throw new InvalidRecordException("Batch in a produce to " + topicPartition + " has " + count
                        + " records but offset delta " + (batch.lastOffset() - batch.baseOffset()));
            }
            if (batch.hasProducerId() && batch.baseSequence() < 0) {
                throw new InvalidRecordException("Idempotent batch in a produce to " + topicPartition
                        + " has sequence " + batch.baseSequence());
            }
            // As Kafka, which finds it below the epoch of a producer it has not seen, -1.
            if (batch.hasProducerId() && batch.producerEpoch() < 0) {
                throw new InvalidProducerEpochException("Idempotent batch in a produce to " + topicPartition
                        + " has producer epoch " + batch.producerEpoch());
            }
            // The batch's max timestamp bounds how new its records are: only a bound on how old, or a max out of
            // bounds (to tell which records are), has each record's checked.
            Optional<String> maxTimestampProblem = config.logAppendTime() ? Optional.empty()
                    : timestampProblem(batch.maxTimestamp(), config, now);
            boolean checkEachTimestamp = !config.logAppendTime()
                    && (config.messageTimestampBeforeMaxMs() != Long.MAX_VALUE || maxTimestampProblem.isPresent());
            checkRecords(batch, config.compact(), checkEachTimestamp, config, now);
            if (maxTimestampProblem.isPresent()) {
                throw new InvalidTimestampException(maxTimestampProblem.get());
            }
            bytes += batch.sizeInBytes();
            batches.add(batch);
        }
        if (batches.isEmpty()) {
            throw new InvalidRecordException("Produce to " + topicPartition + " holds no record batch");
        }
        if (bytes != records.sizeInBytes()) {
            throw new CorruptRecordException("Produce to " + topicPartition + " has " + (records.sizeInBytes() - bytes)
                    + " bytes after its last whole batch");
        }
        requireSegmentBytes(bytes, config);
        Optional<Compression> target = config.compression();
        if (target.isEmpty() || batches.stream().allMatch(batch -> batch.compressionType() == target.get().type())) {
            return new Validated(records, batches);
        }
        MemoryRecords stored = recompressed(batches, target.get(), config);
        List<MutableRecordBatch> storedBatches = new ArrayList<>();
        for (MutableRecordBatch batch : stored.batches()) {
            requireMaxMessageBytes(batch, config);
            storedBatches.add(batch);
        }
        requireSegmentBytes(stored.sizeInBytes(), config);
        return new Validated(stored, storedBatches);
    }

    private void requireMaxMessageBytes(RecordBatch batch, LogConfig config) {
        if (batch.sizeInBytes() > config.maxMessageBytes()) {
            throw new RecordTooLargeException("Batch of " + batch.sizeInBytes() + " bytes in a produce to "
                    + topicPartition + " exceeds max.message.bytes " + config.maxMessageBytes());
        }
    }

    private void requireSegmentBytes(long bytes, LogConfig config) {
        if (bytes > config.segmentBytes()) {
            throw new RecordBatchTooLargeException("Produce of " + bytes + " bytes to " + topicPartition
                    + " exceeds segment.bytes " + config.segmentBytes());
        }
    }

    /**
     * The batches with each one in another codec than {@code target} rebuilt in it: the same records, offset deltas,
     * timestamps and producer fields (their offsets checked consecutive before). As Kafka, one that grows past
     * {@code max.message.bytes} uncompressed is refused as it grows.
     */
    private MemoryRecords recompressed(List<MutableRecordBatch> batches, Compression target, LogConfig config) {
        ByteBufferOutputStream out = new ByteBufferOutputStream(batches.stream()
                .mapToInt(MutableRecordBatch::sizeInBytes).sum());
        for (MutableRecordBatch batch : batches) {
            if (batch.compressionType() == target.type()) {
                batch.writeTo(out);
                continue;
            }
            MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(batch.sizeInBytes()),
                    RecordBatch.MAGIC_VALUE_V2, target, batch.timestampType(), batch.baseOffset(),
                    RecordBatch.NO_TIMESTAMP, batch.producerId(), batch.producerEpoch(), batch.baseSequence(),
                    batch.isTransactional(), batch.partitionLeaderEpoch());
            long offset = batch.baseOffset();
            try (CloseableIterator<Record> records = batch.streamingIterator(DECOMPRESSION_BUFFERS.get())) {
                while (records.hasNext()) {
                    Record record = records.next();
                    if (record.timestamp() < RecordBatch.NO_TIMESTAMP) {
                        throw new InvalidTimestampException("Record in a produce to " + topicPartition
                                + " has timestamp " + record.timestamp());
                    }
                    builder.appendWithOffset(offset++, record.timestamp(), record.key(), record.value(),
                            record.headers());
                    if (target.type() == CompressionType.NONE
                            && builder.estimatedSizeInBytes() > config.maxMessageBytes()) {
                        throw new RecordTooLargeException("Batch in a produce to " + topicPartition + " exceeds "
                                + "max.message.bytes " + config.maxMessageBytes() + " uncompressed");
                    }
                }
            }
            out.write(builder.build().buffer());
        }
        ByteBuffer buffer = out.buffer();
        buffer.flip();
        return MemoryRecords.readableRecords(buffer);
    }

    /**
     * Stamps validated batches with the offsets the log assigns them, from {@code firstOffset} on, by
     * rewriting their headers in place (the CRC does not cover the fields written).
     *
     * @param logAppendTime the broker time to stamp as every batch's LogAppendTime, or
     *                      {@link RecordBatch#NO_TIMESTAMP} to keep the producer's CreateTime
     * @param leaderEpoch   stamped on every batch, unless {@link RecordBatch#NO_PARTITION_LEADER_EPOCH}
     */
    static void assignOffsets(List<MutableRecordBatch> batches, long firstOffset, long logAppendTime, int leaderEpoch) {
        long offset = firstOffset;
        for (MutableRecordBatch batch : batches) {
            long delta = batch.lastOffset() - batch.baseOffset();
            batch.setLastOffset(offset + delta);
            if (logAppendTime != RecordBatch.NO_TIMESTAMP) {
                batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, logAppendTime);
            }
            if (leaderEpoch != RecordBatch.NO_PARTITION_LEADER_EPOCH) {
                batch.setPartitionLeaderEpoch(leaderEpoch);
            }
            offset += delta + 1;
        }
    }

    /**
     * Decodes every record of a batch, as Kafka's broker does (a compressed one's without reading keys and values),
     * so that a batch a consumer could not read is never stored: its records must decode (decompressed where the
     * batch is), be as many as the batch says and fill it exactly (kafka-clients' iterator checks both), and have
     * consecutive offsets. Also checks that each record has a key, where
     * {@code requireKeys} (compaction keeps the latest record per key, so a record without one has no place in a
     * compacted log: Kafka's rule), and that its timestamp is within bounds, where {@code checkTimestamps}
     * (timestamps need not rise within a batch). As Kafka, the batch is refused naming every record that fails those
     * two ({@link RecordErrors}), each for the first it fails.
     */
    private void checkRecords(MutableRecordBatch batch, boolean requireKeys, boolean checkTimestamps, LogConfig config,
                              long now) {
        List<RecordError> errors = new ArrayList<>();
        boolean timestampErrors = false;
        int index = 0;
        OptionalLong misplacedDelta = OptionalLong.empty(); // of the first record out of place
        try (CloseableIterator<Record> records = batch.skipKeyValueIterator(DECOMPRESSION_BUFFERS.get())) {
            while (records.hasNext()) {
                Record record = records.next();
                if (record.offset() - batch.baseOffset() != index) {
                    misplacedDelta = OptionalLong.of(record.offset() - batch.baseOffset());
                    break;
                }
                Optional<String> timestampProblem = checkTimestamps
                        ? timestampProblem(record.timestamp(), config, now) : Optional.empty();
                if (requireKeys && !record.hasKey()) {
                    errors.add(new RecordError(index, "Compacted topic cannot accept message without key in topic "
                            + "partition " + topicPartition + "."));
                } else if (timestampProblem.isPresent()) {
                    errors.add(new RecordError(index, timestampProblem.get()));
                    timestampErrors = true;
                }
                index++;
            }
        } catch (RuntimeException e) {
            // Records that run past the batch or stop short of it, a varint too long, a compressed stream that does
            // not decompress: under a CRC that matches, so not retriable, as CORRUPT_MESSAGE would be.
            throw new InvalidRecordException("Batch in a produce to " + topicPartition + " holds a malformed record "
                    + "after " + index + " of its " + batch.countOrNull() + ": " + e.getMessage(), e);
        }
        if (misplacedDelta.isPresent()) {
            throw new InvalidRecordException("Batch in a produce to " + topicPartition + " has offset delta "
                    + misplacedDelta.getAsLong() + " at record " + index + "; the offsets of its records must run "
                    + "from its base offset one by one");
        }
        if (!errors.isEmpty()) {
            throw RecordErrors.refusal(topicPartition, errors, timestampErrors);
        }
    }

    /**
     * Why a CreateTime timestamp is not within message.timestamp.before.max.ms and message.timestamp.after.max.ms of
     * now; empty if it is.
     */
    private Optional<String> timestampProblem(long timestamp, LogConfig config, long now) {
        if (timestamp == RecordBatch.NO_TIMESTAMP) {
            return Optional.empty();
        }
        if (timestamp < now - config.messageTimestampBeforeMaxMs()) {
            return Optional.of("Timestamp " + timestamp + " in a produce to " + topicPartition
                    + " is more than message.timestamp.before.max.ms " + config.messageTimestampBeforeMaxMs()
                    + " before the broker time " + now);
        }
        long afterMax = config.messageTimestampAfterMaxMs();
        if (afterMax < Long.MAX_VALUE - now && timestamp > now + afterMax) {
            return Optional.of("Timestamp " + timestamp + " in a produce to " + topicPartition
                    + " is more than message.timestamp.after.max.ms " + afterMax + " after the broker time " + now);
        }
        return Optional.empty();
    }
}
