package io.strata.tiered;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A segment uploaded to the object store, as the broker commits it to its remote manifest: which
 * partition and offsets it holds, and where its files are.
 *
 * <p>The layout is part of the segment rather than of the configuration, so that a segment stays
 * readable after the configured prefix changes: the manifest alone says where every object is.
 *
 * <h2>Serialized form</h2>
 * {@link #writeTo} writes, in {@link DataOutput}'s big-endian encodings:
 * <pre>
 *   byte     format version, {@value #FORMAT_VERSION}
 *   UTF      layout prefix
 *   UTF      topic
 *   UTF      topic id
 *   int      partition
 *   long     segment id, most significant bits
 *   long     segment id, least significant bits
 *   long     base offset
 *   long     last offset
 *   long     max timestamp
 *   long     size in bytes
 *   boolean  whether there is a producer snapshot
 *   boolean  whether there is a transaction index (from version 2; version 1 had none)
 * </pre>
 * A later version may change anything after the version byte; {@link #readFrom} reads every version
 * up to its own and rejects later ones.
 *
 * @param layout              where the segment's objects are
 * @param partition           the partition whose records the segment holds
 * @param segmentId           the id of the upload, unique to it (see {@link SegmentIds})
 * @param baseOffset          the segment's first offset
 * @param lastOffset          the segment's last offset, at least {@code baseOffset}
 * @param maxTimestamp        the largest timestamp of its batches, {@code -1} if none has one
 * @param sizeInBytes         the size of its {@code .log}
 * @param hasProducerSnapshot whether a producer snapshot was uploaded with it
 * @param hasTransactionIndex whether a transaction index was uploaded with it
 */
public record RemoteSegment(
        RemoteKeys layout,
        RemotePartition partition,
        UUID segmentId,
        long baseOffset,
        long lastOffset,
        long maxTimestamp,
        long sizeInBytes,
        boolean hasProducerSnapshot,
        boolean hasTransactionIndex) {

    /** The version {@link #writeTo} writes. */
    public static final byte FORMAT_VERSION = 2;
    private static final byte FIRST_TRANSACTION_INDEX_VERSION = 2;

    /**
     * @throws IllegalArgumentException if an offset or the size is out of range, or the keys of the
     *                                  segment's files would be invalid
     */
    public RemoteSegment {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(segmentId, "segmentId");
        if (baseOffset < 0 || lastOffset < baseOffset) {
            throw new IllegalArgumentException("Invalid offsets: base " + baseOffset + ", last " + lastOffset);
        }
        if (sizeInBytes < 0) {
            throw new IllegalArgumentException("Negative size " + sizeInBytes);
        }
        // The longest key fails here rather than when the segment is first read.
        layout.segmentFile(partition, baseOffset, segmentId, SegmentFileType.TIME_INDEX);
    }

    /**
     * The key of one of the segment's files.
     *
     * @throws IllegalArgumentException for an optional file the segment does not have
     */
    public ObjectKey key(SegmentFileType type) {
        if (!has(type)) {
            throw new IllegalArgumentException("Segment " + this + " has no " + type.suffix() + " file");
        }
        return layout.segmentFile(partition, baseOffset, segmentId, type);
    }

    /** Whether the segment has a file of {@code type}: the optional ones only when uploaded with it. */
    public boolean has(SegmentFileType type) {
        return switch (type) {
            case PRODUCER_SNAPSHOT -> hasProducerSnapshot;
            case TRANSACTION_INDEX -> hasTransactionIndex;
            default -> true;
        };
    }

    /** The keys of all the segment's files, to delete them. */
    public List<ObjectKey> keys() {
        return Arrays.stream(SegmentFileType.values()).filter(this::has).map(this::key).toList();
    }

    /** Writes the segment in its serialized form, version {@value #FORMAT_VERSION}. */
    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeUTF(layout.prefix().value());
        out.writeUTF(partition.topic());
        out.writeUTF(partition.topicId());
        out.writeInt(partition.partition());
        out.writeLong(segmentId.getMostSignificantBits());
        out.writeLong(segmentId.getLeastSignificantBits());
        out.writeLong(baseOffset);
        out.writeLong(lastOffset);
        out.writeLong(maxTimestamp);
        out.writeLong(sizeInBytes);
        out.writeBoolean(hasProducerSnapshot);
        out.writeBoolean(hasTransactionIndex);
    }

    /** The serialized form as bytes, as metadata commands and snapshots carry it. */
    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try {
            writeTo(new DataOutputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a segment from bytes that {@link #toBytes} made.
     *
     * @throws IOException if they hold an unknown version or invalid values, or end early
     */
    public static RemoteSegment fromBytes(byte[] bytes) throws IOException {
        return readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
    }

    /**
     * Reads a segment that {@link #writeTo} wrote.
     *
     * @throws IOException if {@code in} fails or ends early, or holds an unknown version or invalid values
     */
    public static RemoteSegment readFrom(DataInput in) throws IOException {
        byte version = in.readByte();
        if (version < 1 || version > FORMAT_VERSION) {
            throw new IOException("Unsupported remote segment format version " + version + "; this code reads 1 to "
                    + FORMAT_VERSION);
        }
        try {
            return new RemoteSegment(
                    new RemoteKeys(new ObjectKey(in.readUTF())),
                    new RemotePartition(in.readUTF(), in.readUTF(), in.readInt()),
                    new UUID(in.readLong(), in.readLong()),
                    in.readLong(),
                    in.readLong(),
                    in.readLong(),
                    in.readLong(),
                    in.readBoolean(),
                    version >= FIRST_TRANSACTION_INDEX_VERSION && in.readBoolean());
        } catch (IllegalArgumentException e) {
            throw new IOException("Invalid remote segment: " + e.getMessage(), e);
        }
    }
}
