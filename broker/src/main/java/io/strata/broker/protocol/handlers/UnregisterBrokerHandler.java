package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.requests.UnregisterBrokerRequest;

import java.util.concurrent.CompletionStage;

/**
 * UnregisterBroker, which {@code kafka-cluster unregister} sends: removes a broker gone for good from the cluster's
 * metadata (see {@link MetadataCommand.UnregisterBroker}), for a client that may ALTER the cluster. A broker not
 * registered is answered {@code BROKER_ID_NOT_REGISTERED}, as Kafka answers it, and a live one
 * {@code INVALID_REQUEST}: unlike Kafka, which lets a running broker register again at its next heartbeat, Strata
 * registers a broker when it starts.
 */
public record UnregisterBrokerHandler(RaftMetadataLog metadata) {

    public CompletionStage<UnregisterBrokerResponseData> handle(RequestContext context, UnregisterBrokerRequest request) {
        return Authorizations.onCluster(context, AclOperation.ALTER, request, () -> metadata.submit(
                        new MetadataCommand.UnregisterBroker(request.data().brokerId()))
                .thenApply(result -> new UnregisterBrokerResponseData().setErrorCode(result.error().code())
                        .setErrorMessage(result.message())));
    }
}
