package io.strata.broker.log;

/**
 * One aborted transaction of a producer in a partition, as a {@link TransactionIndex} entry records it.
 *
 * @param producerId       the producer that aborted
 * @param firstOffset      the offset of the transaction's first record in this partition
 * @param lastOffset       the offset of its abort marker
 * @param lastStableOffset the partition's last stable offset right after the marker was written: a reader
 *                         fetching below it needs no aborted transaction that ends later
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
}
