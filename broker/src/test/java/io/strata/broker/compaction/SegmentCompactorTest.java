package io.strata.broker.compaction;

import io.strata.broker.log.BatchMetadata;
import io.strata.broker.log.ProducerStateEntry;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.strata.broker.log.TestRecords.concat;
import static org.assertj.core.api.Assertions.assertThat;

/** Bytes in, compacted bytes out: no log, no files. */
class SegmentCompactorTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final long PID = 42;

    private static SimpleRecord record(String key, String value) {
        return new SimpleRecord(NOW, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** The filter of a pass's first segment, which has no aborted transaction. */
    private static CompactionFilter filter(OffsetMap map, long mappedEnd, long now, long deleteRetentionMs,
                                           Map<Long, ProducerStateEntry> producers) {
        return new CompactionPass(map, mappedEnd, now, deleteRetentionMs, producers).nextSegment(List.of());
    }

    private static List<String> describe(MemoryRecords records) {
        List<String> out = new ArrayList<>();
        for (Record record : records.records()) {
            out.add(record.offset() + ":" + StandardCharsets.UTF_8.decode(record.key())
                    + "=" + (record.hasValue() ? StandardCharsets.UTF_8.decode(record.value()) : "null"));
        }
        return out;
    }

    @Test
    void keepsTheLatestRecordPerKeyAtItsOffsetAndStampsTombstones() throws Exception {
        MemoryRecords input = concat(
                MemoryRecords.withRecords(0, Compression.NONE, record("a", "1"), record("b", "1")),
                MemoryRecords.withRecords(2, Compression.gzip().build(), record("a", "2"), record("c", "1")),
                MemoryRecords.withRecords(4, Compression.NONE, record("b", null)));
        OffsetMap map = new OffsetMap(1 << 12);
        assertThat(map.putAll(input, 0, 5, new CleanedTransactions())).isEqualTo(5);
        CompactionFilter filter = filter(map, 5, NOW, 1000, Map.of());

        MemoryRecords output = new SegmentCompactor(1024).compact(input, filter);

        assertThat(describe(output)).containsExactly("2:a=2", "3:c=1", "4:b=null");
        assertThat(filter.changedAnything()).isTrue();
        assertThat(filter.earliestDeleteHorizon()).isEqualTo(NOW + 1000);
        MutableRecordBatch tombstoneBatch = null;
        for (MutableRecordBatch batch : output.batches()) {
            tombstoneBatch = batch;
        }
        assertThat(tombstoneBatch.deleteHorizonMs()).hasValue(NOW + 1000);

        // Before the horizon the tombstone stays and nothing changes; at it, the tombstone goes.
        CompactionFilter early = filter(map, 5, NOW + 999, 1000, Map.of());
        MemoryRecords again = new SegmentCompactor(1024).compact(output, early);
        assertThat(early.changedAnything()).isFalse();
        assertThat(again.buffer()).isEqualTo(output.buffer());
        CompactionFilter late = filter(map, 5, NOW + 1000, 1000, Map.of());
        assertThat(describe(new SegmentCompactor(1024).compact(output, late))).containsExactly("2:a=2", "3:c=1");
    }

    @Test
    void recordsAboveTheMappedEndAreKept() throws Exception {
        MemoryRecords input = concat(
                MemoryRecords.withRecords(0, Compression.NONE, record("a", "1")),
                MemoryRecords.withRecords(1, Compression.NONE, record("a", "2")),
                MemoryRecords.withRecords(2, Compression.NONE, record("a", "3")));
        OffsetMap map = new OffsetMap(1 << 12);
        map.putAll(input, 0, 2, new CleanedTransactions());
        MemoryRecords output = new SegmentCompactor(1024).compact(input, filter(map, 2, NOW, 0, Map.of()));
        assertThat(describe(output)).containsExactly("1:a=2", "2:a=3");
    }

    @Test
    void lastBatchOfAnActiveProducerStaysAsAnEmptyBatch() throws Exception {
        MemoryRecords input = concat(
                MemoryRecords.withIdempotentRecords(0, Compression.NONE, PID, (short) 3, 7, 0, record("a", "1"), record("b", "1")),
                MemoryRecords.withRecords(2, Compression.NONE, record("a", "2"), record("b", "2")));
        OffsetMap map = new OffsetMap(1 << 12);
        map.putAll(input, 0, 4, new CleanedTransactions());

        MemoryRecords output = new SegmentCompactor(1024).compact(input,
                filter(map, 4, NOW, 0, Map.of(PID, new ProducerStateEntry(PID, (short) 3,
                        List.of(new BatchMetadata(7, 8, 0, 1, NOW)), ProducerStateEntry.NO_COORDINATOR_EPOCH,
                        ProducerStateEntry.NO_TXN, NOW))));

        List<RecordBatch> batches = new ArrayList<>();
        output.batches().forEach(batches::add);
        assertThat(batches).hasSize(2);
        RecordBatch empty = batches.get(0);
        assertThat(empty.producerId()).isEqualTo(PID);
        assertThat(empty.producerEpoch()).isEqualTo((short) 3);
        assertThat(empty.baseSequence()).isEqualTo(7);
        assertThat(empty.lastSequence()).isEqualTo(8);
        assertThat(empty.baseOffset()).isZero();
        assertThat(empty.lastOffset()).isEqualTo(1);
        assertThat(empty.countOrNull()).isZero();
        assertThat(describe(output)).containsExactly("2:a=2", "3:b=2");

        MemoryRecords withoutProducer = new SegmentCompactor(1024).compact(input,
                filter(map, 4, NOW, 0, Map.of()));
        assertThat(withoutProducer.batches()).hasSize(1);
    }

    @Test
    void aSegmentLargerThanAChunkIsCompactedChunkByChunk() throws Exception {
        List<MemoryRecords> parts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            parts.add(MemoryRecords.withRecords(i, Compression.NONE, record("k" + (i % 7), "v".repeat(50) + i)));
        }
        MemoryRecords input = concat(parts.toArray(MemoryRecords[]::new));
        OffsetMap map = new OffsetMap(1 << 12);
        map.putAll(input, 0, 200, new CleanedTransactions());
        SegmentCompactor.Stats[] stats = new SegmentCompactor.Stats[1];
        List<String> out = new ArrayList<>();
        stats[0] = new SegmentCompactor(1024).compact(input, filter(map, 200, NOW, 0, Map.of()),
                compacted -> out.addAll(describe(compacted)));
        assertThat(out).hasSize(7);
        assertThat(out.get(0)).startsWith("193:");
        assertThat(stats[0].bytesRead()).isEqualTo(input.sizeInBytes());
        assertThat(stats[0].recordsRead()).isEqualTo(200);
        assertThat(stats[0].recordsRetained()).isEqualTo(7);
    }
}
