package io.strata.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.Test;

/** The index entry formats byte by byte, as Kafka lays them out, and the floor search over sorted keys. */
class IndexEntriesTest {

    @Test
    void anOffsetEntryIsTheRelativeOffsetThenThePositionBigEndian() {
        ByteBuffer index = ByteBuffer.allocate(2 * IndexEntries.OFFSET_ENTRY_SIZE);
        IndexEntries.putOffsetEntry(index, 1, 0x01020304, 0x0a0b0c0d);

        assertThat(index.array()).containsExactly(
                0, 0, 0, 0, 0, 0, 0, 0,
                0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d);
        assertThat(index.position()).as("absolute puts").isZero();
        assertThat(IndexEntries.offsetEntryRelativeOffset(index, 1)).isEqualTo(0x01020304);
        assertThat(IndexEntries.offsetEntryPosition(index, 1)).isEqualTo(0x0a0b0c0d);
    }

    @Test
    void aTimeEntryIsTheTimestampThenTheRelativeOffsetBigEndian() {
        ByteBuffer index = ByteBuffer.allocate(2 * IndexEntries.TIME_ENTRY_SIZE);
        IndexEntries.putTimeEntry(index, 1, 0x0102030405060708L, 0x0a0b0c0d);

        assertThat(index.array()).containsExactly(
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0a, 0x0b, 0x0c, 0x0d);
        assertThat(IndexEntries.timeEntryTimestamp(index, 1)).isEqualTo(0x0102030405060708L);
        assertThat(IndexEntries.timeEntryRelativeOffset(index, 1)).isEqualTo(0x0a0b0c0d);
    }

    @Test
    void decodesTheFilesThePartitionLogWrites() {
        ByteBuffer offsets = ByteBuffer.wrap(TestSegments.offsetIndex(100, 100, 0, 110, 4096, 125, 8192));
        ByteBuffer times = ByteBuffer.wrap(TestSegments.timeIndex(100, 1_000, 105, 2_000, 130));

        assertThat(offsets.capacity()).isEqualTo(3 * IndexEntries.OFFSET_ENTRY_SIZE);
        assertThat(IndexEntries.offsetEntryRelativeOffset(offsets, 2)).isEqualTo(25);
        assertThat(IndexEntries.offsetEntryPosition(offsets, 2)).isEqualTo(8192);
        assertThat(times.capacity()).isEqualTo(2 * IndexEntries.TIME_ENTRY_SIZE);
        assertThat(IndexEntries.timeEntryTimestamp(times, 1)).isEqualTo(2_000);
        assertThat(IndexEntries.timeEntryRelativeOffset(times, 1)).isEqualTo(30);
    }

    @Test
    void floorSlotIsTheLastSlotWithAKeyAtOrBelowTheTarget() {
        long[] keys = {10, 20, 20, 30};
        IntToLongFunction keyAt = slot -> keys[slot];

        assertThat(IndexEntries.floorSlot(0, keyAt, 100)).as("no entries").isEqualTo(-1);
        assertThat(IndexEntries.floorSlot(4, keyAt, 9)).as("below the first").isEqualTo(-1);
        assertThat(IndexEntries.floorSlot(4, keyAt, 10)).isZero();
        assertThat(IndexEntries.floorSlot(4, keyAt, 19)).isZero();
        assertThat(IndexEntries.floorSlot(4, keyAt, 20)).as("the last of equal keys").isEqualTo(2);
        assertThat(IndexEntries.floorSlot(4, keyAt, 29)).isEqualTo(2);
        assertThat(IndexEntries.floorSlot(4, keyAt, Long.MAX_VALUE)).isEqualTo(3);
        assertThat(IndexEntries.floorSlot(2, keyAt, Long.MAX_VALUE)).as("only the first entries count").isEqualTo(1);
    }
}
