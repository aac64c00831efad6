package io.strata.broker.protocol;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * A handler that is nothing but its API key, its newest version and the function answering it; made by
 * {@link ApiHandler#of}. As thread-safe as that function.
 */
record FunctionHandler<R extends AbstractRequest>(
        ApiKeys apiKey, short maxVersion, BiFunction<RequestContext, R, CompletionStage<? extends ApiMessage>> function)
        implements ApiHandler<R> {

    @Override
    public CompletionStage<? extends ApiMessage> handle(RequestContext context, R request) {
        return function.apply(context, request);
    }
}
