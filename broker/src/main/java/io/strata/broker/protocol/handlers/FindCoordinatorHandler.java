package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.RequestContext;
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
 * FindCoordinator: this broker coordinates every group (and, for later, every transactional id).
 * The first group key creates {@code __consumer_offsets}. The answer waits until that topic exists but not
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
        return outcome.thenApply(error -> respond(keys, batched, error));
    }

    private FindCoordinatorResponseData respond(List<String> keys, boolean batched, Errors error) {
        Optional<BrokerImage> self = image.get().broker(identity.nodeId());
        Errors result = error == Errors.NONE && self.isEmpty() ? Errors.COORDINATOR_NOT_AVAILABLE : error;
        String message = result == Errors.NONE ? null : result.message();
        int nodeId = result == Errors.NONE ? identity.nodeId() : -1;
        String host = result == Errors.NONE ? self.get().host() : "";
        int port = result == Errors.NONE ? self.get().port() : -1;
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (!batched) {
            return response.setErrorCode(result.code()).setErrorMessage(message).setNodeId(nodeId).setHost(host).setPort(port);
        }
        for (String key : keys) {
            response.coordinators().add(new Coordinator().setKey(key).setErrorCode(result.code()).setErrorMessage(message)
                    .setNodeId(nodeId).setHost(host).setPort(port));
        }
        return response;
    }
}
