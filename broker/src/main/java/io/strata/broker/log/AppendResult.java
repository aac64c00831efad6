package io.strata.broker.log;

/**
 * The outcome of {@link PartitionLog#append}, what a ProduceResponse partition reports.
 *
 * @param firstOffset     offset given to the first record (the response's base offset)
 * @param lastOffset      offset given to the last record
 * @param logAppendTime   the broker time stamped on the batches for a LogAppendTime topic, else -1
 * @param logStartOffset  the log start offset after the append
 * @param duplicate       the batch was a retry of one already in the log: nothing was appended and the
 *                        offsets are the original's
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset,
                           boolean duplicate) {
}
