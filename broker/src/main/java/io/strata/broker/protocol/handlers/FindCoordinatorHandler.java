package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * FindCoordinator: a group's coordinator is the broker leading its partition of {@code __consumer_offsets};
 * this broker answers for every transactional id, for later. The first group key creates {@code __consumer_offsets}. The answer waits until that topic exists but not
 * for its load, as Kafka answers: the load can outlast the client's request timeout, and responses on a
 * connection go back in request order, so waiting would hold back every later one; group requests get the
 * retriable COORDINATOR_LOAD_IN_PROGRESS until it is loaded.
 * Version 4+ answers a batch of keys.
 */
public record FindCoordinatorHandler(GroupCoordinator coordinator, Supplier<MetadataImage> image,
                                     BrokerIdentity identity) {

    public CompletionStage<FindCoordinatorResponseData> handle(RequestContext context, FindCoordinatorRequest request) {
        FindCoordinatorRequestData data = request.data();
        boolean batched = context.apiVersion() >= FindCoordinatorRequest.MIN_BATCHED_VERSION;
        List<String> keys = batched ? data.coordinatorKeys() : List.of(data.key() == null ? "" : data.key());
        byte keyType = data.keyType();
        CompletableFuture<Errors> outcome;
        if (keyType == CoordinatorType.GROUP.id()) {
            outcome = coordinator.offsetsTopicCreated().handle((ignored, error) -> error == null ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE);
        } else if (keyType == CoordinatorType.TRANSACTION.id()) {
            outcome = CompletableFuture.completedFuture(Errors.NONE);
        } else {
            outcome = CompletableFuture.completedFuture(Errors.INVALID_REQUEST);
        }
        return outcome.thenApply(error -> respond(keys, batched, keyType, error));
    }

    private FindCoordinatorResponseData respond(List<String> keys, boolean batched, byte keyType, Errors error) {
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (!batched) {
            Coordinator found = find(keys.get(0), keyType, error);
            return response.setErrorCode(found.errorCode()).setErrorMessage(found.errorMessage())
                    .setNodeId(found.nodeId()).setHost(found.host()).setPort(found.port());
        }
        for (String key : keys) {
            response.coordinators().add(find(key, keyType, error));
        }
        return response;
    }

    /**
     * A group's coordinator is the leader of its partition of {@code __consumer_offsets}; transactional ids
     * are answered by this broker until transactions have a topic of their own.
     */
    private Coordinator find(String key, byte keyType, Errors error) {
        Coordinator answer = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (error != Errors.NONE) {
            return answer.setErrorCode(error.code()).setErrorMessage(error.message());
        }
        MetadataImage current = image.get();
        int nodeId = identity.nodeId();
        if (keyType == CoordinatorType.GROUP.id()) {
            Optional<TopicImage> offsets = current.topic(Topic.GROUP_METADATA_TOPIC_NAME);
            nodeId = offsets.map(topic -> topic.partition(GroupCoordinator.partitionFor(key, topic.partitions())).leader())
                    .orElse(PartitionImage.NO_LEADER);
        }
        Optional<BrokerImage> broker = current.liveBroker(nodeId);
        if (broker.isEmpty()) {
            return answer.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage(Errors.COORDINATOR_NOT_AVAILABLE.message());
        }
        return answer.setNodeId(nodeId).setHost(broker.get().host()).setPort(broker.get().port());
    }
}
