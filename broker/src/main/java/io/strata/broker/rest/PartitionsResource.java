package io.strata.broker.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.ArrayList;
import java.util.List;

/** A topic's partitions with their leader, their earliest and latest offsets and their bytes on each tier. */
@Path("/v3/clusters/{cluster}/topics/{topic}/partitions")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Partitions")
public class PartitionsResource {

    private final BrokerAccess access;

    public PartitionsResource(BrokerAccess access) {
        this.access = access;
    }

    @GET
    public ResourceList<PartitionData> list(@RestPath String cluster, @RestPath String topic) {
        Broker broker = access.broker(cluster);
        TopicImage image = access.topic(cluster, topic);
        List<PartitionData> data = new ArrayList<>();
        for (int p = 0; p < image.partitions(); p++) {
            broker.partitions().partition(new TopicPartition(topic, p))
                    .ifPresent(partition -> data.add(partitionData(broker, partition)));
        }
        return new ResourceList<>("KafkaPartitionList", data);
    }

    @GET
    @Path("/{partition}")
    public PartitionData get(@RestPath String cluster, @RestPath String topic, @RestPath String partition) {
        return partitionData(access.broker(cluster), access.partition(cluster, topic, partition));
    }

    private static PartitionData partitionData(Broker broker, Partition partition) {
        return new PartitionData("KafkaPartition", broker.identity().clusterId(), partition.topicPartition().topic(),
                partition.topicPartition().partition(), broker.identity().nodeId(), partition.logStartOffset(),
                partition.highWatermark(), partition.localBytes(), partition.tieredBytes());
    }

    /**
     * @param earliestOffset the log start offset: the first offset a consumer can read
     * @param latestOffset   the high watermark: the offset the next record gets
     * @param localBytes     bytes of the partition's segments on local disk
     * @param tieredBytes    bytes of the partition's segments in the object store (some may also be local)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PartitionData(String kind, String clusterId, String topicName, int partitionId, int leaderId,
                                long earliestOffset, long latestOffset, long localBytes, long tieredBytes) {
    }
}
