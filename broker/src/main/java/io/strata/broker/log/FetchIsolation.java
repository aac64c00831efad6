package io.strata.broker.log;

/** How far a {@link PartitionLog#read} may see. */
public enum FetchIsolation {
    /** Up to the log end offset: a follower replicating the log. */
    LOG_END,
    /** Up to the high watermark, the records every in-sync replica has: consumers. */
    HIGH_WATERMARK,
    /**
     * Up to the last stable offset, below any open transaction and the high watermark, with the aborted
     * transactions among what is read: read_committed consumers.
     */
    TXN_COMMITTED
}
