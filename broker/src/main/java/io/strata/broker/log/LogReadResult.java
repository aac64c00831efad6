package io.strata.broker.log;

import org.apache.kafka.common.record.FileRecords;

/**
 * The outcome of {@link PartitionLog#read}, what a FetchResponse partition reports.
 *
 * @param records        a zero-copy slice of one segment file, possibly empty; send it as is (sendfile).
 *                       Its last batch may be cut short by the size limit, as in Kafka; clients skip it.
 * @param highWatermark  the high watermark when the read started; no record at or past it is returned
 * @param logStartOffset the log start offset when the read started
 * @param logEndOffset   the log end offset when the read started
 */
public record LogReadResult(FileRecords records, long highWatermark, long logStartOffset, long logEndOffset) {
}
