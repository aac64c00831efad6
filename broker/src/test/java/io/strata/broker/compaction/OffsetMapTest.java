package io.strata.broker.compaction;

import io.strata.broker.log.AbortedTxn;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OffsetMapTest {

    private static ByteBuffer key(String key) {
        return ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void latestOffsetPerKeyWins() {
        OffsetMap map = new OffsetMap(1 << 16);
        for (int i = 0; i < 1000; i++) {
            map.put(key("k" + (i % 100)), i);
        }
        assertThat(map.size()).isEqualTo(100);
        for (int k = 0; k < 100; k++) {
            assertThat(map.get(key("k" + k))).isEqualTo(900 + k);
        }
        assertThat(map.get(key("absent"))).isEqualTo(-1);
    }

    @Test
    void anAbortedTransactionsRecordsShadowNoEarlierValueAndACommittedOnesDo() {
        SimpleRecord keyed = new SimpleRecord(0L, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        MemoryRecords plain = MemoryRecords.withRecords(0L, Compression.NONE, keyed);
        MemoryRecords aborted = MemoryRecords.withTransactionalRecords(1L, Compression.NONE, 9L, (short) 0, 0,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, keyed);
        MemoryRecords committed = MemoryRecords.withTransactionalRecords(2L, Compression.NONE, 8L, (short) 0, 0,
                RecordBatch.NO_PARTITION_LEADER_EPOCH, keyed);
        CleanedTransactions transactions = new CleanedTransactions();
        transactions.addAborted(List.of(new AbortedTxn(9L, 1, 3, 4)));

        OffsetMap map = new OffsetMap(1 << 16);
        assertThat(map.putAll(plain, 0, 1, transactions)).isEqualTo(1);
        assertThat(map.putAll(aborted, 1, 2, transactions)).isEqualTo(2);
        assertThat(map.get(key("k"))).as("an aborted transaction's record may not win").isZero();
        assertThat(map.putAll(committed, 2, 3, transactions)).isEqualTo(3);
        assertThat(map.get(key("k"))).as("below the last stable offset, any other transaction committed").isEqualTo(2);
    }

    @Test
    void aMapForSomeKeysTakesWhatTheyNeedWithinTheBudget() {
        long budget = 1 << 20;
        OffsetMap few = OffsetMap.forKeys(100, budget);
        assertThat(few.maxEntries()).isBetween(100, 101);
        for (int i = 0; i < 100; i++) {
            few.put(key("k" + i), i);
        }
        assertThat(few.size()).isEqualTo(100);

        assertThat(OffsetMap.forKeys(10_000_000, budget).maxEntries()).isEqualTo(new OffsetMap(budget).maxEntries());
        assertThat(OffsetMap.forKeys(0, budget).maxEntries()).isPositive();
    }

    @Test
    void memoryBudgetBoundsTheKeys() {
        OffsetMap map = new OffsetMap(OffsetMap.BYTES_PER_ENTRY * 10L);
        assertThat(map.maxEntries()).isEqualTo(9);
        for (int i = 0; i < 9; i++) {
            map.put(key("k" + i), i);
        }
        map.put(key("k0"), 99);
        assertThat(map.get(key("k0"))).isEqualTo(99);
        assertThatThrownBy(() -> map.put(key("new"), 100)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void putAllStopsBeforeTheFirstBatchThatDoesNotFit() {
        OffsetMap map = new OffsetMap(OffsetMap.BYTES_PER_ENTRY * 6L); // 5 keys
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        for (int batch = 0; batch < 4; batch++) {
            SimpleRecord[] records = new SimpleRecord[2];
            for (int r = 0; r < 2; r++) {
                records[r] = new SimpleRecord(0L, ("k" + (batch * 2 + r)).getBytes(StandardCharsets.UTF_8), null);
            }
            buffer.put(MemoryRecords.withRecords(batch * 2L, Compression.NONE, records).buffer());
        }
        buffer.flip();
        MemoryRecords records = MemoryRecords.readableRecords(buffer);

        // From offset 1: k1, then k2..k5 fill the 5 keys; the batch of k6 and k7 no longer fits.
        assertThat(map.putAll(records, 1, 8, new CleanedTransactions())).isEqualTo(6);
        assertThat(map.get(key("k0"))).isEqualTo(-1);
        assertThat(map.get(key("k5"))).isEqualTo(5);
        assertThat(map.get(key("k6"))).isEqualTo(-1);
        OffsetMap another = new OffsetMap(OffsetMap.BYTES_PER_ENTRY * 6L);
        assertThat(another.putAll(records, 0, 3, new CleanedTransactions())).isEqualTo(3);
        assertThat(another.size()).isEqualTo(3);
    }
}
