package io.strata.broker.log;

import io.strata.tiered.IndexEntries;
import org.apache.kafka.common.record.RecordBatch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset, for one segment.
 *
 * <p>File format ({@link IndexEntries}): 12-byte big-endian entries {@code timestamp:int64 | relativeOffset:int32}; timestamps
 * strictly increase and offsets never decrease. An entry {@code (t, o)} means: the largest timestamp
 * among the batches up to offset {@code o} is {@code t}, so a record with a timestamp {@code > t} lies
 * after {@code o}. When a segment stops being active it gets a final entry holding its largest
 * timestamp, which is how a reopened segment learns its largest timestamp without a scan; the last
 * slot is kept free for it, so {@link #isFull()} reports full one entry early. Keyed by the timestamp;
 * with no entry to return, a lookup returns {@code (-1, baseOffset)}.
 *
 * <p>Never checksummed: on doubt rebuilt. Thread-safety: see {@link MappedIndex}.
 */
public final class TimeIndex extends MappedIndex<TimestampOffset> {

    public static final int ENTRY_SIZE = IndexEntries.TIME_ENTRY_SIZE;

    public TimeIndex(Path file, long baseOffset, int maxIndexSize) throws IOException {
        super(file, baseOffset, maxIndexSize, ENTRY_SIZE);
    }

    /** Full for ordinary appends: only the reserved final slot is left. */
    @Override
    public boolean isFull() {
        return entries() >= maxEntries() - 1;
    }

    /**
     * Adds {@code (timestamp, offset)} if {@code timestamp} exceeds the last entry's; otherwise the
     * entry would add nothing and is skipped. Uses the reserved slot only if {@code isFinal}.
     *
     * @return whether an entry was added
     * @throws IllegalArgumentException if {@code offset} is below the last entry's
     * @throws IllegalStateException if there is no room for a non-final entry
     */
    public boolean maybeAppend(long timestamp, long offset, boolean isFinal) {
        int relative = relativeOffset(offset);
        boolean[] appended = {false};
        append((buffer, entries) -> {
            if (entries > 0) {
                TimestampOffset last = entryAt(buffer, entries - 1);
                if (offset < last.offset()) {
                    throw new IllegalArgumentException("Entry (" + timestamp + ", " + offset
                            + ") goes back from last entry " + last + " of " + file());
                }
                if (timestamp <= last.timestamp()) {
                    return entries;
                }
            }
            int limit = isFinal ? maxEntries() : maxEntries() - 1;
            if (entries >= limit) {
                if (isFinal) {
                    // Only a file too small for a single entry gets here; the segment then forgets its
                    // largest timestamp on reopen, which is harmless next to refusing to roll.
                    return entries;
                }
                throw new IllegalStateException("Time index " + file() + " is full (" + entries + " entries)");
            }
            IndexEntries.putTimeEntry(buffer, entries, timestamp, relative);
            appended[0] = true;
            return entries + 1;
        });
        return appended[0];
    }

    @Override
    protected long offsetAt(ByteBuffer buffer, int slot) {
        return baseOffset() + IndexEntries.timeEntryRelativeOffset(buffer, slot);
    }

    @Override
    protected long keyAt(ByteBuffer buffer, int slot) {
        return IndexEntries.timeEntryTimestamp(buffer, slot);
    }

    @Override
    protected TimestampOffset entryAt(ByteBuffer buffer, int slot) {
        return new TimestampOffset(IndexEntries.timeEntryTimestamp(buffer, slot), offsetAt(buffer, slot));
    }

    @Override
    protected TimestampOffset absentEntry() {
        return new TimestampOffset(RecordBatch.NO_TIMESTAMP, baseOffset());
    }

    @Override
    protected boolean firstEntryIsNegative(ByteBuffer buffer, TimestampOffset first) {
        return IndexEntries.timeEntryRelativeOffset(buffer, 0) < 0;
    }

    /** The timestamp strictly increases; the offset does not go back. */
    @Override
    protected boolean follows(TimestampOffset last, TimestampOffset first) {
        return last.timestamp() > first.timestamp() && last.offset() >= first.offset();
    }

    @Override
    protected String kind() {
        return "Time index";
    }
}
