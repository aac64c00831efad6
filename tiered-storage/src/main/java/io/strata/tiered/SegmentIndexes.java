package io.strata.tiered;

import java.nio.ByteBuffer;

import static io.strata.tiered.IndexEntries.OFFSET_ENTRY_SIZE;
import static io.strata.tiered.IndexEntries.TIME_ENTRY_SIZE;

/**
 * The indexes of one segment, as read from its {@code .index} and {@code .timeindex} files, answering lookups with
 * a binary search over the bytes as they are (format in {@link IndexEntries}), and the contents of its
 * {@code .txnindex}, which the broker decodes (empty when the segment has none).
 *
 * <p>Immutable and thread-safe: the buffers are only read with absolute gets, or through duplicates.
 */
record SegmentIndexes(long baseOffset, ByteBuffer offsets, ByteBuffer times, ByteBuffer transactions) {

    /**
     * The indexes of {@code segment} from the contents of its files, which the result keeps.
     *
     * @throws IllegalStateException if a file is not a whole number of entries
     */
    static SegmentIndexes of(RemoteSegment segment, ByteBuffer offsetIndex, ByteBuffer timeIndex,
                             ByteBuffer transactionIndex) {
        return new SegmentIndexes(segment.baseOffset(),
                wholeEntries(segment, SegmentFileType.OFFSET_INDEX, offsetIndex, OFFSET_ENTRY_SIZE),
                wholeEntries(segment, SegmentFileType.TIME_INDEX, timeIndex, TIME_ENTRY_SIZE),
                transactionIndex.slice());
    }

    /**
     * The byte position in the {@code .log} of the offset index entry with the largest offset at or
     * below {@code offset}, from which a scan for {@code offset} may start; 0 if there is none.
     */
    int position(long offset) {
        int slot = IndexEntries.floorSlot(offsets.limit() / OFFSET_ENTRY_SIZE,
                s -> baseOffset + IndexEntries.offsetEntryRelativeOffset(offsets, s), offset);
        return slot < 0 ? 0 : IndexEntries.offsetEntryPosition(offsets, slot);
    }

    /**
     * The offset of the time index entry with the largest timestamp at or below {@code timestamp}, or
     * the base offset if there is none: the first record with a timestamp at or above
     * {@code timestamp} is in the batch holding that offset or after it, as for a local segment.
     */
    long offsetForTimestamp(long timestamp) {
        int slot = IndexEntries.floorSlot(times.limit() / TIME_ENTRY_SIZE,
                s -> IndexEntries.timeEntryTimestamp(times, s), timestamp);
        return slot < 0 ? baseOffset : baseOffset + IndexEntries.timeEntryRelativeOffset(times, slot);
    }

    /** The bytes the indexes take. */
    long sizeInBytes() {
        return offsets.capacity() + times.capacity() + transactions.capacity();
    }

    /** The file's contents alone, starting at index 0, checked to be whole entries. */
    private static ByteBuffer wholeEntries(RemoteSegment segment, SegmentFileType type, ByteBuffer contents,
                                           int entrySize) {
        if (contents.remaining() % entrySize != 0) {
            throw new IllegalStateException("Object " + segment.key(type) + " has " + contents.remaining()
                    + " bytes, not a whole number of " + entrySize + "-byte entries");
        }
        return contents.slice();
    }
}
