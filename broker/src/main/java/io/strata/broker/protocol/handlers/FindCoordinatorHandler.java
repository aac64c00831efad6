package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.txn.TransactionCoordinator;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.resource.ResourceType;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * FindCoordinator: a group's coordinator is the broker leading its partition of {@code __consumer_offsets}, a
 * transactional id's the broker leading its partition of {@code __transaction_state}. The first key of each kind
 * creates its topic. The answer waits until that topic exists but not for its load, as Kafka answers: the load can
 * outlast the client's request timeout, and responses on a connection go back in request order, so waiting would
 * hold back every later one; the coordinator answers the retriable COORDINATOR_LOAD_IN_PROGRESS until it is loaded.
 * Version 4+ answers a batch of keys. A key the client may not DESCRIBE (the group, or the transactional id) is
 * answered with the authorization error of its kind, and creates no topic. The coordinator is named by its endpoint on
 * the listener the request came in on; one without that listener is COORDINATOR_NOT_AVAILABLE, as in Kafka.
 */
public record FindCoordinatorHandler(GroupCoordinator coordinator, TransactionCoordinator transactions,
                                     Supplier<MetadataImage> image) {

    public CompletionStage<FindCoordinatorResponseData> handle(RequestContext context, FindCoordinatorRequest request) {
        FindCoordinatorRequestData data = request.data();
        boolean batched = context.apiVersion() >= FindCoordinatorRequest.MIN_BATCHED_VERSION;
        List<String> keys = batched ? data.coordinatorKeys() : List.of(data.key() == null ? "" : data.key());
        byte keyType = data.keyType();
        boolean group = keyType == CoordinatorType.GROUP.id();
        if (!group && keyType != CoordinatorType.TRANSACTION.id()) {
            return CompletableFuture.completedFuture(respond(context.listener(), keys, batched, keyType,
                    key -> Errors.INVALID_REQUEST));
        }
        ResourceType type = group ? ResourceType.GROUP : ResourceType.TRANSACTIONAL_ID;
        Set<String> refused = new HashSet<>(CoordinatorAuthorization.split(context, AclOperation.DESCRIBE, type, keys,
                Function.identity()).denied());
        // As in Kafka, a request whose every key is refused does not create the coordinator's topic.
        CompletableFuture<Void> created = refused.containsAll(keys) ? CompletableFuture.completedFuture(null)
                : group ? coordinator.offsetsTopicCreated() : transactions.stateTopicCreated();
        return created.handle((ignored, error) -> {
            Errors outcome = error == null ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE;
            return respond(context.listener(), keys, batched, keyType,
                    key -> refused.contains(key) ? Authorizer.denied(type) : outcome);
        });
    }

    /** The answer for each key, found unless {@code errors} gives it an error. */
    private FindCoordinatorResponseData respond(String listener, List<String> keys, boolean batched, byte keyType,
                                                Function<String, Errors> errors) {
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (!batched) {
            Coordinator found = find(listener, keys.get(0), keyType, errors.apply(keys.get(0)));
            return response.setErrorCode(found.errorCode()).setErrorMessage(found.errorMessage())
                    .setNodeId(found.nodeId()).setHost(found.host()).setPort(found.port());
        }
        for (String key : keys) {
            response.coordinators().add(find(listener, key, keyType, errors.apply(key)));
        }
        return response;
    }

    /** The leader of the key's partition of its coordinator's topic, by its endpoint on {@code listener}. */
    private Coordinator find(String listener, String key, byte keyType, Errors error) {
        Coordinator answer = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        if (error != Errors.NONE) {
            return answer.setErrorCode(error.code()).setErrorMessage(error.message());
        }
        MetadataImage current = image.get();
        boolean group = keyType == CoordinatorType.GROUP.id();
        Optional<TopicImage> topic = current.topic(group ? Topic.GROUP_METADATA_TOPIC_NAME : Topic.TRANSACTION_STATE_TOPIC_NAME);
        int nodeId = topic.map(t -> t.partition(group ? GroupCoordinator.partitionFor(key, t.partitions())
                        : TransactionCoordinator.partitionFor(key, t.partitions())).leader())
                .orElse(PartitionImage.NO_LEADER);
        Optional<Endpoint> endpoint = current.liveBroker(nodeId).flatMap(broker -> broker.endpoint(listener));
        if (endpoint.isEmpty()) {
            return answer.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setErrorMessage(Errors.COORDINATOR_NOT_AVAILABLE.message());
        }
        return answer.setNodeId(nodeId).setHost(endpoint.get().host()).setPort(endpoint.get().port());
    }
}
