package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * ListPartitionReassignments: the reassignments in progress, from the metadata image, of the named partitions or
 * of all; partitions that do not exist or are not moving are left out, as Kafka does. The client must be allowed to
 * DESCRIBE the cluster.
 */
public record ListPartitionReassignmentsHandler(Supplier<MetadataImage> image) {

    public CompletionStage<ListPartitionReassignmentsResponseData> handle(RequestContext context,
                                                                          ListPartitionReassignmentsRequest request) {
        return Authorizations.onCluster(context, AclOperation.DESCRIBE, request, () -> list(request));
    }

    private CompletionStage<ListPartitionReassignmentsResponseData> list(ListPartitionReassignmentsRequest request) {
        MetadataImage current = image.get();
        List<OngoingTopicReassignment> reported = new ArrayList<>();
        if (request.data().topics() == null) {
            current.topics().forEach(topic -> ongoing(topic, IntStream.range(0, topic.partitions()).boxed().toList())
                    .ifPresent(reported::add));
        } else {
            for (ListPartitionReassignmentsTopics named : request.data().topics()) {
                current.topic(named.name()).flatMap(topic -> ongoing(topic, named.partitionIndexes()))
                        .ifPresent(reported::add);
            }
        }
        return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponseData().setTopics(reported));
    }

    private static Optional<OngoingTopicReassignment> ongoing(TopicImage topic, List<Integer> indexes) {
        List<OngoingPartitionReassignment> partitions = new ArrayList<>();
        for (int index : indexes) {
            if (index < 0 || index >= topic.partitions() || !topic.partition(index).isReassigning()) {
                continue;
            }
            PartitionImage partition = topic.partition(index);
            partitions.add(new OngoingPartitionReassignment()
                    .setPartitionIndex(index)
                    .setReplicas(partition.replicas())
                    .setAddingReplicas(partition.addingReplicas())
                    .setRemovingReplicas(partition.removingReplicas()));
        }
        return partitions.isEmpty() ? Optional.empty()
                : Optional.of(new OngoingTopicReassignment().setName(topic.name()).setPartitions(partitions));
    }
}
