package io.strata.broker.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.Comparator;
import java.util.List;

/**
 * The cluster this broker belongs to, and its brokers: open to every authenticated user, as Kafka's Metadata and
 * DescribeCluster tell any client the cluster and its brokers.
 */
@Path("/v3/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Cluster")
public class ClustersResource {

    private final BrokerAccess access;

    public ClustersResource(BrokerAccess access) {
        this.access = access;
    }

    @GET
    public ResourceList<ClusterData> list() {
        return new ResourceList<>("KafkaClusterList", List.of(cluster(access.broker())));
    }

    @GET
    @Path("/{cluster}")
    public ClusterData get(@RestPath String cluster) {
        return cluster(access.broker(cluster));
    }

    @GET
    @Path("/{cluster}/brokers")
    public ResourceList<BrokerData> brokers(@RestPath String cluster) {
        Broker broker = access.broker(cluster);
        return new ResourceList<>("KafkaBrokerList", broker.metadataImage().brokers().stream()
                .sorted(Comparator.comparingInt(BrokerImage::nodeId))
                .map(image -> brokerData(broker, image))
                .toList());
    }

    @GET
    @Path("/{cluster}/brokers/{brokerId}")
    public BrokerData broker(@RestPath String cluster, @RestPath String brokerId) {
        Broker broker = access.broker(cluster);
        return broker.metadataImage().brokers().stream()
                .filter(image -> Integer.toString(image.nodeId()).equals(brokerId))
                .findFirst()
                .map(image -> brokerData(broker, image))
                .orElseThrow(() -> RestException.notFound("Broker " + brokerId + " not found."));
    }

    private static ClusterData cluster(Broker broker) {
        return new ClusterData("KafkaCluster", broker.identity().clusterId(), broker.identity().nodeId(),
                broker.metadataImage().brokers().size());
    }

    private static BrokerData brokerData(Broker broker, BrokerImage image) {
        Endpoint endpoint = image.clientEndpoint(broker.interBrokerListener());
        return new BrokerData("KafkaBroker", broker.identity().clusterId(), image.nodeId(), endpoint.host(),
                endpoint.port(), image.rack(), image.fenced());
    }

    /** A cluster, as this broker answers for it: it is the controller clients are told of, as in Metadata. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ClusterData(String kind, String clusterId, int controllerId, int brokersCount) {
    }

    /**
     * A registered broker with the endpoint Kafka clients are told to use: of a broker with several listeners, the
     * first that is not the inter-broker listener.
     *
     * @param fenced whether the cluster lost sight of it: it leads nothing until it is back
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record BrokerData(String kind, String clusterId, int brokerId, String host, int port, String rack,
                             boolean fenced) {
    }
}
