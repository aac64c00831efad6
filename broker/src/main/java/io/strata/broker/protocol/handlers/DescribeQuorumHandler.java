package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.QuorumStatus;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.RequestForwarder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Listener;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ListenerCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Node;
import org.apache.kafka.common.message.DescribeQuorumResponseData.NodeCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.apache.kafka.common.utils.Time;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * DescribeQuorum: the metadata Raft group, described as Kafka describes its {@code __cluster_metadata}
 * partition. The Raft term is the leader epoch, the commit index the high watermark, every Raft member a
 * voter and every registered broker that is not one an observer. Only the Raft leader knows how far each
 * voter's log reaches, so another broker forwards the request to it, as Kafka's brokers forward it to the
 * controller. JGroups-Raft keeps no fetch times: the leader reports itself fetched and caught up now, a
 * voter holding the leader's whole log caught up now, and -1 where it cannot know. From version 2 each replica
 * carries the id of the data directory its broker registered (KIP-853), which changes when a broker comes back
 * with an empty disk. The client must be allowed to DESCRIBE the cluster.
 */
public record DescribeQuorumHandler(RaftMetadataLog metadata, RequestForwarder forwarder, Time time) {

    /** The listener name the voters' Raft endpoints are reported under. */
    static final String RAFT_LISTENER = "RAFT";
    private static final TopicPartition METADATA_PARTITION = Topic.CLUSTER_METADATA_TOPIC_PARTITION;

    public CompletionStage<DescribeQuorumResponseData> handle(RequestContext context, DescribeQuorumRequest request) {
        return Authorizations.onCluster(context, AclOperation.DESCRIBE, request, () -> describe(request));
    }

    private CompletionStage<DescribeQuorumResponseData> describe(DescribeQuorumRequest request) {
        if (!asksForTheMetadataPartition(request.data())) {
            return CompletableFuture.completedFuture(DescribeQuorumRequest.getPartitionLevelErrorResponse(
                    request.data(), Errors.UNKNOWN_TOPIC_OR_PARTITION));
        }
        QuorumStatus status = metadata.quorum();
        if (status.localIsLeader()) {
            return CompletableFuture.completedFuture(describe(status, request.version()));
        }
        Optional<BrokerImage> leader = metadata.image().liveBroker(status.leaderId());
        if (leader.isEmpty()) {
            return CompletableFuture.completedFuture(DescribeQuorumRequest.getPartitionLevelErrorResponse(
                    request.data(), Errors.NOT_LEADER_OR_FOLLOWER));
        }
        return forwarder.send(leader.get(), new DescribeQuorumRequest.Builder(request.data()),
                request.version()).thenApply(response -> ((DescribeQuorumResponse) response).data());
    }

    private static boolean asksForTheMetadataPartition(DescribeQuorumRequestData data) {
        return data.topics().size() == 1 && data.topics().get(0).topicName().equals(METADATA_PARTITION.topic())
                && data.topics().get(0).partitions().size() == 1
                && data.topics().get(0).partitions().get(0).partitionIndex() == METADATA_PARTITION.partition();
    }

    private DescribeQuorumResponseData describe(QuorumStatus status, short version) {
        long now = time.milliseconds();
        Map<Integer, Uuid> directories = metadata.image().directories();
        // Not ignorable: an older version cannot carry it, so it stays at its default there.
        IntFunction<Uuid> directoryOf = nodeId -> version >= 2 ? directories.getOrDefault(nodeId, Uuid.ZERO_UUID)
                : Uuid.ZERO_UUID;
        long leaderEnd = status.voters().stream().filter(voter -> voter.member().nodeId() == status.leaderId())
                .mapToLong(QuorumStatus.Voter::logEndOffset).findFirst().orElse(QuorumStatus.UNKNOWN);
        List<ReplicaState> voters = status.voters().stream().map(voter -> {
            boolean leader = voter.member().nodeId() == status.leaderId();
            boolean caughtUp = leader || voter.logEndOffset() == leaderEnd;
            return new ReplicaState()
                    .setReplicaId(voter.member().nodeId())
                    .setReplicaDirectoryId(directoryOf.apply(voter.member().nodeId()))
                    .setLogEndOffset(voter.logEndOffset())
                    .setLastFetchTimestamp(leader ? now : -1)
                    .setLastCaughtUpTimestamp(caughtUp ? now : -1);
        }).toList();
        Set<Integer> voterIds = status.voters().stream().map(voter -> voter.member().nodeId()).collect(Collectors.toSet());
        List<ReplicaState> observers = metadata.image().brokers().stream()
                .filter(broker -> !voterIds.contains(broker.nodeId()))
                .map(broker -> new ReplicaState().setReplicaId(broker.nodeId())
                        .setReplicaDirectoryId(directoryOf.apply(broker.nodeId())).setLogEndOffset(QuorumStatus.UNKNOWN)
                        .setLastFetchTimestamp(-1).setLastCaughtUpTimestamp(-1))
                .toList();
        PartitionData partition = new PartitionData()
                .setPartitionIndex(METADATA_PARTITION.partition())
                .setLeaderId(status.leaderId())
                .setLeaderEpoch((int) status.term())
                .setHighWatermark(status.commitIndex())
                .setCurrentVoters(voters)
                .setObservers(observers);
        // Voters' endpoints exist from version 2; an older request gets none rather than an unencodable answer.
        NodeCollection nodes = new NodeCollection();
        if (version >= 2) {
            status.voters().forEach(voter -> {
                ListenerCollection listeners = new ListenerCollection();
                listeners.add(new Listener().setName(RAFT_LISTENER).setHost(voter.member().host())
                        .setPort(voter.member().port()));
                nodes.add(new Node().setNodeId(voter.member().nodeId()).setListeners(listeners));
            });
        }
        return DescribeQuorumResponse.singletonResponse(METADATA_PARTITION, partition, nodes);
    }
}
