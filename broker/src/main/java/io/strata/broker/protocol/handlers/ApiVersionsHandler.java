package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** ApiVersions: the API keys and version ranges this broker serves, and nothing else. */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    private final Supplier<ApiVersionCollection> versions;

    public ApiVersionsHandler(Supplier<ApiVersionCollection> versions) {
        this.versions = versions;
    }

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
