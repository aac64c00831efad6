package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.CoordinatorAuthorization.Split;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.ifAllowed;
import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.split;
import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.visible;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

/**
 * The consumer-group APIs that the group coordinator answers, one entry per API key: the request type,
 * the authorization Kafka requires, the coordinator call and whatever the version changes in the response.
 * OffsetFetch, whose response layout differs much between versions, has a handler of its own. The handlers are
 * as thread-safe as the coordinator.
 */
public record GroupApis(GroupCoordinator coordinator) {

    /**
     * OffsetCommit is served up to v9. Version 10 (topic ids) is still unstable in kafka-clients 4.1 and
     * Kafka brokers do not advertise it by default, so neither does Strata.
     */
    static final short OFFSET_COMMIT_MAX_VERSION = 9;
    /** Version 5 belongs to transaction version 2, which this broker does not advertise. */
    static final short TXN_OFFSET_COMMIT_MAX_VERSION = 4;
    private static final short FIRST_STATES_FILTER_VERSION = 4;
    private static final short FIRST_TYPES_FILTER_VERSION = 5;

    /** A handler for each group API, in the order of their API keys. */
    public List<ApiHandler<?>> handlers() {
        return List.of(
                ApiHandler.of(ApiKeys.JOIN_GROUP, this::joinGroup),
                // SyncGroup: the leader hands in the assignment; every member waits for its own.
                ApiHandler.<SyncGroupRequest>of(ApiKeys.SYNC_GROUP, (context, request) ->
                        ifAllowed(context, READ, GROUP, request.data().groupId(),
                                () -> coordinator.syncGroup(request.data()))),
                // Heartbeat: keeps a member's session and tells it when to rejoin.
                ApiHandler.<HeartbeatRequest>of(ApiKeys.HEARTBEAT, (context, request) ->
                        ifAllowed(context, READ, GROUP, request.data().groupId(),
                                () -> coordinator.heartbeat(request.data()))),
                ApiHandler.of(ApiKeys.LEAVE_GROUP, this::leaveGroup),
                ApiHandler.of(ApiKeys.OFFSET_COMMIT, OFFSET_COMMIT_MAX_VERSION, this::commitOffsets),
                ApiHandler.of(ApiKeys.OFFSET_FETCH, OffsetFetchHandler.MAX_VERSION,
                        new OffsetFetchHandler(coordinator)::handle),
                ApiHandler.of(ApiKeys.TXN_OFFSET_COMMIT, TXN_OFFSET_COMMIT_MAX_VERSION,
                        this::commitTransactionalOffsets),
                ApiHandler.of(ApiKeys.OFFSET_DELETE, this::deleteOffsets),
                ApiHandler.of(ApiKeys.LIST_GROUPS, this::listGroups),
                ApiHandler.of(ApiKeys.DESCRIBE_GROUPS, this::describeGroups),
                ApiHandler.of(ApiKeys.DELETE_GROUPS, this::deleteGroups));
    }

    /** JoinGroup: completes when the group's join phase does, which may be up to the rebalance timeout later. */
    private CompletionStage<JoinGroupResponseData> joinGroup(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        // JoinGroupResponse fills in what older versions cannot carry as null (the protocol name before v7).
        return ifAllowed(context, READ, GROUP, request.data().groupId(), () ->
                coordinator.joinGroup(GroupClients.of(context), request.data())
                        .thenApply(response -> new JoinGroupResponse(response, version).data()));
    }

    /** LeaveGroup: one member before v3, a batch of members (by member or instance id) from v3. */
    private CompletionStage<LeaveGroupResponseData> leaveGroup(RequestContext context, LeaveGroupRequest request) {
        short version = context.apiVersion();
        String groupId = request.data().groupId();
        return ifAllowed(context, READ, GROUP, groupId, () -> coordinator.leaveGroup(groupId, request.members())
                .thenApply(outcome ->
                        // LeaveGroupResponse folds a single member's result into the top-level error before v3.
                        new LeaveGroupResponse(outcome.error() == Errors.NONE ? outcome.members() : List.of(),
                                outcome.error(), 0, version).data()));
    }

    /**
     * OffsetCommit: READ on the group for the request, then READ on each topic; a topic the client may not read is
     * answered TOPIC_AUTHORIZATION_FAILED for each of its partitions while the others are committed.
     */
    private CompletionStage<OffsetCommitResponseData> commitOffsets(RequestContext context, OffsetCommitRequest request) {
        OffsetCommitRequestData data = request.data();
        return ifAllowed(context, READ, GROUP, data.groupId(), () -> {
            Split<OffsetCommitRequestTopic> topics = split(context, READ, TOPIC, data.topics(),
                    OffsetCommitRequestTopic::name);
            OffsetCommitResponse.Builder refused = OffsetCommitResponse.newBuilder(false);
            topics.denied().forEach(topic -> refused.addPartitions(topic.topicId(), topic.name(), topic.partitions(),
                    OffsetCommitRequestPartition::partitionIndex, Errors.TOPIC_AUTHORIZATION_FAILED));
            // As in Kafka, the coordinator is not asked when there is nothing it may commit.
            if (topics.allowed().isEmpty()) {
                return CompletableFuture.completedFuture(refused.build().data());
            }
            return coordinator.commitOffsets(GroupClients.of(context), data.duplicate().setTopics(topics.allowed()))
                    .thenApply(committed -> refused.merge(committed).build().data());
        });
    }

    /**
     * TxnOffsetCommit: offsets that apply when the producer's transaction commits. WRITE on the transactional id,
     * READ on the group, then READ on each topic, refused as OffsetCommit refuses them.
     */
    private CompletionStage<TxnOffsetCommitResponseData> commitTransactionalOffsets(RequestContext context,
                                                                                   TxnOffsetCommitRequest request) {
        TxnOffsetCommitRequestData data = request.data();
        return ifAllowed(context, WRITE, TRANSACTIONAL_ID, data.transactionalId(), () ->
                ifAllowed(context, READ, GROUP, data.groupId(), () -> {
                    Split<TxnOffsetCommitRequestTopic> topics = split(context, READ, TOPIC, data.topics(),
                            TxnOffsetCommitRequestTopic::name);
                    TxnOffsetCommitResponse.Builder refused = new TxnOffsetCommitResponse.Builder();
                    topics.denied().forEach(topic -> refused.addPartitions(topic.name(), topic.partitions(),
                            TxnOffsetCommitRequestPartition::partitionIndex, Errors.TOPIC_AUTHORIZATION_FAILED));
                    // As in Kafka, the coordinator is not asked when there is nothing it may commit.
                    if (topics.allowed().isEmpty()) {
                        return CompletableFuture.completedFuture(refused.build().data());
                    }
                    return coordinator.commitTransactionalOffsets(data.duplicate().setTopics(topics.allowed()),
                                    context.apiVersion())
                            .thenApply(committed -> refused.merge(committed).build().data());
                }));
    }

    /**
     * OffsetDelete: removes committed offsets of topics no live member of the group consumes. DELETE on the group
     * for the request, then READ on each topic, refused as OffsetCommit refuses them.
     */
    private CompletionStage<OffsetDeleteResponseData> deleteOffsets(RequestContext context, OffsetDeleteRequest request) {
        OffsetDeleteRequestData data = request.data();
        return ifAllowed(context, DELETE, GROUP, data.groupId(), () -> {
            Split<OffsetDeleteRequestTopic> topics = split(context, READ, TOPIC, data.topics(),
                    OffsetDeleteRequestTopic::name);
            OffsetDeleteResponse.Builder refused = new OffsetDeleteResponse.Builder();
            topics.denied().forEach(topic -> refused.addPartitions(topic.name(), topic.partitions(),
                    OffsetDeleteRequestPartition::partitionIndex, Errors.TOPIC_AUTHORIZATION_FAILED));
            OffsetDeleteRequestTopicCollection allowed = new OffsetDeleteRequestTopicCollection();
            topics.allowed().forEach(topic -> allowed.add(topic.duplicate()));
            // Asked even when no topic is allowed, as in Kafka: the group's own errors are answered all the same.
            return coordinator.deleteOffsets(new OffsetDeleteRequestData().setGroupId(data.groupId())
                            .setTopics(allowed))
                    .thenApply(deleted -> refused.merge(deleted).build().data());
        });
    }

    /**
     * ListGroups, with the states filter of v4 and the types filter of v5: every group to a client that may DESCRIBE
     * the cluster, else only the groups it may DESCRIBE.
     */
    private CompletionStage<ListGroupsResponseData> listGroups(RequestContext context, ListGroupsRequest request) {
        ListGroupsRequestData data = request.data();
        short version = context.apiVersion();
        List<String> states = version >= FIRST_STATES_FILTER_VERSION ? data.statesFilter() : List.of();
        List<String> types = version >= FIRST_TYPES_FILTER_VERSION ? data.typesFilter() : List.of();
        boolean describesCluster = context.allowedOnClusterSilently(DESCRIBE);
        return coordinator.listGroups(states, types).thenApply(groups -> new ListGroupsResponseData().setGroups(
                describesCluster ? groups : visible(context, DESCRIBE, GROUP, groups, ListedGroup::groupId)));
    }

    /**
     * DescribeGroups: state, protocol and members, with metadata and assignments when Stable, and what the client may
     * do on each group when it asks (KIP-430). An unknown group is reported Dead, with GROUP_ID_NOT_FOUND from v6. A
     * group the client may not DESCRIBE is answered GROUP_AUTHORIZATION_FAILED.
     */
    private CompletionStage<DescribeGroupsResponseData> describeGroups(RequestContext context, DescribeGroupsRequest request) {
        Split<String> groupIds = split(context, DESCRIBE, GROUP, request.data().groups(), Function.identity());
        return coordinator.describeGroups(groupIds.allowed(), context.apiVersion()).thenApply(described -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            groupIds.denied().forEach(groupId -> response.groups().add(
                    DescribeGroupsResponse.groupError(groupId, Errors.GROUP_AUTHORIZATION_FAILED)));
            if (request.data().includeAuthorizedOperations()) {
                described.stream().filter(group -> group.errorCode() == Errors.NONE.code())
                        .forEach(group -> group.setAuthorizedOperations(
                                Authorizations.authorizedOperations(context, GROUP, group.groupId())));
            }
            response.groups().addAll(described);
            return response;
        });
    }

    /**
     * DeleteGroups: deletes empty groups and their committed offsets; a group the client may not DELETE is answered
     * GROUP_AUTHORIZATION_FAILED.
     */
    private CompletionStage<DeleteGroupsResponseData> deleteGroups(RequestContext context, DeleteGroupsRequest request) {
        Split<String> groupIds = split(context, DELETE, GROUP, request.data().groupsNames(), Function.identity());
        // Refused groups are answered whatever the coordinator's state: it is not asked when it has nothing to delete.
        CompletableFuture<List<DeletableGroupResult>> deleted = groupIds.allowed().isEmpty()
                ? CompletableFuture.completedFuture(List.of()) : coordinator.deleteGroups(groupIds.allowed());
        return deleted.thenApply(results -> {
            List<DeletableGroupResult> answered = new ArrayList<>(results);
            groupIds.denied().forEach(groupId -> answered.add(new DeletableGroupResult().setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
            DeletableGroupResultCollection collection = new DeletableGroupResultCollection();
            answered.forEach(result -> {
                // The response is keyed by group id: a group named twice is answered once.
                if (collection.find(result.groupId()) == null) {
                    collection.add(result);
                }
            });
            return new DeleteGroupsResponseData().setResults(collection);
        });
    }
}
