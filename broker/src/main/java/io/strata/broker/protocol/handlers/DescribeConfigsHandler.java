package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.config.DynamicBrokerConfigs;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * DescribeConfigs for topics and for this broker, with sources, synonyms and documentation as Kafka reports them, of
 * each resource the client may DESCRIBE_CONFIGS (a topic's on the topic, a broker's on the cluster). The default broker
 * resource (named {@code ""}) holds the cluster-wide dynamic defaults alone, as in Kafka.
 */
public record DescribeConfigsHandler(TopicAdmin admin, int nodeId, Supplier<List<ConfigEntry>> brokerConfigs) {

    public CompletionStage<DescribeConfigsResponseData> handle(RequestContext context, DescribeConfigsRequest request) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : request.data().resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            try {
                Authorizations.requireOnConfigs(context, AclOperation.DESCRIBE_CONFIGS, resource.resourceType(),
                        resource.resourceName());
                List<ConfigEntry> entries = entries(resource, request.data().includeSynonyms());
                for (ConfigEntry entry : entries) {
                    if (resource.configurationKeys() == null || resource.configurationKeys().contains(entry.name())) {
                        result.configs().add(toResult(entry, request.data().includeSynonyms(),
                                request.data().includeDocumentation()));
                    }
                }
            } catch (RuntimeException e) {
                ApiError error = ApiError.fromThrowable(e);
                result.setErrorCode(error.error().code()).setErrorMessage(error.message());
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(response);
    }

    private List<ConfigEntry> entries(DescribeConfigsResource resource, boolean includeSynonyms) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        switch (type) {
            case TOPIC -> {
                // As Kafka: a name no topic can have is INVALID_TOPIC_EXCEPTION, with Kafka's words for what is wrong.
                Topic.validate(resource.resourceName());
                TopicImage topic = admin.requireTopic(resource.resourceName());
                return admin.describeConfigs(topic, includeSynonyms);
            }
            case BROKER -> {
                BrokerResources.requireThisBroker(resource.resourceName(), nodeId);
                return resource.resourceName().isEmpty()
                        ? DynamicBrokerConfigs.describeDefaults(admin.image().brokerConfigs(""))
                        : brokerConfigs.get();
            }
            default -> throw new InvalidRequestException("Describing configs of " + type + " resources is not supported.");
        }
    }

    private static DescribeConfigsResourceResult toResult(ConfigEntry entry, boolean includeSynonyms, boolean includeDocumentation) {
        DescribeConfigsResourceResult result = new DescribeConfigsResourceResult()
                .setName(entry.name())
                .setValue(entry.value())
                .setReadOnly(entry.readOnly())
                .setConfigSource(entry.source().id())
                .setIsSensitive(entry.sensitive())
                .setConfigType(entry.type().id())
                .setDocumentation(includeDocumentation ? entry.documentation() : null);
        if (includeSynonyms) {
            entry.synonyms().forEach(synonym -> result.synonyms().add(new DescribeConfigsSynonym()
                    .setName(synonym.name())
                    .setValue(synonym.value())
                    .setSource(synonym.source().id())));
        }
        return result;
    }
}
