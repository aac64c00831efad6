package io.strata.broker.log;

import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;

import java.util.Optional;

/** Reads the commit or abort marker out of a control batch. */
public final class TxnMarkers {

    private TxnMarkers() {
    }

    /**
     * The transaction marker {@code batch} holds, or empty for a control batch of another kind (Kafka writes leader
     * changes and snapshot headers as control batches too) and for a data batch.
     */
    public static Optional<EndTransactionMarker> read(RecordBatch batch) {
        if (!batch.isControlBatch()) {
            return Optional.empty();
        }
        try (CloseableIterator<Record> records = batch.streamingIterator(BufferSupplier.NO_CACHING)) {
            if (!records.hasNext()) {
                return Optional.empty();
            }
            Record record = records.next();
            ControlRecordType type = ControlRecordType.parse(record.key());
            return type == ControlRecordType.COMMIT || type == ControlRecordType.ABORT
                    ? Optional.of(EndTransactionMarker.deserialize(record)) : Optional.empty();
        }
    }
}
