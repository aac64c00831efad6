package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ApiError;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * AlterPartitionReassignments (KIP-455): starts, replaces or, for null replicas, cancels the reassignment of each
 * named partition, each through a metadata command; the answer comes once each has started, not finished
 * (ListPartitionReassignments follows them). The client must be allowed to ALTER the cluster.
 */
public record AlterPartitionReassignmentsHandler(TopicAdmin admin) {

    public CompletionStage<AlterPartitionReassignmentsResponseData> handle(RequestContext context,
                                                                           AlterPartitionReassignmentsRequest request) {
        return Authorizations.onCluster(context, AclOperation.ALTER, request, () -> reassign(request));
    }

    private CompletionStage<AlterPartitionReassignmentsResponseData> reassign(AlterPartitionReassignmentsRequest request) {
        boolean allowReplicationFactorChange = request.data().allowReplicationFactorChange();
        List<CompletableFuture<ReassignableTopicResponse>> topics = new ArrayList<>();
        for (ReassignableTopic topic : request.data().topics()) {
            List<CompletableFuture<ReassignablePartitionResponse>> partitions = new ArrayList<>();
            for (ReassignablePartition partition : topic.partitions()) {
                ReassignablePartitionResponse result = new ReassignablePartitionResponse()
                        .setPartitionIndex(partition.partitionIndex());
                partitions.add(admin.reassignPartition(topic.name(), partition.partitionIndex(),
                                Optional.ofNullable(partition.replicas()), allowReplicationFactorChange)
                        .thenApply(ignored -> result)
                        .exceptionally(error -> {
                            ApiError apiError = ApiError.fromThrowable(error);
                            return result.setErrorCode(apiError.error().code()).setErrorMessage(apiError.message());
                        }));
            }
            topics.add(Futures.all(partitions).thenApply(done ->
                    new ReassignableTopicResponse().setName(topic.name()).setPartitions(done)));
        }
        return Futures.all(topics).thenApply(done -> new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(allowReplicationFactorChange)
                .setResponses(done));
    }
}
