package io.strata.broker.log;

import io.strata.tiered.IndexEntries;
import org.apache.kafka.common.utils.ByteBufferUnmapper;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The memory-mapped file shared by {@link OffsetIndex} and {@link TimeIndex}: an array of
 * fixed-width big-endian entries, sorted by key, starting at byte 0, with no header and no checksum,
 * in the formats {@link IndexEntries} defines for both the broker and tiered storage.
 *
 * <p>Nothing is created or mapped before it is needed, as with Kafka's lazy indexes: a new index's file
 * appears with its first entry or when it is trimmed ({@link #trimToValidSize()}), and an existing file is
 * mapped at its first lookup. A broker with thousands of idle partitions then holds no mapping for them.
 *
 * <p>An index may hold up to {@link #maxEntries()} entries (the topic's {@code segment.index.bytes}),
 * but the file and its mapping start at {@link #INITIAL_MAPPED_BYTES} and double as entries arrive.
 * Kafka preallocates the whole size instead; on a device with a large read-ahead, the first write
 * to a mostly sparse mapping faults in megabytes of zeros, which cost milliseconds per partition and
 * kept them resident, so a broker with thousands of partitions spent its appends in page faults. The
 * file is trimmed to its entries when the segment stops being active ({@link #trimToValidSize()}). An
 * existing file is taken to hold {@code length / entrySize} entries: true for a trimmed file, and a
 * file left untrimmed by a crash fails its sanity check (trailing zero entries), so it is rebuilt.
 *
 * <p>Each index names its entry type {@code E}, the key its entries are sorted by ({@link #keyAt}) and
 * the entry a lookup returns when no entry qualifies ({@link #absentEntry()}); lookups and the sanity
 * check are shared.
 *
 * <p>Thread-safety: one writer (the partition's appender) and any number of readers. Lookups hold
 * the read lock; appends, truncation, resizing and closing hold the write lock, because resizing
 * and closing unmap the buffer and a read of an unmapped buffer crashes the JVM.
 */
abstract class MappedIndex<E> implements Closeable {

    /** Bytes a new index file is mapped with: one page. */
    static final int INITIAL_MAPPED_BYTES = 4096;
    private static final ByteBuffer NO_ENTRIES = ByteBuffer.allocate(0);

    private volatile Path file;
    private final long baseOffset;
    private final int entrySize;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private MappedByteBuffer mmap; // guarded by lock; null until needed and once closed
    private boolean closed; // guarded by lock
    private volatile int entries;
    private volatile int maxEntries;
    private final boolean lengthIsMultipleOfEntrySize;

    MappedIndex(Path file, long baseOffset, int maxIndexSize, int entrySize) throws IOException {
        this.file = file;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        long length;
        try {
            length = Files.size(file);
        } catch (NoSuchFileException e) {
            length = -1;
        }
        if (length > Integer.MAX_VALUE) {
            throw new IOException("Index file " + file + " is larger than 2 GiB");
        }
        lengthIsMultipleOfEntrySize = length < 0 || length % entrySize == 0;
        entries = length < 0 ? 0 : (int) (length / entrySize);
        maxEntries = length < 0 ? roundDown(maxIndexSize) / entrySize : entries;
    }

    public Path file() {
        return file;
    }

    public long baseOffset() {
        return baseOffset;
    }

    public int entries() {
        return entries;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public boolean isFull() {
        return entries >= maxEntries;
    }

    /** Bytes holding entries (the file may be longer while the segment is active). */
    public int sizeInBytes() {
        return entries * entrySize;
    }

    /**
     * Sets the most entries the index may hold to {@code newSize} rounded down to whole entries, keeping
     * the entries; a file longer than that is shrunk, a shorter one grows as entries arrive.
     *
     * @return whether the limit or the file changed
     * @throws IllegalArgumentException if the entries do not fit in {@code newSize}
     */
    public boolean resize(int newSize) throws IOException {
        lock.writeLock().lock();
        try {
            ensureOpen();
            int rounded = roundDown(newSize);
            if (rounded < entries * entrySize) {
                throw new IllegalArgumentException("Cannot resize " + file + " to " + newSize
                        + " bytes: it holds " + entries + " entries");
            }
            boolean changed = maxEntries != rounded / entrySize;
            maxEntries = rounded / entrySize;
            if (mmap != null && mmap.capacity() > rounded) {
                remap(rounded);
                changed = true;
            } else if (mmap == null && Files.exists(file) && Files.size(file) > rounded) {
                // Not mapped, but emptied by reset(): the file still holds the old entries.
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(rounded);
                }
                changed = true;
            }
            return changed;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Shrinks the file to its entries, so that the entry count can be read back from the file length; creates
     * it, empty, if it was never needed.
     */
    public void trimToValidSize() throws IOException {
        lock.writeLock().lock();
        try {
            resize(entries * entrySize);
            if (mmap == null && !Files.exists(file)) {
                Files.createFile(file);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Drops every entry and allows {@code maxIndexSize} bytes of them, ready for a rebuild. */
    public void reset(int maxIndexSize) throws IOException {
        lock.writeLock().lock();
        try {
            entries = 0;
            resize(maxIndexSize);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Writes dirty pages of the mapping to disk. */
    public void flush() {
        lock.readLock().lock();
        try {
            if (mmap != null) {
                mmap.force();
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Flushes, trims to the entries and unmaps; an index never needed stays without a file. Idempotent. */
    @Override
    public void close() throws IOException {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            if (mmap != null) {
                mmap.force();
                trimToValidSize();
                ByteBufferUnmapper.unmap(file.toString(), mmap);
                mmap = null;
            }
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Unmaps without flushing and deletes the file. Idempotent. */
    public void deleteIfExists() throws IOException {
        lock.writeLock().lock();
        try {
            if (mmap != null) {
                ByteBufferUnmapper.unmap(file.toString(), mmap);
                mmap = null;
            }
            closed = true;
            Files.deleteIfExists(file);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Renames the file, replacing any file of that name; the mapping stays valid. Returns the new path.
     * Replacing matters for {@code .deleted} names: a segment compacted twice within the retirement
     * delay retires two generations under the same name, and the older mapping outlives its name.
     */
    Path renameTo(Path target) throws IOException {
        lock.writeLock().lock();
        try {
            if (mmap != null || Files.exists(file)) {
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
            }
            file = target;
            return target;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** @throws CorruptIndexException if the file length is not a whole number of entries */
    void checkLength() {
        if (!lengthIsMultipleOfEntrySize) {
            throw new CorruptIndexException("Index file " + file + " has a length that is not a multiple of "
                    + entrySize);
        }
    }

    /** {@code offset - baseOffset} as the int stored in entries. */
    int relativeOffset(long offset) {
        long relative = offset - baseOffset;
        if (relative < 0 || relative > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Offset " + offset + " does not fit in index " + file
                    + " with base offset " + baseOffset);
        }
        return (int) relative;
    }

    interface Reader<T> {
        T read(ByteBuffer buffer, int entries);
    }

    interface Writer {
        /** Returns the new entry count. */
        int write(ByteBuffer buffer, int entries);
    }

    /** Runs {@code reader} on a stable mapping and entry count. */
    final <T> T read(Reader<T> reader) {
        lock.readLock().lock();
        try {
            ensureOpen();
            if (mmap != null || entries == 0) {
                return reader.read(mmap != null ? mmap : NO_ENTRIES, entries);
            }
        } finally {
            lock.readLock().unlock();
        }
        // The first lookup of an existing file maps it.
        lock.writeLock().lock();
        try {
            return reader.read(mapped(), entries);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot map index " + file, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs {@code writer} exclusively with room mapped for one more entry, if the limit allows one, and
     * publishes the entry count it returns.
     *
     * @throws UncheckedIOException if the file cannot be grown
     */
    final void append(Writer writer) {
        lock.writeLock().lock();
        try {
            int needed = (entries + 1) * entrySize;
            if (entries < maxEntries && needed > mapped().capacity()) {
                remap((int) Math.min((long) maxEntries * entrySize,
                        Math.max(roundDown(INITIAL_MAPPED_BYTES), 2L * mmap.capacity())));
            }
            entries = writer.write(mmap, entries);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot grow index " + file + " past " + entries + " entries", e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Runs {@code writer} exclusively on the entries there are, and publishes the entry count it returns. */
    final void write(Writer writer) {
        lock.writeLock().lock();
        try {
            ensureOpen();
            if (entries > 0) {
                entries = writer.write(mapped(), entries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot map index " + file, e);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Removes every entry with an offset {@code >= offset}. */
    public void truncateTo(long offset) {
        write((buffer, entries) -> IndexEntries.floorSlot(entries, slot -> offsetAt(buffer, slot), offset - 1) + 1);
    }

    /** The entry with the largest key {@code <= target}, or {@link #absentEntry()} if none. */
    public E lookup(long target) {
        return read((buffer, entries) -> {
            int slot = IndexEntries.floorSlot(entries, s -> keyAt(buffer, s), target);
            return slot < 0 ? absentEntry() : entryAt(buffer, slot);
        });
    }

    /** The last entry, or {@link #absentEntry()} if empty. */
    public E lastEntry() {
        return read((buffer, entries) -> entries == 0 ? absentEntry() : entryAt(buffer, entries - 1));
    }

    /** The entry in slot {@code n}. */
    public E entry(int n) {
        return read((buffer, entries) -> {
            if (n < 0 || n >= entries) {
                throw new IndexOutOfBoundsException("Slot " + n + " of " + entries + " entries in " + file());
            }
            return entryAt(buffer, n);
        });
    }

    /**
     * Cheap structural checks, O(1): whole entries, a non-negative first entry, a last entry after the
     * first ({@link #follows}). A zero-filled file of more than one entry fails the last check.
     *
     * @throws CorruptIndexException if a check fails
     */
    public void sanityCheck() {
        checkLength();
        read((buffer, entries) -> {
            if (entries == 0) {
                return null;
            }
            E first = entryAt(buffer, 0);
            E last = entryAt(buffer, entries - 1);
            if (firstEntryIsNegative(buffer, first)) {
                throw new CorruptIndexException(kind() + " " + file() + " has a negative first entry " + first);
            }
            if (entries > 1 && !follows(last, first)) {
                throw new CorruptIndexException(kind() + " " + file() + " has last entry " + last
                        + " not after first entry " + first + " (" + entries + " entries)");
            }
            return null;
        });
    }

    /** The absolute offset of the entry in {@code slot}; every index keys or carries one. */
    protected abstract long offsetAt(ByteBuffer buffer, int slot);

    /** The key entries are sorted by, of the entry in {@code slot}. */
    protected abstract long keyAt(ByteBuffer buffer, int slot);

    /** The entry in {@code slot}. */
    protected abstract E entryAt(ByteBuffer buffer, int slot);

    /** What {@link #lookup} and {@link #lastEntry()} return when there is no entry to return. */
    protected abstract E absentEntry();

    /** Whether the stored first entry is out of range. */
    protected abstract boolean firstEntryIsNegative(ByteBuffer buffer, E first);

    /** Whether {@code last} may follow {@code first} in a valid index. */
    protected abstract boolean follows(E last, E first);

    /** How corruption messages name this kind of index. */
    protected abstract String kind();

    /**
     * The mapping, made on first use: of the existing file, or of a new one of one page (less if the limit is
     * lower). The caller holds the write lock.
     */
    private MappedByteBuffer mapped() throws IOException {
        ensureOpen();
        if (mmap == null) {
            remap(Files.exists(file) ? (int) Files.size(file)
                    : Math.min(roundDown(INITIAL_MAPPED_BYTES), maxEntries * entrySize));
        }
        return mmap;
    }

    /** Maps the file at {@code size} bytes, setting its length; the caller holds the write lock. */
    private void remap(int size) throws IOException {
        if (mmap != null) {
            // Unmap first: some platforms refuse to truncate a mapped file.
            ByteBufferUnmapper.unmap(file.toString(), mmap);
            mmap = null;
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, size);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Index " + file + " is closed");
        }
    }

    private int roundDown(int size) {
        return size / entrySize * entrySize;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + file + ", entries=" + entries + ", maxEntries=" + maxEntries + ")";
    }
}
