package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.txn.ProducerIdManager;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.InitProducerIdRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * InitProducerId for idempotent producers: a fresh producer id at epoch 0. Transactional ids need
 * the transaction coordinator, which this broker does not run yet.
 */
public record InitProducerIdHandler(ProducerIdManager producerIds) {

    public CompletionStage<InitProducerIdResponseData> handle(RequestContext context, InitProducerIdRequest request) {
        if (request.data().transactionalId() != null) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setProducerId(RecordBatch.NO_PRODUCER_ID)
                    .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
        }
        return producerIds.nextProducerId().thenApply(id -> new InitProducerIdResponseData()
                .setProducerId(id)
                .setProducerEpoch((short) 0));
    }
}
