package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ProduceResponse.RecordError;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.strata.broker.log.TestRecords.ATTRIBUTES_OFFSET;
import static io.strata.broker.log.TestRecords.BASE_SEQUENCE_OFFSET;
import static io.strata.broker.log.TestRecords.LAST_OFFSET_DELTA_OFFSET;
import static io.strata.broker.log.TestRecords.RECORDS_COUNT_OFFSET;
import static io.strata.broker.log.TestRecords.RECORDS_OFFSET;
import static io.strata.broker.log.TestRecords.batch;
import static io.strata.broker.log.TestRecords.payload;
import static io.strata.broker.log.TestRecords.simple;
import static io.strata.broker.log.TestRecords.withHeaderField;
import static io.strata.broker.log.TestRecords.withMatchingCrc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Each refusal of a produced set of batches, with the Kafka error code a client gets for it. */
class LogValidatorTest {

    private static final TopicPartition TP = new TopicPartition("payments", 3);
    private static final long NOW = 1_700_000_000_000L;
    private static final long PID = 42;

    private final LogValidator validator = new LogValidator(TP);

    private static LogConfig config(Object... keyValues) {
        return TestLogConfigs.with(keyValues);
    }

    private void assertRefused(MemoryRecords records, LogConfig config, Class<? extends Exception> type, Errors error) {
        assertThatThrownBy(() -> validator.validate(records, config, NOW))
                .isInstanceOf(type)
                .hasMessageContaining(TP.toString())
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(error));
    }

    @Test
    void aValidSetPassesWithItsBatchesInOrder() {
        MemoryRecords two = TestRecords.concat(batch(NOW, "a", "b"), batch(NOW, "c"));

        List<MutableRecordBatch> batches = validator.validate(two, config(), NOW).batches();

        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).countOrNull()).isEqualTo(2);
        assertThat(batches.get(1).countOrNull()).isEqualTo(1);
    }

    @Test
    void aTransactionalBatchIsAcceptedAndAControlBatchIsNot() {
        assertThat(validator.validate(MemoryRecords.withTransactionalRecords(Compression.NONE, PID, (short) 0, 0,
                TestRecords.simple(NOW, "txn")), config(), NOW).batches()).hasSize(1);
        assertRefused(MemoryRecords.withEndTransactionMarker(NOW, PID, (short) 0,
                        new EndTransactionMarker(ControlRecordType.COMMIT, 0)),
                config(), InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    @Test
    void onlyMagicV2IsAccepted() {
        assertRefused(MemoryRecords.withRecords(RecordBatch.MAGIC_VALUE_V1, Compression.NONE,
                TestRecords.simple(NOW, "old")), config(), InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    @Test
    void aBatchAboveMaxMessageBytesIsTooLarge() {
        assertRefused(batch(NOW, payload(300, 'x')), config(LogConfig.MAX_MESSAGE_BYTES, 200),
                RecordTooLargeException.class, Errors.MESSAGE_TOO_LARGE);
    }

    @Test
    void aSetAboveSegmentBytesIsARecordBatchTooLarge() {
        MemoryRecords three = TestRecords.concat(batch(NOW, payload(100, 'a')), batch(NOW, payload(100, 'b')),
                batch(NOW, payload(100, 'c')));
        assertRefused(three, config(LogConfig.SEGMENT_BYTES, 300), RecordBatchTooLargeException.class,
                Errors.RECORD_LIST_TOO_LARGE);
    }

    @Test
    void aCrcMismatchIsCorrupt() {
        MemoryRecords records = batch(NOW, "value");
        int last = records.sizeInBytes() - 1;
        records.buffer().put(last, (byte) (records.buffer().get(last) ^ 0xff));
        assertThatThrownBy(() -> validator.validate(records, config(), NOW))
                .isInstanceOf(CorruptRecordException.class)
                .satisfies(e -> assertThat(Errors.forException(e)).isEqualTo(Errors.CORRUPT_MESSAGE));
    }

    @Test
    void bytesAfterTheLastWholeBatchAreCorrupt() {
        MemoryRecords good = batch(NOW, "good");
        MemoryRecords trailing = MemoryRecords.readableRecords(
                ByteBuffer.allocate(good.sizeInBytes() + 5).put(good.buffer()).position(0));
        assertRefused(trailing, config(), CorruptRecordException.class, Errors.CORRUPT_MESSAGE);
    }

    @Test
    void aSetWithoutBatchesIsInvalid() {
        assertRefused(MemoryRecords.EMPTY, config(), InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    @Test
    void anUnknownCompressionIsInvalid() {
        assertRefused(withHeaderField(batch(NOW, "v"), ATTRIBUTES_OFFSET, 2, 7), config(),
                InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    @Test
    void aRecordCountNotMatchingTheOffsetDeltaIsInvalid() {
        assertRefused(withHeaderField(batch(NOW, "one"), RECORDS_COUNT_OFFSET, 4, 2), config(),
                InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    @Test
    void anIdempotentBatchWithoutASequenceIsInvalid() {
        // kafka-clients refuses to build such a batch, so the sequence is written over a valid one.
        assertRefused(withHeaderField(TestRecords.idempotent(PID, (short) 0, 0, NOW, "v"), BASE_SEQUENCE_OFFSET, 4,
                RecordBatch.NO_SEQUENCE), config(), InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    @Test
    void anIdempotentBatchWithANegativeEpochIsInvalid() {
        assertRefused(TestRecords.idempotent(PID, (short) -5, 0, NOW, "v"), config(),
                InvalidProducerEpochException.class, Errors.INVALID_PRODUCER_EPOCH);
    }

    @Test
    void aCompactedLogRefusesARecordWithoutAKey() {
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        MemoryRecords mixed = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(NOW, "k".getBytes(StandardCharsets.UTF_8), value), new SimpleRecord(NOW, null, value));
        LogConfig compacted = config(LogConfig.CLEANUP_POLICY, List.of("compact"));

        assertThatThrownBy(() -> validator.validate(mixed, compacted, NOW)).isInstanceOf(InvalidRecordException.class)
                .hasMessage("Compacted topic cannot accept message without key in topic partition " + TP + ".");
        assertThat(validator.validate(MemoryRecords.withRecords(Compression.NONE,
                new SimpleRecord(NOW, "k".getBytes(StandardCharsets.UTF_8), value)), compacted, NOW).batches()).hasSize(1);
    }

    @Test
    void createTimeTimestampsOutsideTheBoundsAreInvalid() {
        LogConfig bounded = config(LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, 1000,
                LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, 1000);
        assertRefused(batch(NOW + 1001, "future"), bounded, InvalidTimestampException.class, Errors.INVALID_TIMESTAMP);
        assertRefused(batch(NOW - 1001, "past"), bounded, InvalidTimestampException.class, Errors.INVALID_TIMESTAMP);
        assertThat(validator.validate(batch(NOW + 1000, "edge"), bounded, NOW).batches()).hasSize(1);
    }

    @Test
    void aTooOldTimestampBetweenTheFirstAndTheNewestOfABatchIsInvalid() {
        LogConfig bounded = config(LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, 60_000);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        MemoryRecords stale = MemoryRecords.withRecords(Compression.lz4().build(), new SimpleRecord(NOW, value),
                new SimpleRecord(1000, value), new SimpleRecord(NOW, value));

        assertThatThrownBy(() -> validator.validate(stale, bounded, NOW)).isInstanceOf(InvalidTimestampException.class)
                .hasMessageStartingWith("Timestamp 1000 in a produce to " + TP);
        assertThat(validator.validate(stale, config(), NOW).batches()).as("no bound on how old").hasSize(1);
    }

    @Test
    void aBatchIsRefusedWithEveryRecordThatFailsEachForItsFirstFailure() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        MemoryRecords mixed = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(NOW, null, value),
                new SimpleRecord(NOW, key, value), new SimpleRecord(NOW - 5000, key, value),
                new SimpleRecord(NOW - 5000, null, value));
        LogConfig compactedAndBounded = config(LogConfig.CLEANUP_POLICY, List.of("compact"),
                LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, 1000);

        assertThatThrownBy(() -> validator.validate(mixed, compactedAndBounded, NOW))
                .isInstanceOf(InvalidTimestampException.class)
                .hasMessageStartingWith("3 records of a batch in a produce to " + TP + " are refused; the first: "
                        + "Compacted topic")
                .cause().asInstanceOf(InstanceOfAssertFactories.type(RecordErrors.class))
                .extracting(RecordErrors::errors, InstanceOfAssertFactories.list(RecordError.class))
                .extracting(error -> error.batchIndex, error -> error.message.split(" ")[0])
                .containsExactly(tuple(0, "Compacted"), tuple(2, "Timestamp"), tuple(3, "Compacted"));
    }

    @Test
    void aTooNewBatchIsRefusedNamingTheRecordsThatAre() {
        byte[] value = "v".getBytes(StandardCharsets.UTF_8);
        MemoryRecords future = MemoryRecords.withRecords(Compression.zstd().build(), new SimpleRecord(NOW, value),
                new SimpleRecord(NOW + 5000, value));
        LogConfig bounded = config(LogConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS, 1000);

        assertThatThrownBy(() -> validator.validate(future, bounded, NOW))
                .isInstanceOf(InvalidTimestampException.class)
                .hasMessageContaining("more than message.timestamp.after.max.ms 1000")
                .cause().asInstanceOf(InstanceOfAssertFactories.type(RecordErrors.class))
                .extracting(RecordErrors::errors, InstanceOfAssertFactories.list(RecordError.class))
                .extracting(error -> error.batchIndex).containsExactly(1);
    }

    /** Each under a CRC that matches: a batch a consumer could not read is refused, as Kafka refuses it. */
    @Test
    void aBatchWhoseRecordsDoNotDecodeAsItsHeaderSaysIsRefused() {
        MemoryRecords saysThreeHoldsTwo = withHeaderField(withHeaderField(batch(NOW, "a", "b"),
                LAST_OFFSET_DELTA_OFFSET, 4, 2), RECORDS_COUNT_OFFSET, 4, 3);
        assertRefused(saysThreeHoldsTwo, config(), InvalidRecordException.class, Errors.INVALID_RECORD);
        MemoryRecords saysOneHoldsTwo = withHeaderField(withHeaderField(batch(NOW, "a", "b"),
                LAST_OFFSET_DELTA_OFFSET, 4, 0), RECORDS_COUNT_OFFSET, 4, 1);
        assertRefused(saysOneHoldsTwo, config(), InvalidRecordException.class, Errors.INVALID_RECORD);

        ByteBuffer garbage = batch(NOW, "aaaa", "bbbb").buffer();
        fill(garbage, RECORDS_OFFSET, (byte) 0xff);
        assertRefused(withMatchingCrc(garbage), config(), InvalidRecordException.class, Errors.INVALID_RECORD);
        ByteBuffer notGzip = MemoryRecords.withRecords(Compression.gzip().build(), simple(NOW, payload(200, 'z')))
                .buffer();
        fill(notGzip, RECORDS_OFFSET + 10, (byte) 0x5a);
        assertRefused(withMatchingCrc(notGzip), config(), InvalidRecordException.class, Errors.INVALID_RECORD);
    }

    private static void fill(ByteBuffer buffer, int from, byte value) {
        for (int i = from; i < buffer.limit(); i++) {
            buffer.put(i, value);
        }
    }

    @Test
    void aTopicWithACompressionTypeStoresEveryBatchInItsCodec() {
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        MemoryRecords sent = MemoryRecords.withIdempotentRecords(Compression.NONE, PID, (short) 3, 7,
                new SimpleRecord(NOW, key, "a".repeat(200).getBytes(StandardCharsets.UTF_8)),
                new SimpleRecord(NOW + 1, null, "b".repeat(200).getBytes(StandardCharsets.UTF_8),
                        new RecordHeader[]{new RecordHeader("h", "v".getBytes(StandardCharsets.UTF_8))}));

        LogValidator.Validated asSent = validator.validate(sent, config(), NOW);
        assertThat(asSent.records()).as("producer: stored as sent").isSameAs(sent);

        LogValidator.Validated gzip = validator.validate(sent, config(LogConfig.COMPRESSION_TYPE, "gzip"), NOW);
        MutableRecordBatch stored = gzip.batches().get(0);
        assertThat(gzip.batches()).hasSize(1);
        assertThat(gzip.records().sizeInBytes()).isLessThan(sent.sizeInBytes());
        assertThat(stored.compressionType()).isEqualTo(CompressionType.GZIP);
        assertThat(List.of(stored.producerId(), (long) stored.producerEpoch(), (long) stored.baseSequence()))
                .containsExactly(PID, 3L, 7L);
        List<Record> records = new ArrayList<>();
        stored.forEach(records::add);
        assertThat(records).extracting(Record::offset, Record::timestamp).containsExactly(
                tuple(0L, NOW), tuple(1L, NOW + 1));
        assertThat(records.get(0).key()).isEqualTo(ByteBuffer.wrap(key));
        assertThat(records.get(1).headers()).containsExactly(new RecordHeader("h", "v".getBytes(StandardCharsets.UTF_8)));

        LogValidator.Validated uncompressed = validator.validate(gzip.records(),
                config(LogConfig.COMPRESSION_TYPE, "uncompressed"), NOW);
        assertThat(uncompressed.batches().get(0).compressionType()).isEqualTo(CompressionType.NONE);
        assertThat(uncompressed.records().sizeInBytes()).isEqualTo(sent.sizeInBytes());
    }

    @Test
    void aBatchWhoseRecordOffsetsDoNotRunOneByOneIsInvalid() {
        byte[] value = "a".getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(NOW, value),
                new SimpleRecord(NOW, value)).buffer();
        // The second record's offset delta, after the 61-byte header, the first record's 8 bytes and the second's
        // length, attributes and timestamp delta: 1 becomes 0, and the CRC follows.
        assertThat(buffer.get(72)).isEqualTo((byte) 2);
        buffer.put(72, (byte) 0);
        MemoryRecords repeated = TestRecords.withMatchingCrc(buffer);

        // A consumer would read one record of the two.
        assertThatThrownBy(() -> validator.validate(repeated, config(), NOW)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("offset delta 0 at record 1");
    }

    @Test
    void aRecompressedBatchOverMaxMessageBytesIsRefused() {
        MemoryRecords sent = MemoryRecords.withRecords(Compression.gzip().build(),
                new SimpleRecord(NOW, "c".repeat(5000).getBytes(StandardCharsets.UTF_8)));
        LogConfig uncompressed = config(LogConfig.COMPRESSION_TYPE, "uncompressed", LogConfig.MAX_MESSAGE_BYTES, 1000);

        assertThat(sent.sizeInBytes()).isLessThan(1000);
        assertRefused(sent, uncompressed, RecordTooLargeException.class, Errors.MESSAGE_TOO_LARGE);
    }

    @Test
    void logAppendTimeIgnoresTheProducersTimestamps() {
        LogConfig appendTime = config(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime",
                LogConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS, 1000);
        assertThat(validator.validate(batch(NOW - 10_000, "stale clock"), appendTime, NOW).batches()).hasSize(1);
    }
}
