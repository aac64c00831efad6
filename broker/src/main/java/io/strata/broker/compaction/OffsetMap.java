package io.strata.broker.compaction;

import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Key to latest offset, in a fixed memory budget: what compaction learns from the dirty part of a log
 * before rewriting it (Kafka's {@code SkimpyOffsetMap}). Keys are not stored, only their 16-byte MD5
 * digest next to an 8-byte offset, so a map of {@code B} bytes holds {@code 0.9 * B / 24} keys whatever
 * their size; two keys sharing a digest would be taken for one, a chance of about 2^-128 per pair.
 *
 * <p>Open addressing with linear probing over one {@code long[]} of (digest high, digest low, offset)
 * triples; a slot with offset -1 is empty. Filled to 90% at most so probes stay short.
 *
 * <p>A compaction takes a map sized for its dirty section ({@link #forKeys}) and drops it afterwards, so
 * the budget is the most a compaction may use, not memory held between compactions.
 *
 * <p>Not thread-safe: one cleaner thread uses it.
 */
public final class OffsetMap {

    /** Bytes per key: digest and offset. */
    public static final int BYTES_PER_ENTRY = 24;
    private static final double LOAD_FACTOR = 0.9;
    private static final long EMPTY = -1L;

    private final long[] slots;
    private final int capacity;
    private final int maxEntries;
    private final MessageDigest md5;
    private final ByteBuffer digestBuffer = ByteBuffer.allocate(16);
    private int size;

    /**
     * A map for at most {@code keys} keys, or as many as {@code budgetBytes} holds if that is fewer.
     *
     * @param keys        how many keys may come: the offsets of the section to map bound them
     * @param budgetBytes the most memory the map may take
     */
    public static OffsetMap forKeys(long keys, long budgetBytes) {
        long slotsNeeded = (long) Math.ceil(Math.max(keys, 1) / LOAD_FACTOR) + 1;
        return new OffsetMap(Math.min(budgetBytes, slotsNeeded * BYTES_PER_ENTRY));
    }

    /**
     * @param memoryBytes the budget; at least one entry's worth, at most 1 GiB
     */
    public OffsetMap(long memoryBytes) {
        if (memoryBytes < BYTES_PER_ENTRY * 2L || memoryBytes > (1L << 30)) {
            throw new IllegalArgumentException("An offset map takes 48 bytes to 1 GiB, not " + memoryBytes);
        }
        this.capacity = (int) (memoryBytes / BYTES_PER_ENTRY);
        this.maxEntries = Math.max(1, (int) (capacity * LOAD_FACTOR));
        this.slots = new long[capacity * 3];
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM offers no MD5", e);
        }
        for (int i = 2; i < slots.length; i += 3) {
            slots[i] = EMPTY;
        }
    }

    /** Keys held. */
    public int size() {
        return size;
    }

    /** Keys the map takes before it is full. */
    public int maxEntries() {
        return maxEntries;
    }

    /** Room left, in keys. */
    public int remaining() {
        return maxEntries - size;
    }

    /**
     * Maps {@code key} to {@code offset}, replacing an earlier offset of the same key.
     *
     * @throws IllegalStateException if the map is full and the key is new
     */
    public void put(ByteBuffer key, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Negative offset " + offset);
        }
        digest(key);
        long high = digestBuffer.getLong(0);
        long low = digestBuffer.getLong(8);
        int slot = findSlot(high, low);
        if (slots[slot + 2] == EMPTY) {
            if (size >= maxEntries) {
                throw new IllegalStateException("Offset map full at " + size + " keys");
            }
            slots[slot] = high;
            slots[slot + 1] = low;
            size++;
        }
        slots[slot + 2] = offset;
    }

    /** The latest offset mapped for {@code key}, or -1 if none. */
    public long get(ByteBuffer key) {
        digest(key);
        return slots[findSlot(digestBuffer.getLong(0), digestBuffer.getLong(8)) + 2];
    }

    /**
     * Maps the key of every record at offsets {@code [from, to)} of {@code records}, batch by batch,
     * stopping before the first batch that might not fit whole (its record count is above
     * {@link #remaining()}). Records without a key, control batches and the batches of aborted transactions are
     * skipped: an aborted record must shadow no earlier value of its key. The caller maps only below the last stable
     * offset, so every other transactional record is committed.
     *
     * @param transactions reads every batch mapped, in offset order, fed with the aborted transactions of the
     *                     segment {@code records} belongs to
     * @return the offset mapping stopped at: every keyed record of a data batch of {@code records} in
     *         {@code [from, result)} that no aborted transaction holds is mapped; {@code to} unless the map filled up
     * @throws IllegalStateException if the map is empty and still too small for one batch
     */
    public long putAll(Records records, long from, long to, CleanedTransactions transactions) {
        try (BufferSupplier buffers = BufferSupplier.create()) {
            for (RecordBatch batch : records.batches()) {
                if (batch.lastOffset() < from) {
                    continue;
                }
                if (batch.baseOffset() >= to) {
                    break;
                }
                if (batch.isControlBatch()) {
                    transactions.onControl(batch);
                    continue;
                }
                Integer count = batch.countOrNull();
                int needed = count == null ? Integer.MAX_VALUE : count;
                if (needed > remaining()) {
                    if (size == 0) {
                        throw new IllegalStateException("A batch of " + count + " records at offset " + batch.baseOffset()
                                + " does not fit an offset map of " + maxEntries + " keys");
                    }
                    return Math.max(from, batch.baseOffset());
                }
                if (transactions.onData(batch)) {
                    continue;
                }
                try (CloseableIterator<Record> iterator = batch.streamingIterator(buffers)) {
                    while (iterator.hasNext()) {
                        Record record = iterator.next();
                        if (record.hasKey() && record.offset() >= from && record.offset() < to) {
                            put(record.key(), record.offset());
                        }
                    }
                }
            }
        }
        return to;
    }

    private int findSlot(long high, long low) {
        int slot = (int) Math.floorMod(high ^ low, (long) capacity) * 3;
        while (slots[slot + 2] != EMPTY && (slots[slot] != high || slots[slot + 1] != low)) {
            slot += 3;
            if (slot == slots.length) {
                slot = 0;
            }
        }
        return slot;
    }

    private void digest(ByteBuffer key) {
        md5.reset();
        md5.update(key.duplicate());
        digestBuffer.clear();
        try {
            md5.digest(digestBuffer.array(), 0, 16);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("MD5 digest failed", e);
        }
    }

    @Override
    public String toString() {
        return "OffsetMap(" + size + "/" + maxEntries + " keys)";
    }
}
