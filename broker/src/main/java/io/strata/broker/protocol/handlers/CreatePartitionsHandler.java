package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CreatePartitions: raises a topic's partition count; a count can never go down. As Kafka, each topic needs ALTER, else
 * it is answered {@code TOPIC_AUTHORIZATION_FAILED} and keeps its partitions.
 */
public record CreatePartitionsHandler(TopicAdmin admin) {

    public CompletionStage<CreatePartitionsResponseData> handle(RequestContext context, CreatePartitionsRequest request) {
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        // As Kafka, a request may add so many partitions in all (each topic is checked on its own too), counting
        // only topics the client may alter, so that the refusal tells nothing of the others.
        Optional<PolicyViolationException> excessive = TopicAdmin.excessivePartitions(request.data().topics().stream()
                .filter(topic -> context.allowedSilently(AclOperation.ALTER, ResourceType.TOPIC, topic.name()))
                .mapToLong(topic -> admin.image().topic(topic.name())
                        .map(existing -> Math.max(0L, (long) topic.count() - existing.partitions())).orElse(0L))
                .sum());
        for (CreatePartitionsTopic topic : request.data().topics()) {
            CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
            if (!context.allowed(AclOperation.ALTER, ResourceType.TOPIC, topic.name())) {
                results.add(CompletableFuture.completedFuture(failed(result, new TopicAuthorizationException(
                        context.session().principal() + " may not ALTER topic '" + topic.name() + "'."))));
            } else {
                results.add(excessive.isPresent() ? CompletableFuture.completedFuture(failed(result, excessive.get()))
                        : create(topic, result, request.data().validateOnly()));
            }
        }
        return Futures.all(results).thenApply(done -> {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData();
            response.results().addAll(done);
            return response;
        });
    }

    private CompletableFuture<CreatePartitionsTopicResult> create(CreatePartitionsTopic topic,
                                                                  CreatePartitionsTopicResult result,
                                                                  boolean validateOnly) {
        List<List<Integer>> assignment = topic.assignments() == null ? List.of()
                : topic.assignments().stream().map(CreatePartitionsAssignment::brokerIds).toList();
        return admin.createPartitions(topic.name(), topic.count(), assignment, validateOnly)
                .thenApply(ignored -> result)
                .exceptionally(error -> failed(result, error));
    }

    private static CreatePartitionsTopicResult failed(CreatePartitionsTopicResult result, Throwable error) {
        ApiError apiError = ApiError.fromThrowable(error);
        return result.setErrorCode(apiError.error().code()).setErrorMessage(apiError.message());
    }
}
