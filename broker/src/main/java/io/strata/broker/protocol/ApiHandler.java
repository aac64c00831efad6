package io.strata.broker.protocol;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Serves one Kafka API key. {@link #handle} is called on the connection's event loop, in the
 * order the connection sent its requests; it must not block, and completes its stage from any
 * thread once the response is ready.
 *
 * @param <R> the parsed request type of the API key
 */
public interface ApiHandler<R extends AbstractRequest> {

    ApiKeys apiKey();

    /** Oldest version served; kafka-clients' oldest unless the handler narrows it. */
    default short minVersion() {
        return apiKey().oldestVersion();
    }

    /** Newest version served; kafka-clients' newest stable one unless the handler narrows it. */
    default short maxVersion() {
        return apiKey().latestVersion();
    }

    /**
     * Produces the response body, or completes with {@code null} when the API sends no response
     * (produce with acks=0). An exception, thrown or completed, becomes the request's error response
     * with the Kafka error code that kafka-clients maps it to.
     */
    CompletionStage<? extends ApiMessage> handle(RequestContext context, R request);

    /** A handler of every version kafka-clients serves, answering with {@code handle}. */
    static <R extends AbstractRequest> ApiHandler<R> of(ApiKeys apiKey, BiFunction<RequestContext, R,
            CompletionStage<? extends ApiMessage>> handle) {
        return of(apiKey, apiKey.latestVersion(), handle);
    }

    /**
     * A handler of the same API key and versions that answers with {@code around}, which is given this handler to
     * call: for what wraps many handlers alike (quotas, auditing).
     */
    default ApiHandler<R> around(Around<R> around) {
        return new AroundHandler<>(this, around);
    }

    /** What answers a request around an inner handler, given to {@link #around}. */
    @FunctionalInterface
    interface Around<R extends AbstractRequest> {
        CompletionStage<? extends ApiMessage> handle(RequestContext context, R request, ApiHandler<R> inner);
    }

    /** A handler of versions up to {@code maxVersion}, answering with {@code handle}. */
    static <R extends AbstractRequest> ApiHandler<R> of(ApiKeys apiKey, short maxVersion, BiFunction<RequestContext, R,
            CompletionStage<? extends ApiMessage>> handle) {
        return new FunctionHandler<>(apiKey, maxVersion, handle);
    }
}
