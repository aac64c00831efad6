package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The consumer-group APIs that the group coordinator answers, one entry per API key: the request type,
 * the coordinator call and whatever the version changes in the response. OffsetFetch, whose response
 * layout differs much between versions, has a handler of its own. The handlers are as thread-safe as
 * the coordinator.
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
                ApiHandler.<SyncGroupRequest>of(ApiKeys.SYNC_GROUP,
                        (context, request) -> coordinator.syncGroup(request.data())),
                // Heartbeat: keeps a member's session and tells it when to rejoin.
                ApiHandler.<HeartbeatRequest>of(ApiKeys.HEARTBEAT,
                        (context, request) -> coordinator.heartbeat(request.data())),
                ApiHandler.of(ApiKeys.LEAVE_GROUP, this::leaveGroup),
                ApiHandler.<OffsetCommitRequest>of(ApiKeys.OFFSET_COMMIT, OFFSET_COMMIT_MAX_VERSION,
                        (context, request) -> coordinator.commitOffsets(GroupClients.of(context), request.data())),
                ApiHandler.of(ApiKeys.OFFSET_FETCH, OffsetFetchHandler.MAX_VERSION,
                        new OffsetFetchHandler(coordinator)::handle),
                // TxnOffsetCommit: offsets that apply when the producer's transaction commits.
                ApiHandler.<TxnOffsetCommitRequest>of(ApiKeys.TXN_OFFSET_COMMIT, TXN_OFFSET_COMMIT_MAX_VERSION,
                        (context, request) -> coordinator.commitTransactionalOffsets(request.data(),
                                context.apiVersion())),
                // OffsetDelete: removes committed offsets of topics no live member of the group consumes.
                ApiHandler.<OffsetDeleteRequest>of(ApiKeys.OFFSET_DELETE,
                        (context, request) -> coordinator.deleteOffsets(request.data())),
                ApiHandler.of(ApiKeys.LIST_GROUPS, this::listGroups),
                ApiHandler.of(ApiKeys.DESCRIBE_GROUPS, this::describeGroups),
                ApiHandler.of(ApiKeys.DELETE_GROUPS, this::deleteGroups));
    }

    /** JoinGroup: completes when the group's join phase does, which may be up to the rebalance timeout later. */
    private CompletionStage<JoinGroupResponseData> joinGroup(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        // JoinGroupResponse fills in what older versions cannot carry as null (the protocol name before v7).
        return coordinator.joinGroup(GroupClients.of(context), request.data())
                .thenApply(response -> new JoinGroupResponse(response, version).data());
    }

    /** LeaveGroup: one member before v3, a batch of members (by member or instance id) from v3. */
    private CompletionStage<LeaveGroupResponseData> leaveGroup(RequestContext context, LeaveGroupRequest request) {
        short version = context.apiVersion();
        return coordinator.leaveGroup(request.data().groupId(), request.members()).thenApply(outcome ->
                // LeaveGroupResponse folds a single member's result into the top-level error before v3.
                new LeaveGroupResponse(outcome.error() == Errors.NONE ? outcome.members() : List.of(),
                        outcome.error(), 0, version).data());
    }

    /** ListGroups, with the states filter of v4 and the types filter of v5. */
    private CompletionStage<ListGroupsResponseData> listGroups(RequestContext context, ListGroupsRequest request) {
        ListGroupsRequestData data = request.data();
        short version = context.apiVersion();
        List<String> states = version >= FIRST_STATES_FILTER_VERSION ? data.statesFilter() : List.of();
        List<String> types = version >= FIRST_TYPES_FILTER_VERSION ? data.typesFilter() : List.of();
        return coordinator.listGroups(states, types).thenApply(groups -> new ListGroupsResponseData().setGroups(groups));
    }

    /**
     * DescribeGroups: state, protocol and members, with metadata and assignments when Stable. An
     * unknown group is reported Dead, with GROUP_ID_NOT_FOUND from v6.
     */
    private CompletionStage<DescribeGroupsResponseData> describeGroups(RequestContext context, DescribeGroupsRequest request) {
        return coordinator.describeGroups(request.data().groups(), context.apiVersion())
                .thenApply(groups -> new DescribeGroupsResponseData().setGroups(groups));
    }

    /** DeleteGroups: deletes empty groups and their committed offsets. */
    private CompletionStage<DeleteGroupsResponseData> deleteGroups(RequestContext context, DeleteGroupsRequest request) {
        return coordinator.deleteGroups(request.data().groupsNames()).thenApply(results -> {
            DeletableGroupResultCollection collection = new DeletableGroupResultCollection();
            results.forEach(result -> {
                // The response is keyed by group id: a group named twice is answered once.
                if (collection.find(result.groupId()) == null) {
                    collection.add(result);
                }
            });
            return new DeleteGroupsResponseData().setResults(collection);
        });
    }
}
