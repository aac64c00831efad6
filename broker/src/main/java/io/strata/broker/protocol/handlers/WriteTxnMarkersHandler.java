package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.txn.TransactionMarkerWriter;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;

import java.util.concurrent.CompletionStage;

/** WriteTxnMarkers: the markers a transaction coordinator (or {@code kafka-transactions abort}) sends, written here. */
public record WriteTxnMarkersHandler(TransactionMarkerWriter writer) {

    public CompletionStage<WriteTxnMarkersResponseData> handle(RequestContext context, WriteTxnMarkersRequest request) {
        return writer.write(request.data());
    }
}
