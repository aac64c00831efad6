package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CreateTopics, including validate-only requests, explicit replica assignments (which on a single
 * node may only name this broker) and the resulting configs as Kafka reports them from v5 on.
 */
public record CreateTopicsHandler(TopicAdmin admin, int nodeId) {

    public CompletionStage<CreateTopicsResponseData> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsRequestData data = request.data();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        data.topics().forEach(topic -> {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        });
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (CreatableTopic topic : data.topics()) {
            if (Topic.isInternal(topic.name())) {
                results.add(CompletableFuture.completedFuture(failed(topic.name(), new PolicyViolationException(
                        "Topic '" + topic.name() + "' is internal: the broker creates it when it is first needed."))));
            } else if (duplicates.contains(topic.name())) {
                results.add(CompletableFuture.completedFuture(failed(topic.name(),
                        new InvalidRequestException("Create topics request from client `" + context.clientId()
                                + "` contains multiple entries for the following topics: " + topic.name()))));
            } else {
                results.add(create(topic, data.validateOnly()));
            }
        }
        return Futures.all(results).thenApply(done -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            response.topics().addAll(done);
            return response;
        });
    }

    private CompletableFuture<CreatableTopicResult> create(CreatableTopic topic, boolean validateOnly) {
        int partitions = topic.numPartitions();
        short replicationFactor = topic.replicationFactor();
        if (!topic.assignments().isEmpty()) {
            if (partitions != -1 || replicationFactor != -1) {
                return CompletableFuture.completedFuture(failed(topic.name(), new InvalidRequestException(
                        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.")));
            }
            partitions = topic.assignments().size();
            for (CreatableReplicaAssignment assignment : topic.assignments()) {
                if (assignment.brokerIds().isEmpty() || assignment.brokerIds().stream().anyMatch(id -> id != nodeId)) {
                    return CompletableFuture.completedFuture(failed(topic.name(), new InvalidReplicaAssignmentException(
                            "Replica assignment " + assignment.brokerIds() + " of partition " + assignment.partitionIndex()
                                    + " names brokers other than the only live broker " + nodeId + ".")));
                }
                replicationFactor = (short) assignment.brokerIds().size();
            }
        }
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreatableTopicConfig config : topic.configs()) {
            configs.put(config.name(), config.value());
        }
        return admin.createTopic(topic.name(), partitions, replicationFactor, configs, validateOnly)
                .thenApply(created -> {
                    CreatableTopicResult result = new CreatableTopicResult()
                            .setName(created.name())
                            .setTopicId(created.topicId())
                            .setNumPartitions(created.partitions())
                            .setReplicationFactor(created.replicationFactor());
                    List<CreatableTopicConfigs> described = new ArrayList<>();
                    for (ConfigEntry entry : admin.describeConfigs(created, false)) {
                        described.add(new CreatableTopicConfigs()
                                .setName(entry.name())
                                .setValue(entry.value())
                                .setReadOnly(entry.readOnly())
                                .setConfigSource(entry.source().id())
                                .setIsSensitive(entry.sensitive()));
                    }
                    return result.setConfigs(described);
                })
                .exceptionally(error -> failed(topic.name(), error));
    }

    private static CreatableTopicResult failed(String name, Throwable error) {
        ApiError apiError = ApiError.fromThrowable(error);
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(apiError.error().code())
                .setErrorMessage(apiError.message())
                .setNumPartitions(-1)
                .setReplicationFactor((short) -1)
                .setTopicConfigErrorCode(apiError.error().code());
    }
}
