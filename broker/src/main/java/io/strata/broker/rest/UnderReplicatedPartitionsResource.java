package io.strata.broker.rest;

import io.strata.broker.cluster.TopicImage;
import io.strata.broker.rest.PartitionsResource.PartitionData;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The partitions of every topic with fewer in-sync replicas than replicas, in the shape of a topic's
 * partition list: one request instead of one per topic, for a console that watches the whole cluster.
 */
@Path("/v3/clusters/{cluster}/under-replicated-partitions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Partitions")
public class UnderReplicatedPartitionsResource {

    private final BrokerAccess access;
    private final RestAuthorization authorization;

    public UnderReplicatedPartitionsResource(BrokerAccess access, RestAuthorization authorization) {
        this.access = access;
        this.authorization = authorization;
    }

    @GET
    public ResourceList<PartitionData> list(@RestPath String cluster) {
        // As Metadata, which tells each partition's replicas and in-sync replicas: of the topics the principal may
        // describe.
        return new ResourceList<>("KafkaPartitionList", authorization.filter(underReplicated(access.broker(cluster)),
                AclOperation.DESCRIBE, ResourceType.TOPIC, PartitionData::topicName));
    }

    /** By topic name, then partition, as the broker's metadata has them now. */
    static List<PartitionData> underReplicated(Broker broker) {
        List<PartitionData> data = new ArrayList<>();
        broker.metadataImage().topics().stream().sorted(Comparator.comparing(TopicImage::name)).forEach(topic -> {
            for (int p = 0; p < topic.partitions(); p++) {
                if (topic.partition(p).isUnderReplicated()) {
                    data.add(PartitionsResource.partitionData(broker, topic, p));
                }
            }
        });
        return data;
    }
}
