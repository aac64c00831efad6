package io.strata.broker.protocol;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

import java.util.concurrent.CompletionStage;

/** A handler's API key and versions, answered around it; made by {@link ApiHandler#around}. */
record AroundHandler<R extends AbstractRequest>(ApiHandler<R> inner, ApiHandler.Around<R> around)
        implements ApiHandler<R> {

    @Override
    public ApiKeys apiKey() {
        return inner.apiKey();
    }

    @Override
    public short minVersion() {
        return inner.minVersion();
    }

    @Override
    public short maxVersion() {
        return inner.maxVersion();
    }

    @Override
    public CompletionStage<? extends ApiMessage> handle(RequestContext context, R request) {
        return around.handle(context, request, inner);
    }
}
