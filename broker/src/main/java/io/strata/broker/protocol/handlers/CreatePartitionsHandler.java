package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CreatePartitions: raises a topic's partition count; a count can never go down. As Kafka, each topic needs ALTER, else
 * it is answered {@code TOPIC_AUTHORIZATION_FAILED} and keeps its partitions.
 */
public record CreatePartitionsHandler(TopicAdmin admin) {

    public CompletionStage<CreatePartitionsResponseData> handle(RequestContext context, CreatePartitionsRequest request) {
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic topic : request.data().topics()) {
            results.add(context.allowed(AclOperation.ALTER, ResourceType.TOPIC, topic.name())
                    ? create(topic, request.data().validateOnly())
                    : CompletableFuture.completedFuture(failed(new CreatePartitionsTopicResult().setName(topic.name()),
                            new TopicAuthorizationException(context.session().principal() + " may not ALTER topic '"
                                    + topic.name() + "'."))));
        }
        return Futures.all(results).thenApply(done -> {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData();
            response.results().addAll(done);
            return response;
        });
    }

    private CompletableFuture<CreatePartitionsTopicResult> create(CreatePartitionsTopic topic, boolean validateOnly) {
        CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(topic.name());
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
