package io.strata.tiered;

/** The files of a segment that are tiered, each named as the partition log names it locally. */
public enum SegmentFileType {

    /** The record batches. */
    LOG(".log"),
    /** The sparse offset index: 8-byte entries {@code relativeOffset:int32 | position:int32}. */
    OFFSET_INDEX(".index"),
    /** The sparse time index: 12-byte entries {@code timestamp:int64 | relativeOffset:int32}. */
    TIME_INDEX(".timeindex"),
    /** The producer state as of the segment's end; a segment may have none. */
    PRODUCER_SNAPSHOT(".snapshot");

    private final String suffix;

    SegmentFileType(String suffix) {
        this.suffix = suffix;
    }

    /** The file name suffix, dot included, such as {@code .log}. */
    public String suffix() {
        return suffix;
    }
}
