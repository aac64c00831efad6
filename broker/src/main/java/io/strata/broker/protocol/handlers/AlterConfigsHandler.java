package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.ConfigAlterations.Changes;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;

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
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            results.add(alterations.alterIfAllowed(context, resource.resourceType(), resource.resourceName(),
                            () -> new Changes(replacement(resource), Set.of()), true, request.data().validateOnly())
                    .thenApply(outcome -> outcome.isSuccess() ? result
                            : result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())));
        }
        return Futures.all(results).thenApply(done -> new AlterConfigsResponseData().setResponses(done));
    }

    /** The overrides the resource is left with: those given, every other one reset. */
    private static Map<String, String> replacement(AlterConfigsResource resource) {
        Map<String, String> set = new HashMap<>();
        for (AlterableConfig config : resource.configs()) {
            set.put(config.name(), config.value());
        }
        return set;
    }
}
