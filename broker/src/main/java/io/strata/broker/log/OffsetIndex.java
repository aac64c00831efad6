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
 * {@code index.interval.bytes}, so a lookup is a binary search plus a short scan of the log. Keyed by
 * the offset; with no entry to return, a lookup returns {@code (baseOffset, 0)}.
 *
 * <p>Never checksummed: {@link #sanityCheck()} catches the usual damage and the loader rebuilds the
 * index from the log on any doubt. Thread-safety: see {@link MappedIndex}.
 */
public final class OffsetIndex extends MappedIndex<OffsetPosition> {

    public static final int ENTRY_SIZE = IndexEntries.OFFSET_ENTRY_SIZE;

    public OffsetIndex(Path file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    /**
     * Adds an entry.
     *
     * @throws IllegalArgumentException if {@code offset} or {@code position} does not exceed the last entry's
     * @throws IllegalStateException if the index is full
     */
    public void append(long offset, int position) {
        int relative = relativeOffset(offset);
        append((buffer, entries) -> {
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

    @Override
    protected long offsetAt(ByteBuffer buffer, int slot) {
        return baseOffset() + IndexEntries.offsetEntryRelativeOffset(buffer, slot);
    }

    @Override
    protected long keyAt(ByteBuffer buffer, int slot) {
        return offsetAt(buffer, slot);
    }

    @Override
    protected OffsetPosition entryAt(ByteBuffer buffer, int slot) {
        return new OffsetPosition(offsetAt(buffer, slot), IndexEntries.offsetEntryPosition(buffer, slot));
    }

    @Override
    protected OffsetPosition absentEntry() {
        return new OffsetPosition(baseOffset(), 0);
    }

    @Override
    protected boolean firstEntryIsNegative(ByteBuffer buffer, OffsetPosition first) {
        return IndexEntries.offsetEntryRelativeOffset(buffer, 0) < 0 || first.position() < 0;
    }

    /** Both the offset and the position strictly increase. */
    @Override
    protected boolean follows(OffsetPosition last, OffsetPosition first) {
        return last.offset() > first.offset() && last.position() > first.position();
    }

    @Override
    protected String kind() {
        return "Index";
    }
}
