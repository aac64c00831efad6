package io.strata.tiered;

import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;

/**
 * The entry formats of a segment's two sparse indexes, the one definition shared by the partition log
 * that writes them and the tiered reads that look them up in the bucket. An index file is an array of
 * fixed-width big-endian entries from byte 0, with no header and no checksum, sorted by key:
 * <ul>
 *   <li>offset index ({@link SegmentFileType#OFFSET_INDEX}): {@value #OFFSET_ENTRY_SIZE}-byte entries
 *       {@code relativeOffset:int32 | position:int32}, keyed by the offset;</li>
 *   <li>time index ({@link SegmentFileType#TIME_INDEX}): {@value #TIME_ENTRY_SIZE}-byte entries
 *       {@code timestamp:int64 | relativeOffset:int32}, keyed by the timestamp.</li>
 * </ul>
 * A relative offset is the offset minus the segment's base offset. Slot {@code n} starts at byte
 * {@code n * entrySize}.
 *
 * <p>Stateless and thread-safe: entries are read and written with absolute gets and puts, so a
 * buffer's position and limit are left alone; its byte order must be big-endian, the default.
 */
public final class IndexEntries {

    public static final int OFFSET_ENTRY_SIZE = 8;
    public static final int TIME_ENTRY_SIZE = 12;

    private IndexEntries() {
    }

    /** The relative offset of offset index entry {@code slot}. */
    public static int offsetEntryRelativeOffset(ByteBuffer offsetIndex, int slot) {
        return offsetIndex.getInt(slot * OFFSET_ENTRY_SIZE);
    }

    /** The byte position in the segment's log of offset index entry {@code slot}. */
    public static int offsetEntryPosition(ByteBuffer offsetIndex, int slot) {
        return offsetIndex.getInt(slot * OFFSET_ENTRY_SIZE + Integer.BYTES);
    }

    public static void putOffsetEntry(ByteBuffer offsetIndex, int slot, int relativeOffset, int position) {
        offsetIndex.putInt(slot * OFFSET_ENTRY_SIZE, relativeOffset);
        offsetIndex.putInt(slot * OFFSET_ENTRY_SIZE + Integer.BYTES, position);
    }

    /** The timestamp of time index entry {@code slot}. */
    public static long timeEntryTimestamp(ByteBuffer timeIndex, int slot) {
        return timeIndex.getLong(slot * TIME_ENTRY_SIZE);
    }

    /** The relative offset of time index entry {@code slot}. */
    public static int timeEntryRelativeOffset(ByteBuffer timeIndex, int slot) {
        return timeIndex.getInt(slot * TIME_ENTRY_SIZE + Long.BYTES);
    }

    public static void putTimeEntry(ByteBuffer timeIndex, int slot, long timestamp, int relativeOffset) {
        timeIndex.putLong(slot * TIME_ENTRY_SIZE, timestamp);
        timeIndex.putInt(slot * TIME_ENTRY_SIZE + Long.BYTES, relativeOffset);
    }

    /**
     * The last of the first {@code entries} slots whose key is at most {@code target}, or -1 if none is: the
     * binary search every lookup in a sorted index is. Keys must not decrease with the slot.
     */
    public static int floorSlot(int entries, IntToLongFunction keyAt, long target) {
        int low = 0;
        int high = entries - 1;
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
}
