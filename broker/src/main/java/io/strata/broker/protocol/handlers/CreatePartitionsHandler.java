package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** CreatePartitions: raises a topic's partition count; a count can never go down. */
public record CreatePartitionsHandler(TopicAdmin admin) {

    public CompletionStage<CreatePartitionsResponseData> handle(RequestContext context, CreatePartitionsRequest request) {
        List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
        for (CreatePartitionsTopic topic : request.data().topics()) {
            results.add(create(topic, request.data().validateOnly()));
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
