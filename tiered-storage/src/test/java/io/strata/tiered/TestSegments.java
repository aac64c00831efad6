package io.strata.tiered;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/** Segment files as the partition log writes them, and their contents. */
final class TestSegments {

    static final RemoteKeys LAYOUT = new RemoteKeys(new ObjectKey("tiered"));
    static final RemotePartition PARTITION = new RemotePartition("orders", "cD3sK0yrTSOUq2Qf7p0jvA", 3);

    private TestSegments() {
    }

    /**
     * Writes the files of a segment into {@code directory}, named as the partition log names them:
     * {@code log} as its {@code .log}, an offset and a time index with a few entries, and a producer
     * snapshot if {@code withSnapshot}.
     */
    static LocalSegmentFiles write(Path directory, long baseOffset, byte[] log, boolean withSnapshot)
            throws IOException {
        String name = String.format("%020d", baseOffset);
        Path snapshot = directory.resolve(name + ".snapshot");
        if (withSnapshot) {
            Files.write(snapshot, randomBytes(123, baseOffset));
        }
        return new LocalSegmentFiles(
                Files.write(directory.resolve(name + ".log"), log),
                Files.write(directory.resolve(name + ".index"),
                        offsetIndex(baseOffset, baseOffset, 0, baseOffset + 10, 4096, baseOffset + 25, 8192)),
                Files.write(directory.resolve(name + ".timeindex"),
                        timeIndex(baseOffset, 1_000, baseOffset + 5, 2_000, baseOffset + 30)),
                withSnapshot ? Optional.of(snapshot) : Optional.empty(), Optional.empty(),
                baseOffset, baseOffset + 99, 2_000);
    }

    /** An {@code .index} of the entries given as offset, position, offset, position…, absolute offsets. */
    static byte[] offsetIndex(long baseOffset, long... offsetsAndPositions) {
        ByteBuffer index = ByteBuffer.allocate(offsetsAndPositions.length * 4);
        for (int i = 0; i < offsetsAndPositions.length; i += 2) {
            index.putInt(Math.toIntExact(offsetsAndPositions[i] - baseOffset));
            index.putInt(Math.toIntExact(offsetsAndPositions[i + 1]));
        }
        return index.array();
    }

    /** A {@code .timeindex} of the entries given as timestamp, offset, timestamp, offset…, absolute offsets. */
    static byte[] timeIndex(long baseOffset, long... timestampsAndOffsets) {
        ByteBuffer index = ByteBuffer.allocate(timestampsAndOffsets.length / 2 * 12);
        for (int i = 0; i < timestampsAndOffsets.length; i += 2) {
            index.putLong(timestampsAndOffsets[i]);
            index.putInt(Math.toIntExact(timestampsAndOffsets[i + 1] - baseOffset));
        }
        return index.array();
    }

    static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
