package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * DeleteTopics by name (up to v5) or by name or topic id (v6 on). As Kafka, DELETE on the cluster allows every topic,
 * else each topic needs DELETE on itself; a refused topic is answered {@code TOPIC_AUTHORIZATION_FAILED}, and without
 * DESCRIBE on it that is all the answer says: a name that does not exist is not told apart, and a topic asked for by
 * id is not named.
 */
public record DeleteTopicsHandler(TopicAdmin admin) {

    public CompletionStage<DeleteTopicsResponseData> handle(RequestContext context, DeleteTopicsRequest request) {
        DeleteTopicsRequestData data = request.data();
        Access access = new Access(context, context.allowedOnClusterSilently(AclOperation.DELETE));
        List<DeleteTopicState> asked = new ArrayList<>(data.topics());
        data.topicNames().forEach(name -> asked.add(new DeleteTopicState().setName(name)));
        List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
        // As Kafka: each topic by its name or its id, never both, and once.
        Map<String, Long> names = asked.stream().filter(topic -> byName(topic) && !byId(topic))
                .collect(Collectors.groupingBy(DeleteTopicState::name, LinkedHashMap::new, Collectors.counting()));
        Map<Uuid, Long> ids = asked.stream().filter(topic -> byId(topic) && !byName(topic))
                .collect(Collectors.groupingBy(DeleteTopicState::topicId, LinkedHashMap::new, Collectors.counting()));
        for (DeleteTopicState topic : asked) {
            boolean byName = byName(topic);
            boolean byId = byId(topic);
            if (byName == byId) {
                results.add(invalid(topic.name(), topic.topicId(), byName
                        ? "You may not specify both topic name and topic id." : "Neither topic name nor id were specified."));
            } else if (byName ? names.get(topic.name()) == 1 : ids.get(topic.topicId()) == 1) {
                results.add(byName ? deleteByName(topic.name(), access) : deleteById(topic.topicId(), access));
            }
        }
        names.forEach((name, count) -> {
            if (count > 1) {
                results.add(invalid(name, Uuid.ZERO_UUID, "Duplicate topic name."));
            }
        });
        ids.forEach((id, count) -> {
            if (count > 1) {
                results.add(invalid(null, id, "Duplicate topic id."));
            }
        });
        return Futures.all(results).thenApply(done -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData();
            response.responses().addAll(done);
            return response;
        });
    }

    private CompletableFuture<DeletableTopicResult> deleteByName(String name, Access access) {
        boolean describable = access.may(AclOperation.DESCRIBE, name);
        if (!describable || !access.may(AclOperation.DELETE, name)) {
            // As Kafka: who may describe the topic learns that it does not exist before that it may not delete it.
            boolean unknown = describable && admin.image().topic(name).isEmpty();
            return CompletableFuture.completedFuture(failed(new DeletableTopicResult().setName(name), unknown
                    ? new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.")
                    : access.refusal("topic '" + name + "'")));
        }
        return admin.deleteTopic(name)
                .thenApply(topicId -> new DeletableTopicResult().setName(name).setTopicId(topicId))
                .exceptionally(error -> failed(new DeletableTopicResult().setName(name), error));
    }

    private CompletableFuture<DeletableTopicResult> deleteById(Uuid topicId, Access access) {
        Optional<String> known = admin.image().topic(topicId).map(TopicImage::name);
        if (known.isPresent() && !access.may(AclOperation.DELETE, known.get())) {
            // Topic ids are not secret, names are: only a client that may describe the topic is told its name.
            String shown = access.may(AclOperation.DESCRIBE, known.get()) ? known.get() : null;
            return CompletableFuture.completedFuture(failed(new DeletableTopicResult().setTopicId(topicId)
                    .setName(shown), access.refusal(shown != null ? "topic '" + shown + "'" : "topic " + topicId)));
        }
        return admin.deleteTopic(topicId)
                .thenApply(name -> new DeletableTopicResult().setName(name).setTopicId(topicId))
                .exceptionally(error -> failed(new DeletableTopicResult().setName(null).setTopicId(topicId), error));
    }

    /** What the client may do on the topics: everything with DELETE on the cluster, else what their ACLs allow. */
    private record Access(RequestContext context, boolean deleteOnCluster) {

        boolean may(AclOperation operation, String topic) {
            return deleteOnCluster || context.allowed(operation, ResourceType.TOPIC, topic);
        }

        TopicAuthorizationException refusal(String topic) {
            return new TopicAuthorizationException(context.session().principal() + " may not delete " + topic + ".");
        }
    }

    private static boolean byName(DeleteTopicState topic) {
        return topic.name() != null;
    }

    private static boolean byId(DeleteTopicState topic) {
        return !Uuid.ZERO_UUID.equals(topic.topicId());
    }

    private static CompletableFuture<DeletableTopicResult> invalid(String name, Uuid topicId, String message) {
        return CompletableFuture.completedFuture(new DeletableTopicResult().setName(name).setTopicId(topicId)
                .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(message));
    }

    private static DeletableTopicResult failed(DeletableTopicResult result, Throwable error) {
        ApiError apiError = ApiError.fromThrowable(error);
        return result.setErrorCode(apiError.error().code()).setErrorMessage(apiError.message());
    }
}
