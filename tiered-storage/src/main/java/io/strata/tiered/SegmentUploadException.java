package io.strata.tiered;

import java.util.Objects;
import java.util.UUID;

/**
 * The upload of a segment failed for good: its files could not be read, or a put still failed after
 * the retries. Whatever the upload had put was deleted, as far as the store allowed; a failure of those
 * deletes is suppressed in this exception, and the {@link OrphanSweeper} removes what they left.
 */
public class SegmentUploadException extends RuntimeException {

    private final RemotePartition partition;
    private final long baseOffset;
    private final UUID segmentId;

    public SegmentUploadException(RemotePartition partition, long baseOffset, UUID segmentId, Throwable cause) {
        super("Upload of the segment with base offset " + baseOffset + " of " + partition + " (segment id "
                + segmentId + ") failed: " + cause, cause);
        this.partition = Objects.requireNonNull(partition, "partition");
        this.baseOffset = baseOffset;
        this.segmentId = Objects.requireNonNull(segmentId, "segmentId");
    }

    public RemotePartition partition() {
        return partition;
    }

    public long baseOffset() {
        return baseOffset;
    }

    /** The id of the failed upload, under which its objects were put. */
    public UUID segmentId() {
        return segmentId;
    }
}
