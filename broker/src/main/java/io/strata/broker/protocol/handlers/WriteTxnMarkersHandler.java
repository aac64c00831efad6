package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.txn.TransactionMarkerWriter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * WriteTxnMarkers: the markers a transaction coordinator (or {@code kafka-transactions abort}) sends, written here. As
 * Kafka, the sender must be allowed to ALTER the cluster (an administrator aborting a hanging transaction) or to do
 * CLUSTER_ACTION on it (a broker).
 */
public record WriteTxnMarkersHandler(TransactionMarkerWriter writer) {

    public CompletionStage<WriteTxnMarkersResponseData> handle(RequestContext context, WriteTxnMarkersRequest request) {
        return Authorizations.onCluster(context, List.of(AclOperation.ALTER, AclOperation.CLUSTER_ACTION), request,
                () -> writer.write(request.data()));
    }
}
