package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.utils.Time;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The APIs of the connection's SASL exchange: SaslHandshake picks the mechanism, SaslAuthenticate makes one step.
 * On a listener without SASL both answer ILLEGAL_SASL_STATE, as Kafka does.
 *
 * <p>SaslHandshake version 0 is advertised, as Kafka does and librdkafka requires, but refused alike: its exchange
 * follows as raw frames outside the Kafka protocol, and every client since Kafka 1.0 sends version 1, with
 * SaslAuthenticate.
 */
public record SaslApis(Time time) {

    public List<ApiHandler<?>> handlers() {
        return List.of(
                ApiHandler.of(ApiKeys.SASL_HANDSHAKE, this::handshake),
                ApiHandler.of(ApiKeys.SASL_AUTHENTICATE, this::authenticate));
    }

    private CompletionStage<SaslHandshakeResponseData> handshake(RequestContext context, SaslHandshakeRequest request) {
        return CompletableFuture.completedFuture(context.session().sasl()
                .filter(sasl -> context.apiVersion() >= 1)
                .map(sasl -> sasl.handshake(request.data()))
                .orElseGet(() -> new SaslHandshakeResponseData()
                        .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                        .setMechanisms(List.of())));
    }

    private CompletionStage<SaslAuthenticateResponseData> authenticate(RequestContext context,
                                                                       SaslAuthenticateRequest request) {
        return CompletableFuture.completedFuture(context.session().sasl()
                .map(sasl -> sasl.authenticate(request.data(), context.apiVersion(), time.milliseconds()))
                .orElseGet(() -> new SaslAuthenticateResponseData()
                        .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                        .setErrorMessage("This listener does not use SASL")));
    }
}
