package io.strata.tiered;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The files of a closed segment of a partition log, to upload with a {@link SegmentUploader}. The
 * segment must be closed: its files no longer change, and its indexes are trimmed to their entries.
 *
 * @param log              the record batches
 * @param offsetIndex      the offset index
 * @param timeIndex        the time index
 * @param producerSnapshot the producer state as of the segment's end, if the log keeps one for it
 * @param transactionIndex the transactions aborted in the segment, if any was
 * @param baseOffset       the segment's first offset
 * @param lastOffset       the segment's last offset, at least {@code baseOffset}
 * @param maxTimestamp     the largest timestamp of its batches, {@code -1} if none has one
 */
public record LocalSegmentFiles(
        Path log,
        Path offsetIndex,
        Path timeIndex,
        Optional<Path> producerSnapshot,
        Optional<Path> transactionIndex,
        long baseOffset,
        long lastOffset,
        long maxTimestamp) {

    public LocalSegmentFiles {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(offsetIndex, "offsetIndex");
        Objects.requireNonNull(timeIndex, "timeIndex");
        Objects.requireNonNull(producerSnapshot, "producerSnapshot");
        Objects.requireNonNull(transactionIndex, "transactionIndex");
        if (baseOffset < 0 || lastOffset < baseOffset) {
            throw new IllegalArgumentException("Invalid offsets: base " + baseOffset + ", last " + lastOffset);
        }
    }

    /** Each file by its type, in the order of the types. */
    Map<SegmentFileType, Path> files() {
        Map<SegmentFileType, Path> files = new EnumMap<>(SegmentFileType.class);
        files.put(SegmentFileType.LOG, log);
        files.put(SegmentFileType.OFFSET_INDEX, offsetIndex);
        files.put(SegmentFileType.TIME_INDEX, timeIndex);
        producerSnapshot.ifPresent(snapshot -> files.put(SegmentFileType.PRODUCER_SNAPSHOT, snapshot));
        transactionIndex.ifPresent(index -> files.put(SegmentFileType.TRANSACTION_INDEX, index));
        return files;
    }
}
