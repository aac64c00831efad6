package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CreateTopics, including validate-only requests, explicit replica assignments and the resulting configs
 * as Kafka reports them from v5 on. As Kafka, a topic needs CREATE on the cluster or on itself, else it is answered
 * {@code TOPIC_AUTHORIZATION_FAILED} and not created.
 */
public record CreateTopicsHandler(TopicAdmin admin) {

    public CompletionStage<CreateTopicsResponseData> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsRequestData data = request.data();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        data.topics().forEach(topic -> {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        });
        // As Kafka: CREATE on the cluster allows every topic, else each topic needs its own.
        boolean mayCreateAny = context.allowedOnClusterSilently(AclOperation.CREATE);
        List<CreatableTopic> topics = List.copyOf(data.topics());
        List<Optional<ApiException>> refusals = topics.stream()
                .map(topic -> refusal(context, topic.name(), duplicates, mayCreateAny)).toList();
        // As Kafka: a request for more partitions in all than one may create fails every topic it would create.
        long partitions = 0;
        for (int i = 0; i < topics.size(); i++) {
            CreatableTopic topic = topics.get(i);
            if (refusals.get(i).isEmpty()) {
                partitions += topic.assignments().isEmpty() ? admin.partitionsToCreate(topic.numPartitions())
                        : topic.assignments().size();
            }
        }
        Optional<PolicyViolationException> tooManyPartitions = TopicAdmin.excessivePartitions(partitions);
        List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
            CreatableTopic topic = topics.get(i);
            Optional<ApiException> refusal = refusals.get(i).or(() -> tooManyPartitions);
            results.add(refusal.isPresent() ? CompletableFuture.completedFuture(failed(topic.name(), refusal.get()))
                    : create(topic, data.validateOnly(),
                    context.allowedSilently(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic.name())));
        }
        return Futures.all(results).thenApply(done -> {
            CreateTopicsResponseData response = new CreateTopicsResponseData();
            response.topics().addAll(done);
            return response;
        });
    }

    /** Why the topic named {@code name} is not to be created, whatever the rest of the request asks; empty if none. */
    private static Optional<ApiException> refusal(RequestContext context, String name, Set<String> duplicates,
                                                  boolean mayCreateAny) {
        if (Topic.isInternal(name)) {
            return Optional.of(new PolicyViolationException("Topic '" + name
                    + "' is internal: the broker creates it when it is first needed."));
        } else if (duplicates.contains(name)) {
            return Optional.of(new InvalidRequestException("Create topics request from client `" + context.clientId()
                    + "` contains multiple entries for the following topics: " + name));
        } else if (!mayCreateAny && !context.allowed(AclOperation.CREATE, ResourceType.TOPIC, name)) {
            return Optional.of(new TopicAuthorizationException(
                    context.session().principal() + " may not CREATE topic '" + name + "'."));
        }
        return Optional.empty();
    }

    /**
     * Creates the topic; its answer tells its partitions, replication factor and configs only to a client that may
     * DESCRIBE_CONFIGS it, as Kafka's.
     */
    private CompletableFuture<CreatableTopicResult> create(CreatableTopic topic, boolean validateOnly,
                                                           boolean describable) {
        Map<String, String> configs = new LinkedHashMap<>();
        for (CreatableTopicConfig config : topic.configs()) {
            configs.put(config.name(), config.value());
        }
        CompletableFuture<TopicImage> creation;
        if (topic.assignments().isEmpty()) {
            creation = admin.createTopic(topic.name(), topic.numPartitions(), topic.replicationFactor(), configs,
                    validateOnly);
        } else if (topic.numPartitions() != -1 || topic.replicationFactor() != -1) {
            return CompletableFuture.completedFuture(failed(topic.name(), new InvalidRequestException(
                    "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.")));
        } else {
            List<CreatableReplicaAssignment> byPartition = topic.assignments().stream()
                    .sorted(Comparator.comparingInt(CreatableReplicaAssignment::partitionIndex)).toList();
            List<List<Integer>> assignment = new ArrayList<>();
            for (CreatableReplicaAssignment partition : byPartition) {
                if (partition.partitionIndex() != assignment.size()) {
                    return CompletableFuture.completedFuture(failed(topic.name(), new InvalidReplicaAssignmentException(
                            "The replica assignment must name partitions 0 to " + (byPartition.size() - 1)
                                    + ", each once; " + (partition.partitionIndex() < assignment.size()
                                    ? "partition " + partition.partitionIndex() + " is named twice."
                                    : "partition " + assignment.size() + " is missing."))));
                }
                assignment.add(partition.brokerIds());
            }
            creation = admin.createTopic(topic.name(), assignment, configs, validateOnly);
        }
        return creation
                .thenApply(created -> {
                    CreatableTopicResult result = new CreatableTopicResult()
                            .setName(created.name())
                            .setTopicId(created.topicId());
                    if (!describable) {
                        return result.setNumPartitions(-1).setReplicationFactor((short) -1)
                                .setTopicConfigErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    }
                    result.setNumPartitions(created.partitions())
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
