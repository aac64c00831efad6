package io.strata.broker.protocol;

import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * ApiVersions: the API keys and version ranges this broker serves, and nothing else. It lives beside
 * {@link ApiRouter}, which answers it from what is registered, so that the router needs none of the
 * handlers it routes to. Thread-safe.
 */
record ApiVersionsHandler(Supplier<ApiVersionCollection> versions) implements ApiHandler<ApiVersionsRequest> {

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public CompletionStage<ApiVersionsResponseData> handle(RequestContext context, ApiVersionsRequest request) {
        return CompletableFuture.completedFuture(new ApiVersionsResponseData()
                .setApiKeys(versions.get())
                .setFinalizedFeaturesEpoch(-1));
    }
}
