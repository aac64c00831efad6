package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** DeleteTopics by name (up to v5) or by name or topic id (v6 on). */
public record DeleteTopicsHandler(TopicAdmin admin) {

    public CompletionStage<DeleteTopicsResponseData> handle(RequestContext context, DeleteTopicsRequest request) {
        DeleteTopicsRequestData data = request.data();
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        for (String name : data.topicNames()) {
            results.add(deleteByName(name));
        }
        for (DeleteTopicState topic : data.topics()) {
            results.add(topic.name() != null ? deleteByName(topic.name()) : deleteById(topic.topicId()));
        }
        return Futures.all(results).thenApply(done -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData();
            response.responses().addAll(done);
            return response;
        });
    }

    private CompletableFuture<DeletableTopicResult> deleteByName(String name) {
        return admin.deleteTopic(name)
                .thenApply(topicId -> new DeletableTopicResult().setName(name).setTopicId(topicId))
                .exceptionally(error -> failed(new DeletableTopicResult().setName(name), error));
    }

    private CompletableFuture<DeletableTopicResult> deleteById(Uuid topicId) {
        return admin.deleteTopic(topicId)
                .thenApply(name -> new DeletableTopicResult().setName(name).setTopicId(topicId))
                .exceptionally(error -> failed(new DeletableTopicResult().setName(null).setTopicId(topicId), error));
    }

    private static DeletableTopicResult failed(DeletableTopicResult result, Throwable error) {
        ApiError apiError = ApiError.fromThrowable(error);
        return result.setErrorCode(apiError.error().code()).setErrorMessage(apiError.message());
    }
}
