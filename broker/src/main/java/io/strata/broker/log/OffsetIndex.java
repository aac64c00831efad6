package io.strata.broker.log;

import io.strata.tiered.IndexEntries;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to the byte position of the batch holding it, for one segment.
 *
 * <p>File format ({@link IndexEntries}): 8-byte big-endian entries {@code relativeOffset:int32 | position:int32},
 * where {@code relativeOffset = offset - baseOffset}; entries strictly increase in both fields. An entry
 * {@code (o, p)} means: the append written at byte {@code p} ends with offset {@code o}, so a scan
 * for any offset {@code >= o} may start at {@code p}. Entries are added every
 * {@code index.interval.bytes}, so a lookup is a binary search plus a short scan of the log.
 *
 * <p>Never checksummed: {@link #sanityCheck()} catches the usual damage and the loader rebuilds the
 * index from the log on any doubt. Thread-safety: see {@link MappedIndex}.
 */
public final class OffsetIndex extends MappedIndex {

    public static final int ENTRY_SIZE = IndexEntries.OFFSET_ENTRY_SIZE;

    public OffsetIndex(Path file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    /** The entry with the largest offset {@code <= targetOffset}, or {@code (baseOffset, 0)} if none. */
    public OffsetPosition lookup(long targetOffset) {
        return read((buffer, entries) -> {
            int slot = IndexEntries.floorSlot(entries, s -> offsetAt(buffer, s), targetOffset);
            return slot < 0 ? new OffsetPosition(baseOffset(), 0) : entryAt(buffer, slot);
        });
    }

    /** The last entry, or {@code (baseOffset, 0)} if empty. */
    public OffsetPosition lastEntry() {
        return read((buffer, entries) -> entries == 0 ? new OffsetPosition(baseOffset(), 0) : entryAt(buffer, entries - 1));
    }

    /** The entry in slot {@code n}. */
    public OffsetPosition entry(int n) {
        return read((buffer, entries) -> {
            if (n < 0 || n >= entries) {
                throw new IndexOutOfBoundsException("Slot " + n + " of " + entries + " entries in " + file());
            }
            return entryAt(buffer, n);
        });
    }

    /**
     * Adds an entry.
     *
     * @throws IllegalArgumentException if {@code offset} or {@code position} does not exceed the last entry's
     * @throws IllegalStateException if the index is full
     */
    public void append(long offset, int position) {
        int relative = relativeOffset(offset);
        write((buffer, entries) -> {
            if (entries >= maxEntries()) {
                throw new IllegalStateException("Index " + file() + " is full (" + entries + " entries)");
            }
            if (entries > 0) {
                OffsetPosition last = entryAt(buffer, entries - 1);
                if (offset <= last.offset() || position <= last.position()) {
                    throw new IllegalArgumentException("Entry (" + offset + ", " + position + ") does not follow last entry "
                            + last + " of " + file());
                }
            }
            IndexEntries.putOffsetEntry(buffer, entries, relative, position);
            return entries + 1;
        });
    }

    /**
     * Cheap structural checks, O(1): whole entries, non-negative first entry, last entry beyond the
     * first. A zero-filled file of more than one entry fails the last check.
     *
     * @throws CorruptIndexException if a check fails
     */
    public void sanityCheck() {
        checkLength();
        read((buffer, entries) -> {
            if (entries == 0) {
                return null;
            }
            OffsetPosition first = entryAt(buffer, 0);
            OffsetPosition last = entryAt(buffer, entries - 1);
            if (IndexEntries.offsetEntryRelativeOffset(buffer, 0) < 0 || first.position() < 0) {
                throw new CorruptIndexException("Index " + file() + " has a negative first entry " + first);
            }
            if (entries > 1 && (last.offset() <= first.offset() || last.position() <= first.position())) {
                throw new CorruptIndexException("Index " + file() + " has last entry " + last
                        + " not after first entry " + first + " (" + entries + " entries)");
            }
            return null;
        });
    }

    @Override
    protected long offsetAt(ByteBuffer buffer, int slot) {
        return baseOffset() + IndexEntries.offsetEntryRelativeOffset(buffer, slot);
    }

    private OffsetPosition entryAt(ByteBuffer buffer, int slot) {
        return new OffsetPosition(offsetAt(buffer, slot), IndexEntries.offsetEntryPosition(buffer, slot));
    }
}
