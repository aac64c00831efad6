package io.strata.broker.group;

import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.GroupKey;
import io.strata.broker.group.GroupRecords.GroupValue;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.strata.broker.group.Rebalancer.joinError;
import static io.strata.broker.group.Rebalancer.syncError;

/**
 * The requests of the classic group protocol: JoinGroup, SyncGroup, Heartbeat and LeaveGroup,
 * validated and applied to the group as Kafka's classic group coordinator does; the rebalance
 * they start or advance is the {@link Rebalancer}'s. Coordinator thread only.
 */
record Membership(CoordinatorRuntime runtime, Rebalancer rebalancer) {

    private static final Logger LOG = Logger.getLogger(Membership.class);

    // ---- JoinGroup ----

    void join(ClientContext client, JoinGroupRequestData request, CompletableFuture<JoinGroupResponseData> future) {
        String groupId = request.groupId();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(joinError(memberId, Errors.INVALID_GROUP_ID));
            return;
        }
        GroupConfig config = runtime.config();
        if (request.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || request.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            future.complete(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
            return;
        }
        boolean unknownMember = memberId.isEmpty();
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null) {
            if (!unknownMember) {
                future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            // A new group is stored empty first, as Kafka does, so it exists through the record that made it.
            try {
                runtime.write(groupId, List.of(new CoordinatorRecord(new GroupKey(groupId),
                        new GroupValue("", 0, null, null, runtime.now(), List.of()))));
            } catch (RuntimeException e) {
                future.complete(joinError(memberId, CoordinatorLog.writeError(e)));
                return;
            }
            group = runtime.store().group(groupId);
        }
        if (unknownMember) {
            joinNewMember(client, request, group, future);
        } else {
            joinExistingMember(client, request, group, memberId, future);
        }
    }

    private void joinNewMember(ClientContext client, JoinGroupRequestData request, ClassicGroup group,
                               CompletableFuture<JoinGroupResponseData> future) {
        if (group.isInState(GroupState.DEAD)) {
            future.complete(joinError("", Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), protocolNames(request))) {
            future.complete(joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        String instanceId = request.groupInstanceId();
        String newMemberId = group.generateMemberId(client.clientId(), instanceId);
        if (instanceId != null) {
            String existing = group.staticMemberId(instanceId);
            if (existing != null) {
                LOG.infof("Static member %s of group %s rejoins in state %s; member %s replaces %s",
                        instanceId, group.groupId(), group.state(), newMemberId, existing);
                updateStaticMemberThenRebalanceOrCompleteJoin(client, request, group, existing, newMemberId, future);
            } else {
                addMemberThenRebalanceOrCompleteJoin(client, request, group, newMemberId, future);
            }
        } else if (JoinGroupRequest.requiresKnownMemberId(client.apiVersion())) {
            // The member must come back with this id, so a retried first join cannot add a second member.
            group.addPendingMember(newMemberId);
            rebalancer.scheduleHeartbeatExpiry(group, newMemberId, request.sessionTimeoutMs());
            future.complete(new JoinGroupResponseData().setMemberId(newMemberId)
                    .setErrorCode(Errors.MEMBER_ID_REQUIRED.code()));
        } else {
            addMemberThenRebalanceOrCompleteJoin(client, request, group, newMemberId, future);
        }
    }

    private void joinExistingMember(ClientContext client, JoinGroupRequestData request, ClassicGroup group,
                                    String memberId, CompletableFuture<JoinGroupResponseData> future) {
        String instanceId = request.groupInstanceId();
        if (group.isInState(GroupState.DEAD)) {
            future.complete(joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE));
            return;
        }
        if (!group.supportsProtocols(request.protocolType(), protocolNames(request))) {
            future.complete(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
            return;
        }
        if (group.isPendingMember(memberId)) {
            if (instanceId != null) {
                // Pending ids are only handed to dynamic members.
                future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
                return;
            }
            addMemberThenRebalanceOrCompleteJoin(client, request, group, memberId, future);
            return;
        }
        try {
            group.validateMember(memberId, instanceId);
        } catch (ApiException e) {
            future.complete(joinError(memberId, Errors.forException(e)));
            return;
        }
        GroupMember member = group.member(memberId);
        List<GroupMember.Protocol> protocols = protocols(request);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberThenRebalanceOrCompleteJoin(request, group, member, future,
                    "member " + memberId + " rejoins during PreparingRebalance");
            case COMPLETING_REBALANCE -> {
                if (member.matches(protocols)) {
                    // The member missed its JoinGroup response: send it again.
                    future.complete(Rebalancer.currentGeneration(group, memberId, group.isLeader(memberId)));
                } else {
                    updateMemberThenRebalanceOrCompleteJoin(request, group, member, future,
                            "member " + memberId + " changed its metadata during CompletingRebalance");
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId)) {
                    // The leader rejoins to have the assignment recomputed (say, the topics changed).
                    updateMemberThenRebalanceOrCompleteJoin(request, group, member, future,
                            "leader " + memberId + " rejoins");
                } else if (!member.matches(protocols)) {
                    updateMemberThenRebalanceOrCompleteJoin(request, group, member, future,
                            "member " + memberId + " changed its metadata");
                } else {
                    future.complete(Rebalancer.currentGeneration(group, memberId, false));
                }
            }
            default -> future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void addMemberThenRebalanceOrCompleteJoin(ClientContext client, JoinGroupRequestData request,
                                                      ClassicGroup group, String memberId,
                                                      CompletableFuture<JoinGroupResponseData> future) {
        GroupMember member = new GroupMember(memberId, request.groupInstanceId(), client.clientId(), client.clientHost(),
                rebalanceTimeoutMs(request), request.sessionTimeoutMs(), request.protocolType(), protocols(request));
        member.setNew(true);
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.previousState() == GroupState.EMPTY) {
            group.setNewMemberAdded(true);
        }
        group.add(member);
        member.join().park(future);
        // A new member cannot heartbeat yet; its join is bounded by this timeout instead.
        rebalancer.scheduleHeartbeatExpiry(group, memberId, runtime.config().newMemberJoinTimeoutMs());
        rebalancer.maybePrepareRebalanceOrCompleteJoin(group, "new member " + memberId + " joins");
    }

    private void updateMemberThenRebalanceOrCompleteJoin(JoinGroupRequestData request, ClassicGroup group,
                                                         GroupMember member,
                                                         CompletableFuture<JoinGroupResponseData> future,
                                                         String reason) {
        member.update(protocols(request), rebalanceTimeoutMs(request), request.sessionTimeoutMs());
        parkJoin(group, member, future);
        rebalancer.maybePrepareRebalanceOrCompleteJoin(group, reason);
    }

    /** Parks a JoinGroup response; a response parked before for the same member is answered first. */
    private void parkJoin(ClassicGroup group, GroupMember member, CompletableFuture<JoinGroupResponseData> future) {
        member.join().complete(joinError(member.memberId(), Errors.REBALANCE_IN_PROGRESS));
        member.join().park(future);
    }

    private void updateStaticMemberThenRebalanceOrCompleteJoin(ClientContext client, JoinGroupRequestData request,
                                                               ClassicGroup group, String oldMemberId,
                                                               String newMemberId,
                                                               CompletableFuture<JoinGroupResponseData> future) {
        String instanceId = request.groupInstanceId();
        String currentLeader = group.leaderId();
        GroupMember member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
        rebalancer.cancelHeartbeatExpiry(group.groupId(), oldMemberId);
        rebalancer.scheduleHeartbeatExpiry(group, newMemberId, member.sessionTimeoutMs());
        List<GroupMember.Protocol> oldProtocols = member.protocols();
        int oldRebalanceTimeoutMs = member.rebalanceTimeoutMs();
        int oldSessionTimeoutMs = member.sessionTimeoutMs();
        member.update(protocols(request), rebalanceTimeoutMs(request), request.sessionTimeoutMs());
        member.join().park(future);

        switch (group.state()) {
            case STABLE -> {
                if (!group.selectProtocol().equals(group.protocolName())) {
                    rebalancer.maybePrepareRebalanceOrCompleteJoin(group, "static member " + instanceId
                            + " rejoins with a change of protocol");
                    return;
                }
                // Same protocol: store the new member id and hand back the current generation, no rebalance.
                Map<String, byte[]> assignments = new HashMap<>();
                group.members().forEach(m -> assignments.put(m.memberId(), m.assignment()));
                CompletableFuture<Void> stored;
                try {
                    stored = runtime.write(group.groupId(), List.of(new CoordinatorRecord(
                            new GroupKey(group.groupId()), group.toValue(assignments, runtime.now()))));
                } catch (RuntimeException e) {
                    member.join().release();
                    member.update(oldProtocols, oldRebalanceTimeoutMs, oldSessionTimeoutMs);
                    GroupMember old = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
                    rebalancer.cancelHeartbeatExpiry(group.groupId(), newMemberId);
                    rebalancer.scheduleHeartbeatExpiry(group, oldMemberId, old.sessionTimeoutMs());
                    future.complete(joinError("", CoordinatorLog.writeError(e)));
                    return;
                }
                int generation = group.generationId();
                whenDone(stored, error -> {
                    if (group.generationId() != generation || !group.hasMember(newMemberId)) {
                        member.join().complete(joinError(newMemberId, Errors.REBALANCE_IN_PROGRESS));
                    } else if (error != null) {
                        member.join().complete(joinError(newMemberId, CoordinatorLog.writeError(error)));
                    } else if (JoinGroupRequest.supportsSkippingAssignment(client.apiVersion())) {
                        boolean leader = group.isLeader(newMemberId);
                        member.join().complete(Rebalancer.currentGeneration(group, newMemberId, leader).setSkipAssignment(leader));
                    } else {
                        // Older clients must not reassign: they are told the old leader id, so they act as followers.
                        member.join().complete(Rebalancer.currentGeneration(group, newMemberId, false)
                                .setLeader(currentLeader == null ? "" : currentLeader));
                    }
                });
            }
            case COMPLETING_REBALANCE ->
                // The leader may already be assigning with the old member id: rebalance again.
                    rebalancer.prepareRebalance(group, "static member " + instanceId + " rejoins during CompletingRebalance");
            case PREPARING_REBALANCE -> rebalancer.maybeCompleteJoinPhase(group);
            default -> member.join().complete(joinError(newMemberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    // ---- SyncGroup ----

    void sync(SyncGroupRequestData request, CompletableFuture<SyncGroupResponseData> future) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null) {
            future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            return;
        }
        Errors error = validateSync(group, request);
        if (error != Errors.NONE) {
            future.complete(syncError(error));
            return;
        }
        String memberId = request.memberId();
        switch (group.state()) {
            case EMPTY -> future.complete(syncError(Errors.UNKNOWN_MEMBER_ID));
            case PREPARING_REBALANCE -> future.complete(syncError(Errors.REBALANCE_IN_PROGRESS));
            case COMPLETING_REBALANCE -> {
                GroupMember member = group.member(memberId);
                member.sync().complete(syncError(Errors.REBALANCE_IN_PROGRESS));
                member.sync().park(future);
                rebalancer.removePendingSyncMember(group, memberId);
                if (group.isLeader(memberId)) {
                    storeAssignment(group, request);
                }
            }
            case STABLE -> {
                rebalancer.removePendingSyncMember(group, memberId);
                future.complete(new SyncGroupResponseData()
                        .setProtocolType(group.protocolType())
                        .setProtocolName(group.protocolName())
                        .setAssignment(group.member(memberId).assignment()));
            }
            default -> future.complete(syncError(Errors.COORDINATOR_NOT_AVAILABLE));
        }
    }

    private Errors validateSync(ClassicGroup group, SyncGroupRequestData request) {
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        try {
            group.validateMember(request.memberId(), request.groupInstanceId());
        } catch (ApiException e) {
            return Errors.forException(e);
        }
        if (request.generationId() != group.generationId()) {
            return Errors.ILLEGAL_GENERATION;
        }
        if (inconsistent(request.protocolType(), group.protocolType())
                || inconsistent(request.protocolName(), group.protocolName())) {
            return Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        return Errors.NONE;
    }

    private static boolean inconsistent(String requested, String actual) {
        return requested != null && actual != null && !requested.equals(actual);
    }

    /**
     * Stores the leader's assignment as the group's record; replaying it makes the group Stable.
     * Members waiting in SyncGroup get their assignment once the record is durable.
     */
    private void storeAssignment(ClassicGroup group, SyncGroupRequestData request) {
        Map<String, byte[]> assignments = new HashMap<>();
        request.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        List<String> missing = group.members().stream().map(GroupMember::memberId)
                .filter(id -> !assignments.containsKey(id)).toList();
        if (!missing.isEmpty()) {
            LOG.warnf("Group %s generation %d: the leader assigned nothing to %s", group.groupId(),
                    group.generationId(), missing);
        }
        int generation = group.generationId();
        GroupValue value = group.toValue(assignments, runtime.now());
        CompletableFuture<Void> stored;
        try {
            stored = runtime.write(group.groupId(), List.of(new CoordinatorRecord(new GroupKey(group.groupId()), value)));
        } catch (RuntimeException e) {
            rebalancer.propagateAssignment(group, CoordinatorLog.writeError(e));
            rebalancer.maybePrepareRebalanceOrCompleteJoin(group, "storing the assignment failed");
            return;
        }
        LOG.infof("Assignment of group %s generation %d stored; %d member(s)", group.groupId(), generation, group.size());
        whenDone(stored, error -> {
            if (group.generationId() != generation || !group.isInState(GroupState.STABLE)) {
                // The rebalance that moved the group on already answered this generation's members;
                // those parked now belong to the next one.
                return;
            }
            if (error != null) {
                rebalancer.propagateAssignment(group, CoordinatorLog.writeError(error));
            } else {
                rebalancer.propagateAssignment(group, Errors.NONE);
            }
        });
    }

    // ---- Heartbeat ----

    HeartbeatResponseData heartbeat(HeartbeatRequestData request) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return heartbeatError(Errors.INVALID_GROUP_ID);
        }
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null) {
            return heartbeatError(Errors.UNKNOWN_MEMBER_ID);
        }
        if (group.isInState(GroupState.DEAD)) {
            return heartbeatError(Errors.COORDINATOR_NOT_AVAILABLE);
        }
        try {
            group.validateMember(request.memberId(), request.groupInstanceId());
        } catch (ApiException e) {
            return heartbeatError(Errors.forException(e));
        }
        if (request.generationId() != group.generationId()) {
            return heartbeatError(Errors.ILLEGAL_GENERATION);
        }
        GroupMember member = group.member(request.memberId());
        return switch (group.state()) {
            case EMPTY -> heartbeatError(Errors.UNKNOWN_MEMBER_ID);
            case PREPARING_REBALANCE -> {
                rebalancer.scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
                yield heartbeatError(Errors.REBALANCE_IN_PROGRESS);
            }
            case COMPLETING_REBALANCE, STABLE -> {
                // Clients may heartbeat between their JoinGroup and SyncGroup responses.
                rebalancer.scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
                yield new HeartbeatResponseData();
            }
            case DEAD -> heartbeatError(Errors.COORDINATOR_NOT_AVAILABLE);
        };
    }

    // ---- LeaveGroup ----

    /**
     * Removes members (by member id, or by instance id alone for an administrative removal of a
     * static member) and rebalances the rest.
     *
     * @return the per-member results, or a group-level error with no results
     */
    LeaveResult leave(String groupId, List<MemberIdentity> identities) {
        if (groupId == null || groupId.isEmpty()) {
            return new LeaveResult(Errors.INVALID_GROUP_ID, List.of());
        }
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null) {
            return new LeaveResult(Errors.UNKNOWN_MEMBER_ID, List.of());
        }
        if (group.isInState(GroupState.DEAD)) {
            return new LeaveResult(Errors.COORDINATOR_NOT_AVAILABLE, List.of());
        }
        List<MemberResponse> responses = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (MemberIdentity identity : identities) {
            String memberId = identity.memberId() == null ? "" : identity.memberId();
            String instanceId = identity.groupInstanceId();
            MemberResponse response = new MemberResponse().setMemberId(memberId).setGroupInstanceId(instanceId);
            responses.add(response);
            if (memberId.isEmpty()) {
                String staticMemberId = instanceId == null ? null : group.staticMemberId(instanceId);
                if (staticMemberId == null) {
                    response.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code());
                } else {
                    rebalancer.dropMember(group, group.member(staticMemberId));
                    left.add(staticMemberId);
                }
            } else if (group.isPendingMember(memberId)) {
                group.removePendingMember(memberId);
                rebalancer.cancelHeartbeatExpiry(groupId, memberId);
                left.add(memberId);
            } else {
                try {
                    group.validateMember(memberId, instanceId);
                    rebalancer.dropMember(group, group.member(memberId));
                    left.add(memberId);
                } catch (ApiException e) {
                    response.setErrorCode(Errors.forException(e).code());
                }
            }
        }
        if (!left.isEmpty()) {
            LOG.infof("Members %s left group %s", left, groupId);
            String reason = "members " + left + " left";
            switch (group.state()) {
                case STABLE, COMPLETING_REBALANCE -> rebalancer.maybePrepareRebalanceOrCompleteJoin(group, reason);
                case PREPARING_REBALANCE -> rebalancer.maybeCompleteJoinPhase(group);
                default -> {
                }
            }
        }
        return new LeaveResult(Errors.NONE, responses);
    }

    /** The outcome of a LeaveGroup: a group-level error, or NONE and one response per member. */
    record LeaveResult(Errors error, List<MemberResponse> members) {
    }

    // ---- helpers ----

    private void whenDone(CompletableFuture<Void> stored, java.util.function.Consumer<Throwable> action) {
        if (stored.isDone()) {
            action.accept(stored.isCompletedExceptionally() ? exceptionOf(stored) : null);
        } else {
            stored.whenCompleteAsync((ignored, error) -> action.accept(error), runtime.executor());
        }
    }

    private static Throwable exceptionOf(CompletableFuture<Void> future) {
        try {
            future.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private static int rebalanceTimeoutMs(JoinGroupRequestData request) {
        // JoinGroup v0 has no rebalance timeout: the session timeout serves.
        return request.rebalanceTimeoutMs() < 0 ? request.sessionTimeoutMs() : request.rebalanceTimeoutMs();
    }

    private static List<GroupMember.Protocol> protocols(JoinGroupRequestData request) {
        List<GroupMember.Protocol> protocols = new ArrayList<>();
        request.protocols().forEach(p -> protocols.add(new GroupMember.Protocol(p.name(), p.metadata())));
        return protocols;
    }

    private static List<String> protocolNames(JoinGroupRequestData request) {
        List<String> names = new ArrayList<>();
        request.protocols().forEach(p -> names.add(p.name()));
        return names;
    }

    private static HeartbeatResponseData heartbeatError(Errors error) {
        return new HeartbeatResponseData().setErrorCode(error.code());
    }
}
