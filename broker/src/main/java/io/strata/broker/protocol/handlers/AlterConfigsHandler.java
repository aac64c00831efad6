package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.ApiError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * AlterConfigs (the legacy API): replaces a topic's whole set of overrides with the ones given, on each resource the
 * client may ALTER_CONFIGS.
 */
public record AlterConfigsHandler(ConfigAlterations alterations) {

    public CompletionStage<AlterConfigsResponseData> handle(RequestContext context, AlterConfigsRequest request) {
        List<CompletableFuture<AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsResource resource : request.data().resources()) {
            Map<String, String> set = new HashMap<>();
            for (AlterableConfig config : resource.configs()) {
                set.put(config.name(), config.value());
            }
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            CompletableFuture<Void> change;
            try {
                Authorizations.requireOnConfigs(context, AclOperation.ALTER_CONFIGS, resource.resourceType(),
                        resource.resourceName());
                change = alterations.alter(resource.resourceType(), resource.resourceName(), set, Set.of(), true,
                        request.data().validateOnly());
            } catch (RuntimeException refused) {
                change = CompletableFuture.failedFuture(refused);
            }
            results.add(change
                    .thenApply(ignored -> result)
                    .exceptionally(error -> {
                        ApiError apiError = ApiError.fromThrowable(error);
                        return result.setErrorCode(apiError.error().code()).setErrorMessage(apiError.message());
                    }));
        }
        return Futures.all(results).thenApply(done -> new AlterConfigsResponseData().setResponses(done));
    }
}
