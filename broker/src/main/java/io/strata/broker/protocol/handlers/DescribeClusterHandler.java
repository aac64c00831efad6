package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * DescribeCluster: the cluster id, the controller and the brokers (the broker endpoint type only), each by its endpoint
 * on the listener the request came in on; a broker without that listener is left out. As Kafka, it asks no
 * permission; a client that asks what it may do on the cluster is told, or told nothing when it may not DESCRIBE it.
 */
public record DescribeClusterHandler(Supplier<MetadataImage> image, BrokerIdentity identity) {

    private static final byte BROKERS_ENDPOINT_TYPE = 1;

    public CompletionStage<DescribeClusterResponseData> handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(identity.clusterId())
                .setControllerId(identity.nodeId())
                .setEndpointType(request.data().endpointType());
        if (request.data().endpointType() != BROKERS_ENDPOINT_TYPE) {
            return CompletableFuture.completedFuture(response
                    .setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Only the broker endpoint type is served."));
        }
        if (request.data().includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(Authorizations.clusterAuthorizedOperations(context));
        }
        for (BrokerImage broker : image.get().liveBrokers()) {
            broker.endpoint(context.listener()).ifPresent(endpoint -> response.brokers().add(new DescribeClusterBroker()
                    .setBrokerId(broker.nodeId())
                    .setHost(endpoint.host())
                    .setPort(endpoint.port())
                    .setRack(broker.rack())));
        }
        return CompletableFuture.completedFuture(response);
    }
}
