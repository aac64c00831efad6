package io.strata.tiered;

import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;

/**
 * The offset and time indexes of one segment, as read from its {@code .index} and {@code .timeindex}
 * files, answering lookups with a binary search over the bytes as they are.
 *
 * <p>Immutable and thread-safe: the buffers are only read with absolute gets.
 */
final class SegmentIndexes {

    private static final int OFFSET_ENTRY_SIZE = 8;
    private static final int TIME_ENTRY_SIZE = 12;

    private final long baseOffset;
    private final ByteBuffer offsets;
    private final ByteBuffer times;

    private SegmentIndexes(long baseOffset, ByteBuffer offsets, ByteBuffer times) {
        this.baseOffset = baseOffset;
        this.offsets = offsets;
        this.times = times;
    }

    /**
     * The indexes of {@code segment} from the contents of its files, which the result keeps.
     *
     * @throws IllegalStateException if a file is not a whole number of entries
     */
    static SegmentIndexes of(RemoteSegment segment, ByteBuffer offsetIndex, ByteBuffer timeIndex) {
        return new SegmentIndexes(segment.baseOffset(),
                wholeEntries(segment, SegmentFileType.OFFSET_INDEX, offsetIndex, OFFSET_ENTRY_SIZE),
                wholeEntries(segment, SegmentFileType.TIME_INDEX, timeIndex, TIME_ENTRY_SIZE));
    }

    /**
     * The byte position in the {@code .log} of the offset index entry with the largest offset at or
     * below {@code offset}, from which a scan for {@code offset} may start; 0 if there is none.
     */
    int position(long offset) {
        int slot = floorSlot(offsets.limit() / OFFSET_ENTRY_SIZE,
                s -> baseOffset + offsets.getInt(s * OFFSET_ENTRY_SIZE), offset);
        return slot < 0 ? 0 : offsets.getInt(slot * OFFSET_ENTRY_SIZE + Integer.BYTES);
    }

    /**
     * The offset of the time index entry with the largest timestamp at or below {@code timestamp}, or
     * the base offset if there is none: the first record with a timestamp at or above
     * {@code timestamp} is in the batch holding that offset or after it, as for a local segment.
     */
    long offsetForTimestamp(long timestamp) {
        int slot = floorSlot(times.limit() / TIME_ENTRY_SIZE, s -> times.getLong(s * TIME_ENTRY_SIZE), timestamp);
        return slot < 0 ? baseOffset : baseOffset + times.getInt(slot * TIME_ENTRY_SIZE + Long.BYTES);
    }

    /** The bytes the indexes take. */
    long sizeInBytes() {
        return offsets.capacity() + times.capacity();
    }

    /** The last slot whose key is at most {@code target}, or -1 if none is; keys increase with the slot. */
    private static int floorSlot(int slots, IntToLongFunction keyAt, long target) {
        int low = 0;
        int high = slots - 1;
        int found = -1;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            if (keyAt.applyAsLong(middle) <= target) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found;
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
