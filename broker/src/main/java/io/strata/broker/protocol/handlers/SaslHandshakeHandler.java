package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslHandshakeRequest;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * SaslHandshake: picks the mechanism of the connection's SASL exchange. Version 0 is advertised, as Kafka does and
 * librdkafka requires, but refused: its exchange follows as raw frames outside the Kafka protocol, and every client
 * since Kafka 1.0 sends version 1, with SaslAuthenticate. On a listener without SASL it answers ILLEGAL_SASL_STATE,
 * as Kafka does.
 */
public final class SaslHandshakeHandler implements ApiHandler<SaslHandshakeRequest> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_HANDSHAKE;
    }

    @Override
    public CompletionStage<? extends ApiMessage> handle(RequestContext context, SaslHandshakeRequest request) {
        return CompletableFuture.completedFuture(context.session().sasl()
                .filter(sasl -> context.apiVersion() >= 1)
                .map(sasl -> sasl.handshake(request.data()))
                .orElseGet(() -> new SaslHandshakeResponseData()
                        .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                        .setMechanisms(List.of())));
    }
}
