package io.strata.broker.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A topic's partitions with their leader, replicas and in-sync replicas, and, from the broker that leads a
 * partition, its earliest and latest offsets and its bytes on each tier.
 */
@Path("/v3/clusters/{cluster}/topics/{topic}/partitions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Partitions")
public class PartitionsResource {

    private final BrokerAccess access;
    private final RestAuthorization authorization;

    public PartitionsResource(BrokerAccess access, RestAuthorization authorization) {
        this.access = access;
        this.authorization = authorization;
    }

    @GET
    public ResourceList<PartitionData> list(@RestPath String cluster, @RestPath String topic) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
        TopicImage image = access.topic(cluster, topic);
        List<PartitionData> data = new ArrayList<>();
        for (int p = 0; p < image.partitions(); p++) {
            data.add(partitionData(broker, image, p));
        }
        return new ResourceList<>("KafkaPartitionList", data);
    }

    @GET
    @Path("/{partition}")
    public PartitionData get(@RestPath String cluster, @RestPath String topic, @RestPath String partition) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
        int index = access.partitionIndex(cluster, topic, partition);
        return partitionData(broker, access.topic(cluster, topic), index);
    }

    static PartitionData partitionData(Broker broker, TopicImage topic, int index) {
        PartitionImage state = topic.partition(index);
        Optional<Partition> led = broker.partitions().leading(new TopicPartition(topic.name(), index));
        return new PartitionData("KafkaPartition", broker.identity().clusterId(), topic.name(), index, state.leader(),
                state.replicas(), state.isr(), led.map(Partition::logStartOffset).orElse(null),
                led.map(Partition::highWatermark).orElse(null), led.map(Partition::localBytes).orElse(null),
                led.map(Partition::tieredBytes).orElse(null));
    }

    /**
     * @param leaderId       the leading broker, -1 while none leads
     * @param earliestOffset the log start offset: the first offset a consumer can read; null unless this broker
     *                       leads the partition (ask the leader)
     * @param latestOffset   the high watermark: the offset the next record gets; null unless this broker leads
     * @param localBytes     bytes of the partition's segments on the leader's disk; null unless this broker leads
     * @param tieredBytes    bytes of the partition's segments in the object store (some may also be local); null
     *                       unless this broker leads
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PartitionData(String kind, String clusterId, String topicName, int partitionId, int leaderId,
                                List<Integer> replicas, List<Integer> isr, Long earliestOffset, Long latestOffset,
                                Long localBytes, Long tieredBytes) {
    }
}
