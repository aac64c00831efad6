package io.strata.broker.log;

import org.apache.kafka.common.record.Records;

import java.util.List;

/**
 * The outcome of {@link PartitionLog#read}, what a FetchResponse partition reports.
 *
 * @param records        a zero-copy slice of one segment file (sent with sendfile), or whole batches read
 *                       from the tiered log; possibly empty. The last batch of a slice may be cut short by
 *                       the size limit, as in Kafka; clients skip it.
 * @param highWatermark  the high watermark when the read started; no record at or past it is returned
 * @param lastStableOffset the last stable offset when the read started: below the oldest open transaction and
 *                       the high watermark
 * @param logStartOffset the log start offset when the read started
 * @param logEndOffset   the log end offset when the read started
 * @param abortedTxns    for a {@link FetchIsolation#TXN_COMMITTED} read, the aborted transactions that may have
 *                       records among those read, for the reader to skip; empty otherwise
 */
public record LogReadResult(Records records, long highWatermark, long lastStableOffset, long logStartOffset,
                            long logEndOffset, List<AbortedTxn> abortedTxns) {

    public LogReadResult {
        abortedTxns = List.copyOf(abortedTxns);
    }
}
