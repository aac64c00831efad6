package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.utils.Time;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** SaslAuthenticate: one step of the connection's SASL exchange. On a listener without SASL, ILLEGAL_SASL_STATE. */
public final class SaslAuthenticateHandler implements ApiHandler<SaslAuthenticateRequest> {

    private final Time time;

    public SaslAuthenticateHandler(Time time) {
        this.time = time;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SASL_AUTHENTICATE;
    }

    @Override
    public CompletionStage<? extends ApiMessage> handle(RequestContext context, SaslAuthenticateRequest request) {
        return CompletableFuture.completedFuture(context.session().sasl()
                .map(sasl -> sasl.authenticate(request.data(), context.apiVersion(), time.milliseconds()))
                .orElseGet(() -> new SaslAuthenticateResponseData()
                        .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                        .setErrorMessage("This listener does not use SASL")));
    }
}
