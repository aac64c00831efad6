package io.strata.broker.protocol.handlers;

import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.ConfigAlterations.Changes;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * IncrementalAlterConfigs: SET and DELETE for any config, APPEND and SUBTRACT for list-valued ones
 * (such as {@code cleanup.policy}), applied to the topic's current value; on each resource the client may
 * ALTER_CONFIGS. As Kafka, a resource naming a config twice, or a value of null but to delete, is an invalid request.
 */
public record IncrementalAlterConfigsHandler(ConfigAlterations alterations) {

    public CompletionStage<IncrementalAlterConfigsResponseData> handle(RequestContext context,
                                                                       IncrementalAlterConfigsRequest request) {
        List<CompletableFuture<AlterConfigsResourceResponse>> results = new ArrayList<>();
        for (AlterConfigsResource resource : request.data().resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            results.add(alterations.alterIfAllowed(context, resource.resourceType(), resource.resourceName(),
                            () -> changes(resource), false, request.data().validateOnly())
                    .thenApply(outcome -> outcome.isSuccess() ? result
                            : result.setErrorCode(outcome.error().code()).setErrorMessage(outcome.message())));
        }
        return Futures.all(results).thenApply(done -> new IncrementalAlterConfigsResponseData().setResponses(done));
    }

    private Changes changes(AlterConfigsResource resource) {
        Map<String, String> set = new HashMap<>();
        Set<String> delete = new HashSet<>();
        boolean topic = ConfigResource.Type.forId(resource.resourceType()) == ConfigResource.Type.TOPIC;
        Map<String, String> current = topic ? alterations.admin().effectiveConfigs(resource.resourceName()) : Map.of();
        if (resource.configs().stream().map(AlterableConfig::name).distinct().count() < resource.configs().size()) {
            throw new InvalidRequestException("Error due to duplicate config keys");
        }
        for (AlterableConfig config : resource.configs()) {
            AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(config.configOperation());
            if (op == null) {
                throw new InvalidRequestException("Unknown config operation " + config.configOperation());
            }
            if (op != AlterConfigOp.OpType.DELETE && config.value() == null) {
                throw new InvalidRequestException("Null value not supported for : " + config.name());
            }
            switch (op) {
                case SET -> set.put(config.name(), config.value());
                // As Kafka, deleting a topic config that does not exist changes nothing and is no error.
                case DELETE -> {
                    if (!topic || alterations.admin().isTopicConfig(config.name())) {
                        delete.add(config.name());
                    }
                }
                case APPEND, SUBTRACT -> {
                    if (!alterations.admin().isListConfig(config.name())) {
                        throw new InvalidConfigurationException("Config value append is not allowed for config key: "
                                + config.name());
                    }
                    Set<String> values = new LinkedHashSet<>(split(set.getOrDefault(config.name(), current.get(config.name()))));
                    if (op == AlterConfigOp.OpType.APPEND) {
                        values.addAll(split(config.value()));
                    } else {
                        split(config.value()).forEach(values::remove);
                    }
                    set.put(config.name(), String.join(",", values));
                }
            }
        }
        return new Changes(set, delete);
    }

    private static List<String> split(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty()).toList();
    }
}
