package io.strata.broker.group;

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

/**
 * The classic group protocol: JoinGroup, SyncGroup, Heartbeat and LeaveGroup, the rebalance they
 * drive and the session, join and sync timers. Follows Kafka's classic group coordinator step by
 * step; runs on the coordinator thread only.
 */
final class Membership {

    private static final Logger LOG = Logger.getLogger(Membership.class);

    private final CoordinatorRuntime runtime;
    private final GroupStore store;

    Membership(CoordinatorRuntime runtime) {
        this.runtime = runtime;
        this.store = runtime.store();
    }

    // ---- timer keys ----

    private static String heartbeatKey(String groupId, String memberId) {
        return "heartbeat\u0000" + groupId + "\u0000" + memberId;
    }

    private static String joinKey(String groupId) {
        return "join\u0000" + groupId;
    }

    private static String syncKey(String groupId) {
        return "sync\u0000" + groupId;
    }

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
        ClassicGroup group = store.group(groupId);
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
                future.complete(joinError(memberId, CoordinatorRuntime.appendError(e)));
                return;
            }
            group = store.group(groupId);
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
            scheduleHeartbeatExpiry(group, newMemberId, request.sessionTimeoutMs());
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
                    future.complete(currentGeneration(group, memberId, group.isLeader(memberId)));
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
                    future.complete(currentGeneration(group, memberId, false));
                }
            }
            default -> future.complete(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private JoinGroupResponseData currentGeneration(ClassicGroup group, String memberId, boolean withMembers) {
        return new JoinGroupResponseData()
                .setMembers(withMembers ? group.joinResponseMembers() : new ArrayList<>())
                .setMemberId(memberId)
                .setGenerationId(group.generationId())
                .setProtocolName(group.protocolName())
                .setProtocolType(group.protocolType())
                .setLeader(group.leaderId() == null ? "" : group.leaderId())
                .setSkipAssignment(false);
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
        member.setJoinFuture(future);
        // A new member cannot heartbeat yet; its join is bounded by this timeout instead.
        scheduleHeartbeatExpiry(group, memberId, runtime.config().newMemberJoinTimeoutMs());
        maybePrepareRebalanceOrCompleteJoin(group, "new member " + memberId + " joins");
    }

    private void updateMemberThenRebalanceOrCompleteJoin(JoinGroupRequestData request, ClassicGroup group,
                                                         GroupMember member,
                                                         CompletableFuture<JoinGroupResponseData> future,
                                                         String reason) {
        member.update(protocols(request), rebalanceTimeoutMs(request), request.sessionTimeoutMs());
        parkJoin(group, member, future);
        maybePrepareRebalanceOrCompleteJoin(group, reason);
    }

    /** Parks a JoinGroup response; a response parked before for the same member is answered first. */
    private void parkJoin(ClassicGroup group, GroupMember member, CompletableFuture<JoinGroupResponseData> future) {
        group.completeJoin(member, joinError(member.memberId(), Errors.REBALANCE_IN_PROGRESS));
        member.setJoinFuture(future);
    }

    private void updateStaticMemberThenRebalanceOrCompleteJoin(ClientContext client, JoinGroupRequestData request,
                                                               ClassicGroup group, String oldMemberId,
                                                               String newMemberId,
                                                               CompletableFuture<JoinGroupResponseData> future) {
        String instanceId = request.groupInstanceId();
        String currentLeader = group.leaderId();
        GroupMember member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
        runtime.cancel(heartbeatKey(group.groupId(), oldMemberId));
        scheduleHeartbeatExpiry(group, newMemberId, member.sessionTimeoutMs());
        List<GroupMember.Protocol> oldProtocols = member.protocols();
        int oldRebalanceTimeoutMs = member.rebalanceTimeoutMs();
        int oldSessionTimeoutMs = member.sessionTimeoutMs();
        member.update(protocols(request), rebalanceTimeoutMs(request), request.sessionTimeoutMs());
        member.setJoinFuture(future);

        switch (group.state()) {
            case STABLE -> {
                if (!group.selectProtocol().equals(group.protocolName())) {
                    maybePrepareRebalanceOrCompleteJoin(group, "static member " + instanceId
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
                    member.setJoinFuture(null);
                    member.update(oldProtocols, oldRebalanceTimeoutMs, oldSessionTimeoutMs);
                    GroupMember old = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
                    runtime.cancel(heartbeatKey(group.groupId(), newMemberId));
                    scheduleHeartbeatExpiry(group, oldMemberId, old.sessionTimeoutMs());
                    future.complete(joinError("", CoordinatorRuntime.appendError(e)));
                    return;
                }
                int generation = group.generationId();
                whenDone(stored, error -> {
                    if (group.generationId() != generation || !group.hasMember(newMemberId)) {
                        group.completeJoin(member, joinError(newMemberId, Errors.REBALANCE_IN_PROGRESS));
                    } else if (error != null) {
                        group.completeJoin(member, joinError(newMemberId, CoordinatorRuntime.appendError(error)));
                    } else if (JoinGroupRequest.supportsSkippingAssignment(client.apiVersion())) {
                        boolean leader = group.isLeader(newMemberId);
                        group.completeJoin(member, currentGeneration(group, newMemberId, leader).setSkipAssignment(leader));
                    } else {
                        // Older clients must not reassign: they are told the old leader id, so they act as followers.
                        group.completeJoin(member, currentGeneration(group, newMemberId, false)
                                .setLeader(currentLeader == null ? "" : currentLeader));
                    }
                });
            }
            case COMPLETING_REBALANCE ->
                // The leader may already be assigning with the old member id: rebalance again.
                    prepareRebalance(group, "static member " + instanceId + " rejoins during CompletingRebalance");
            case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group);
            default -> group.completeJoin(member, joinError(newMemberId, Errors.UNKNOWN_MEMBER_ID));
        }
    }

    private void maybePrepareRebalanceOrCompleteJoin(ClassicGroup group, String reason) {
        if (group.canRebalance()) {
            prepareRebalance(group, reason);
        } else {
            maybeCompleteJoinPhase(group);
        }
    }

    /** Completes the join phase once everyone rejoined, except in the delayed first rebalance of a group. */
    private void maybeCompleteJoinPhase(ClassicGroup group) {
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && group.previousState() != GroupState.EMPTY) {
            completeJoin(group);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        // Members waiting for their assignment (or for it to be stored) must rejoin instead.
        propagateAssignment(group, Errors.REBALANCE_IN_PROGRESS);
        group.clearPendingSyncMembers();
        runtime.cancel(syncKey(group.groupId()));

        boolean initialRebalance = group.isInState(GroupState.EMPTY);
        if (initialRebalance) {
            int delayMs = runtime.config().initialRebalanceDelayMs();
            int remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
            runtime.schedule(joinKey(group.groupId()), delayMs,
                    () -> tryCompleteInitialRebalanceElseSchedule(group, delayMs, remainingMs));
        }
        group.transitionTo(GroupState.PREPARING_REBALANCE, runtime.now());
        LOG.infof("Preparing to rebalance group %s with old generation %d (reason: %s)", group.groupId(),
                group.generationId(), reason);
        if (!initialRebalance) {
            if (group.hasAllMembersJoined()) {
                completeJoin(group);
            } else {
                runtime.schedule(joinKey(group.groupId()), group.rebalanceTimeoutMs(), () -> completeJoin(group));
            }
        }
    }

    /** The first rebalance of a group waits while members keep arriving, up to the rebalance timeout. */
    private void tryCompleteInitialRebalanceElseSchedule(ClassicGroup group, int delayMs, int remainingMs) {
        if (group.isInState(GroupState.DEAD)) {
            return;
        }
        if (group.newMemberAdded() && remainingMs != 0) {
            group.setNewMemberAdded(false);
            int nextDelayMs = Math.min(runtime.config().initialRebalanceDelayMs(), remainingMs);
            int nextRemainingMs = Math.max(remainingMs - delayMs, 0);
            runtime.schedule(joinKey(group.groupId()), nextDelayMs,
                    () -> tryCompleteInitialRebalanceElseSchedule(group, nextDelayMs, nextRemainingMs));
        } else {
            completeJoin(group);
        }
    }

    /**
     * Ends the join phase: dynamic members that did not rejoin are dropped, the next generation
     * starts and every joined member gets its JoinGroup response (the leader with all members'
     * metadata). A group left without members stores its empty next generation.
     */
    private void completeJoin(ClassicGroup group) {
        runtime.cancel(joinKey(group.groupId()));
        if (group.isInState(GroupState.DEAD) || !group.isInState(GroupState.PREPARING_REBALANCE)) {
            return;
        }
        List<String> dropped = new ArrayList<>();
        for (GroupMember member : new ArrayList<>(group.members())) {
            if (!member.isAwaitingJoin() && !member.isStatic()) {
                dropMember(group, member);
                dropped.add(member.memberId());
            }
        }
        if (!dropped.isEmpty()) {
            LOG.infof("Group %s removed dynamic members that did not rejoin: %s", group.groupId(), dropped);
        }
        if (!group.maybeElectNewJoinedLeader() && group.size() > 0) {
            // Nobody rejoined; wait for the session timeouts to remove the silent members.
            runtime.schedule(joinKey(group.groupId()), group.rebalanceTimeoutMs(), () -> completeJoin(group));
            return;
        }
        if (group.size() == 0) {
            CoordinatorRecord record = new CoordinatorRecord(new GroupKey(group.groupId()), group.toEmptyValue(runtime.now()));
            try {
                runtime.write(group.groupId(), List.of(record));
            } catch (RuntimeException e) {
                // As in Kafka the group becomes empty anyway; a restart before the next rebalance finds the
                // previous generation, whose members have long gone.
                LOG.warnf("Group %s is empty but storing that failed: %s", group.groupId(), e.getMessage());
                store.replay(record);
            }
            LOG.infof("Group %s with generation %d is now empty", group.groupId(), group.generationId());
            return;
        }
        group.initNextGeneration(runtime.now());
        LOG.infof("Stabilized group %s generation %d (protocol %s) with %d member(s)", group.groupId(),
                group.generationId(), group.protocolName(), group.size());
        for (GroupMember member : group.members()) {
            group.completeJoin(member, currentGeneration(group, member.memberId(), group.isLeader(member.memberId()))
                    .setErrorCode(Errors.NONE.code()));
            scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
            member.setNew(false);
            group.addPendingSyncMember(member.memberId());
        }
        int generation = group.generationId();
        runtime.schedule(syncKey(group.groupId()), group.rebalanceTimeoutMs(), () -> expirePendingSync(group, generation));
    }

    /** Members that did not send SyncGroup within the rebalance timeout are removed, and the group rebalances. */
    private void expirePendingSync(ClassicGroup group, int generation) {
        if (generation != group.generationId()) {
            return;
        }
        if ((group.isInState(GroupState.COMPLETING_REBALANCE) || group.isInState(GroupState.STABLE))
                && !group.hasReceivedSyncFromAllMembers()) {
            List<String> pending = new ArrayList<>(group.pendingSyncMembers());
            for (String memberId : pending) {
                GroupMember member = group.member(memberId);
                if (member != null) {
                    dropMember(group, member);
                }
            }
            LOG.infof("Group %s removed members that did not send SyncGroup: %s", group.groupId(), pending);
            prepareRebalance(group, "members " + pending + " did not sync");
        }
    }

    // ---- session timeouts ----

    void scheduleHeartbeatExpiry(ClassicGroup group, String memberId, long timeoutMs) {
        runtime.schedule(heartbeatKey(group.groupId(), memberId), timeoutMs, () -> expireHeartbeat(group, memberId));
    }

    private void expireHeartbeat(ClassicGroup group, String memberId) {
        if (group.isInState(GroupState.DEAD)) {
            return;
        }
        if (group.isPendingMember(memberId)) {
            LOG.infof("Pending member %s of group %s did not rejoin within its session timeout", memberId, group.groupId());
            group.removePendingMember(memberId);
            if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
                completeJoin(group);
            }
            return;
        }
        GroupMember member = group.member(memberId);
        if (member != null && !member.hasSatisfiedHeartbeat()) {
            LOG.infof("Member %s of group %s failed its session timeout; removing it", memberId, group.groupId());
            removeMemberAndUpdateGroup(group, member, "member " + memberId + " failed its session timeout");
        }
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, GroupMember member, String reason) {
        dropMember(group, member);
        if (group.isInState(GroupState.STABLE) || group.isInState(GroupState.COMPLETING_REBALANCE)) {
            maybePrepareRebalanceOrCompleteJoin(group, reason);
        } else if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()) {
            completeJoin(group);
        }
    }

    /** Removes a member; a response it still waits for tells it to join again. */
    private void dropMember(ClassicGroup group, GroupMember member) {
        group.completeJoin(member, joinError("", Errors.UNKNOWN_MEMBER_ID));
        group.completeSync(member, new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        runtime.cancel(heartbeatKey(group.groupId(), member.memberId()));
        group.remove(member.memberId());
    }

    // ---- SyncGroup ----

    void sync(SyncGroupRequestData request, CompletableFuture<SyncGroupResponseData> future) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            future.complete(syncError(Errors.INVALID_GROUP_ID));
            return;
        }
        ClassicGroup group = store.group(groupId);
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
                group.completeSync(member, syncError(Errors.REBALANCE_IN_PROGRESS));
                member.setSyncFuture(future);
                removePendingSyncMember(group, memberId);
                if (group.isLeader(memberId)) {
                    storeAssignment(group, request);
                }
            }
            case STABLE -> {
                removePendingSyncMember(group, memberId);
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
            propagateAssignment(group, CoordinatorRuntime.appendError(e));
            maybePrepareRebalanceOrCompleteJoin(group, "storing the assignment failed");
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
                propagateAssignment(group, CoordinatorRuntime.appendError(error));
            } else {
                propagateAssignment(group, Errors.NONE);
            }
        });
    }

    /** Answers every member waiting in SyncGroup: its assignment, or {@code error}. */
    private void propagateAssignment(ClassicGroup group, Errors error) {
        for (GroupMember member : group.members()) {
            SyncGroupResponseData response = error == Errors.NONE
                    ? new SyncGroupResponseData().setProtocolType(group.protocolType())
                            .setProtocolName(group.protocolName()).setAssignment(member.assignment())
                    : syncError(error);
            if (group.completeSync(member, response)) {
                // Its session was on hold while it waited; it starts again now.
                scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
            }
        }
    }

    private void removePendingSyncMember(ClassicGroup group, String memberId) {
        group.removePendingSyncMember(memberId);
        if (group.hasReceivedSyncFromAllMembers()) {
            runtime.cancel(syncKey(group.groupId()));
        }
    }

    // ---- Heartbeat ----

    HeartbeatResponseData heartbeat(HeartbeatRequestData request) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            return heartbeatError(Errors.INVALID_GROUP_ID);
        }
        ClassicGroup group = store.group(groupId);
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
                scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
                yield heartbeatError(Errors.REBALANCE_IN_PROGRESS);
            }
            case COMPLETING_REBALANCE, STABLE -> {
                // Clients may heartbeat between their JoinGroup and SyncGroup responses.
                scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
                yield new HeartbeatResponseData();
            }
            case DEAD -> heartbeatError(Errors.COORDINATOR_NOT_AVAILABLE);
        };
    }

    /** An offset commit of a member keeps its session alive, as in Kafka. */
    void onCommit(ClassicGroup group, String memberId) {
        GroupMember member = group.member(memberId);
        if (member != null && (group.isInState(GroupState.STABLE) || group.isInState(GroupState.PREPARING_REBALANCE))) {
            scheduleHeartbeatExpiry(group, memberId, member.sessionTimeoutMs());
        }
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
        ClassicGroup group = store.group(groupId);
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
                    dropMember(group, group.member(staticMemberId));
                    left.add(staticMemberId);
                }
            } else if (group.isPendingMember(memberId)) {
                group.removePendingMember(memberId);
                runtime.cancel(heartbeatKey(groupId, memberId));
                left.add(memberId);
            } else {
                try {
                    group.validateMember(memberId, instanceId);
                    dropMember(group, group.member(memberId));
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
                case STABLE, COMPLETING_REBALANCE -> maybePrepareRebalanceOrCompleteJoin(group, reason);
                case PREPARING_REBALANCE -> maybeCompleteJoinPhase(group);
                default -> {
                }
            }
        }
        return new LeaveResult(Errors.NONE, responses);
    }

    /** The outcome of a LeaveGroup: a group-level error, or NONE and one response per member. */
    record LeaveResult(Errors error, List<MemberResponse> members) {
    }

    /** Schedules the session timeouts of members a coordinator loaded from the log. */
    void onLoaded(ClassicGroup group) {
        for (GroupMember member : group.members()) {
            scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
        }
    }

    /** The group was deleted: its timers go. */
    void onDeleted(ClassicGroup group) {
        runtime.cancel(joinKey(group.groupId()));
        runtime.cancel(syncKey(group.groupId()));
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

    static JoinGroupResponseData joinError(String memberId, Errors error) {
        return new JoinGroupResponseData()
                .setMemberId(memberId)
                .setGenerationId(JoinGroupRequest.UNKNOWN_GENERATION_ID)
                .setProtocolName(null)
                .setProtocolType(null)
                .setLeader("")
                .setErrorCode(error.code());
    }

    static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }

    private static HeartbeatResponseData heartbeatError(Errors error) {
        return new HeartbeatResponseData().setErrorCode(error.code());
    }
}
