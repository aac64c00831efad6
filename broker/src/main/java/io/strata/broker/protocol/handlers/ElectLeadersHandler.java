package io.strata.broker.protocol.handlers;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;

/**
 * ElectLeaders: moves each named partition's leadership to its preferred replica, or (unclean) to a live
 * replica where no live broker leads, each through a metadata command, for a client that may ALTER the cluster. With no partitions named it elects
 * over every partition of the cluster and, as Kafka, leaves out those that need no election.
 */
public record ElectLeadersHandler(TopicAdmin admin) {

    public CompletionStage<ElectLeadersResponseData> handle(RequestContext context, ElectLeadersRequest request) {
        return Authorizations.onCluster(context, AclOperation.ALTER, request, () -> elect(request));
    }

    private CompletionStage<ElectLeadersResponseData> elect(ElectLeadersRequest request) {
        ElectionType type;
        try {
            type = ElectionType.valueOf(request.data().electionType());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("Unknown election type " + request.data().electionType());
        }
        boolean all = request.data().topicPartitions() == null;
        Map<String, List<Integer>> partitions = new LinkedHashMap<>();
        if (all) {
            for (TopicImage topic : admin.image().topics()) {
                partitions.put(topic.name(), IntStream.range(0, topic.partitions()).boxed().toList());
            }
        } else {
            for (TopicPartitions topic : request.data().topicPartitions()) {
                partitions.computeIfAbsent(topic.topic(), name -> new ArrayList<>()).addAll(topic.partitions());
            }
        }
        List<CompletableFuture<Optional<ReplicaElectionResult>>> results = new ArrayList<>();
        partitions.forEach((topic, indexes) -> results.add(elect(topic, indexes, type, all)));
        return Futures.all(results).thenApply(done -> new ElectLeadersResponseData()
                .setErrorCode(Errors.NONE.code())
                .setReplicaElectionResults(done.stream().flatMap(Optional::stream).toList()));
    }

    /** The topic's results; empty when electing over every partition and none of the topic's needed it. */
    private CompletableFuture<Optional<ReplicaElectionResult>> elect(String topic, List<Integer> indexes,
                                                                    ElectionType type, boolean all) {
        List<CompletableFuture<PartitionResult>> results = new ArrayList<>();
        for (int partition : indexes) {
            results.add(admin.electLeader(topic, partition, type)
                    .thenApply(ignored -> new PartitionResult().setPartitionId(partition))
                    .exceptionally(error -> {
                        ApiError apiError = ApiError.fromThrowable(error);
                        return new PartitionResult().setPartitionId(partition).setErrorCode(apiError.error().code())
                                .setErrorMessage(apiError.message());
                    }));
        }
        return Futures.all(results).thenApply(done -> {
            List<PartitionResult> reported = done.stream()
                    .filter(result -> !all || result.errorCode() != Errors.ELECTION_NOT_NEEDED.code()).toList();
            return reported.isEmpty() && all ? Optional.empty()
                    : Optional.of(new ReplicaElectionResult().setTopic(topic).setPartitionResult(reported));
        });
    }
}
