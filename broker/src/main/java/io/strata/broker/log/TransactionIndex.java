package io.strata.broker.log;

import org.apache.kafka.common.utils.Utils;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The aborted transactions whose abort markers lie in one segment, Kafka's {@code <base offset>.txnindex}: what
 * a {@code read_committed} fetch returns so the consumer can drop the aborted records.
 *
 * <p>File format, identical to Kafka's: a sequence of {@value #ENTRY_SIZE}-byte big-endian entries in increasing
 * order of last offset, with no header and no checksum:
 * <pre>
 *   int16  version, {@value #VERSION}
 *   int64  producer id
 *   int64  first offset
 *   int64  last offset (of the abort marker)
 *   int64  last stable offset
 * </pre>
 *
 * <p>Most segments never see an aborted transaction, so nothing is created or opened before it is needed: the
 * file appears with the first entry, and an existing one is opened at its first read. Entries are few (one per
 * abort), so reads go to the file each time rather than to a mapping or a copy in memory.
 *
 * <p>Thread-safe: every method holds the index's lock, so a fetch reading it never sees a half-written entry.
 */
public final class TransactionIndex implements Closeable {

    /** Bytes of one entry. */
    public static final int ENTRY_SIZE = 34;
    private static final short VERSION = 0;
    /** Entries read at once by a scan, to bound the buffer for a segment with very many aborts. */
    private static final int ENTRIES_PER_READ = 128;

    /**
     * What {@link #collectAbortedTxns} found.
     *
     * @param abortedTxns the matching entries, in index order
     * @param isComplete  whether an entry with a last stable offset at or beyond the upper bound was seen: every
     *                    transaction a later segment records was then still open when the range was stable, so a
     *                    reader needs no later segment's index
     */
    public record SearchResult(List<AbortedTxn> abortedTxns, boolean isComplete) {
    }

    /** Receives the entries of a scan; returns false to stop it. */
    private interface EntryVisitor {
        boolean visit(AbortedTxn txn, long position) throws IOException;
    }

    private final long startOffset;
    private Path file;
    /** Null until the file is first needed, and once closed. */
    private FileChannel channel;
    /** Whether the file was found missing and nothing created it since, to skip a look on every read. */
    private boolean absent;
    private boolean unflushed;
    private boolean closed;

    /**
     * Opens nothing: the file, if there is one, is read when first needed.
     *
     * @param startOffset the base offset of the segment; every entry's last offset is at least this
     */
    public TransactionIndex(long startOffset, Path file) {
        this.startOffset = startOffset;
        this.file = file;
    }

    public synchronized Path file() {
        return file;
    }

    /**
     * Appends an entry, creating the file if needed.
     *
     * @throws IllegalArgumentException if {@code txn} does not end after the last entry, or is invalid for this
     *                                  index (see {@link #sanityCheck()})
     * @throws CorruptIndexException    if the file ends with a partial entry
     */
    public synchronized void append(AbortedTxn txn) throws IOException {
        String defect = defect(txn, startOffset);
        if (defect != null) {
            throw new IllegalArgumentException("Cannot append " + txn + " to transaction index " + file + ": " + defect);
        }
        FileChannel channel = channel(true);
        long size = wholeEntriesSize(channel);
        if (size > 0) {
            AbortedTxn last = readEntry(channel, size - ENTRY_SIZE);
            if (txn.lastOffset() <= last.lastOffset()) {
                throw new IllegalArgumentException("Cannot append an aborted transaction ending at offset "
                        + txn.lastOffset() + " to transaction index " + file + " after one ending at offset "
                        + last.lastOffset() + ": last offsets must increase");
            }
        }
        ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE)
                .putShort(VERSION)
                .putLong(txn.producerId())
                .putLong(txn.firstOffset())
                .putLong(txn.lastOffset())
                .putLong(txn.lastStableOffset())
                .flip();
        unflushed = true;
        long position = size;
        while (entry.hasRemaining()) {
            position += channel.write(entry, position);
        }
    }

    /** Every entry, in order. */
    public synchronized List<AbortedTxn> allAbortedTxns() throws IOException {
        List<AbortedTxn> all = new ArrayList<>();
        scan((txn, position) -> all.add(txn));
        return all;
    }

    /**
     * The aborted transactions that overlap the offsets {@code [fetchOffset, upperBoundOffset)}: those with a last
     * offset at or after {@code fetchOffset} and a first offset before {@code upperBoundOffset}. Stops at the first
     * entry whose last stable offset reaches {@code upperBoundOffset}, which makes the result complete.
     */
    public synchronized SearchResult collectAbortedTxns(long fetchOffset, long upperBoundOffset) throws IOException {
        Search search = new Search(fetchOffset, upperBoundOffset);
        scan((txn, position) -> search.accept(txn));
        return search.result();
    }

    /**
     * {@link #collectAbortedTxns(long, long)} over the contents of a {@code .txnindex} file, as a tiered segment's is
     * read from the object store.
     *
     * @param startOffset the base offset of the segment the contents belong to
     * @param source      names the contents in errors
     * @throws CorruptIndexException if the contents are not whole, valid entries
     */
    public static SearchResult collectAbortedTxns(ByteBuffer contents, long startOffset, String source,
                                                  long fetchOffset, long upperBoundOffset) {
        ByteBuffer buffer = contents.duplicate();
        if (buffer.remaining() % ENTRY_SIZE != 0) {
            throw new CorruptIndexException("Transaction index " + source + " ends with a partial entry ("
                    + buffer.remaining() + " bytes, entries are " + ENTRY_SIZE + " bytes)");
        }
        Search search = new Search(fetchOffset, upperBoundOffset);
        for (long position = 0; buffer.hasRemaining(); position += ENTRY_SIZE) {
            if (!search.accept(decode(buffer, position, startOffset, source))) {
                break;
            }
        }
        return search.result();
    }

    /** The entries overlapping a range, gathered in index order until one shows the rest cannot matter. */
    private static final class Search {
        private final long fetchOffset;
        private final long upperBoundOffset;
        private final List<AbortedTxn> found = new ArrayList<>();
        private boolean complete;

        Search(long fetchOffset, long upperBoundOffset) {
            this.fetchOffset = fetchOffset;
            this.upperBoundOffset = upperBoundOffset;
        }

        /** Takes one entry; false once the result is complete. */
        boolean accept(AbortedTxn txn) {
            if (txn.lastOffset() >= fetchOffset && txn.firstOffset() < upperBoundOffset) {
                found.add(txn);
            }
            complete = txn.lastStableOffset() >= upperBoundOffset;
            return !complete;
        }

        SearchResult result() {
            return new SearchResult(found, complete);
        }
    }

    /** Drops the entries whose abort marker is at or after {@code offset}. Not flushed: the caller fsyncs. */
    public synchronized void truncateTo(long offset) throws IOException {
        scan((txn, position) -> {
            if (txn.lastOffset() < offset) {
                return true;
            }
            channel.truncate(position);
            unflushed = true;
            return false;
        });
    }

    /** Drops every entry and deletes the file, for a recovery that rebuilds the index from the log. */
    public synchronized void reset() throws IOException {
        ensureOpen();
        closeChannel();
        Files.deleteIfExists(file);
        absent = true;
    }

    /** Fsyncs the entries appended or truncated since the last flush, if any. */
    public synchronized void flush() throws IOException {
        if (channel != null && unflushed) {
            channel.force(true);
            unflushed = false;
        }
    }

    /** Flushes and closes the file; an index that never had an entry stays without one. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        flush();
        closeChannel();
        closed = true;
    }

    /** Closes without flushing and deletes the file. Idempotent. */
    public synchronized void deleteIfExists() throws IOException {
        closeChannel();
        closed = true;
        Files.deleteIfExists(file);
    }

    /**
     * Renames the file, replacing any file of that name; an open channel keeps working. An index without a file
     * deletes any file of that name instead, so that the name never shows another index's entries: a segment
     * compacted twice within the retirement delay retires two generations under the same {@code .deleted} name.
     */
    public synchronized void renameTo(Path target) throws IOException {
        if (channel != null || (!absent && Files.exists(file))) {
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.deleteIfExists(target);
            absent = true;
        }
        file = target;
    }

    /**
     * Reads every entry and checks it: the file holds whole entries, each of version {@value #VERSION}, with a
     * last offset at or after its first offset and the segment's base offset. O(entries), and free for the
     * segments that have no file.
     *
     * @throws CorruptIndexException if a check fails
     */
    public synchronized void sanityCheck() throws IOException {
        scan((txn, position) -> true);
    }

    /** Calls {@code visitor} on the entries from the first until it returns false; the caller holds the lock. */
    private void scan(EntryVisitor visitor) throws IOException {
        FileChannel channel = channel(false);
        if (channel == null) {
            return;
        }
        long size = wholeEntriesSize(channel);
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size, (long) ENTRIES_PER_READ * ENTRY_SIZE));
        long position = 0;
        while (position < size) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), size - position));
            Utils.readFullyOrFail(channel, buffer, position, "entries of transaction index " + file);
            buffer.flip();
            while (buffer.hasRemaining()) {
                if (!visitor.visit(decode(buffer, position), position)) {
                    return;
                }
                position += ENTRY_SIZE;
            }
        }
    }

    private AbortedTxn readEntry(FileChannel channel, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(ENTRY_SIZE);
        Utils.readFullyOrFail(channel, buffer, position, "an entry of transaction index " + file);
        return decode(buffer.flip(), position);
    }

    /** The entry at the buffer's position, which is at {@code position} in the file. */
    private AbortedTxn decode(ByteBuffer buffer, long position) {
        return decode(buffer, position, startOffset, file);
    }

    private static AbortedTxn decode(ByteBuffer buffer, long position, long startOffset, Object source) {
        short version = buffer.getShort();
        if (version != VERSION) {
            throw new CorruptIndexException("Transaction index " + source + " has an entry of unknown version "
                    + version + " at byte " + position);
        }
        AbortedTxn txn = new AbortedTxn(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
        String defect = defect(txn, startOffset);
        if (defect != null) {
            throw new CorruptIndexException("Transaction index " + source + " has an invalid entry " + txn + " at byte "
                    + position + ": " + defect);
        }
        return txn;
    }

    /** Why {@code txn} cannot be an entry of the index of a segment at {@code startOffset}, or null if it can. */
    private static String defect(AbortedTxn txn, long startOffset) {
        if (txn.lastOffset() < txn.firstOffset()) {
            return "its last offset is before its first offset";
        }
        if (txn.lastOffset() < startOffset) {
            return "its last offset is before the segment's base offset " + startOffset;
        }
        return null;
    }

    /** The file's length, which must be whole entries. */
    private long wholeEntriesSize(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size % ENTRY_SIZE != 0) {
            throw new CorruptIndexException("Transaction index " + file + " ends with a partial entry at byte "
                    + (size - size % ENTRY_SIZE) + " (length " + size + ", entries are " + ENTRY_SIZE + " bytes)");
        }
        return size;
    }

    /** The open file, opening it if it exists or {@code create} is set; null if there is none. */
    private FileChannel channel(boolean create) throws IOException {
        ensureOpen();
        // A look before the open: most segments have no file, and a failed open costs an exception each, which a
        // start-up checking thousands of segments would pay for every one.
        if (channel == null && !create && !absent && !Files.exists(file)) {
            absent = true;
        }
        if (channel == null && (create || !absent)) {
            try {
                channel = create
                        ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                        : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                absent = false;
            } catch (NoSuchFileException e) {
                absent = true;
            }
        }
        return channel;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
        unflushed = false;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Transaction index " + file + " is closed");
        }
    }

    @Override
    public synchronized String toString() {
        return "TransactionIndex(" + file + ")";
    }
}
