package io.strata.tiered;

/**
 * The files of a segment that are tiered, and the one definition of their name suffixes: the partition
 * log names its local files with them too, so a tiered file is named as it was on disk.
 */
public enum SegmentFileType {

    /** The record batches. */
    LOG(".log"),
    /** The sparse offset index; entry format in {@link IndexEntries}. */
    OFFSET_INDEX(".index"),
    /** The sparse time index; entry format in {@link IndexEntries}. */
    TIME_INDEX(".timeindex"),
    /** The producer state as of the segment's end; a segment may have none. */
    PRODUCER_SNAPSHOT(".snapshot"),
    /**
     * The transactions aborted by a marker in the segment (Kafka's {@code .txnindex}): what a read_committed read
     * skips. Only a segment with such a marker has one.
     */
    TRANSACTION_INDEX(".txnindex");

    private final String suffix;

    SegmentFileType(String suffix) {
        this.suffix = suffix;
    }

    /** The file name suffix, dot included, such as {@code .log}. */
    public String suffix() {
        return suffix;
    }
}
