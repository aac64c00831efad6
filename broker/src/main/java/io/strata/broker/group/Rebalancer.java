package io.strata.broker.group;

import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.GroupKey;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * The rebalance of a classic group and the timers that drive it: the join phase (with the delayed
 * first rebalance of an empty group), the sync phase, and the session timeouts of members. It
 * answers the JoinGroup and SyncGroup requests a rebalance parked, and stores the group when it
 * becomes empty. Follows Kafka's classic group coordinator step by step; coordinator thread only.
 */
final class Rebalancer {

    private static final Logger LOG = Logger.getLogger(Rebalancer.class);

    private final CoordinatorRuntime runtime;
    private final GroupStore store;

    Rebalancer(CoordinatorRuntime runtime) {
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

    /** The JoinGroup response of the group's current generation; the leader's carries every member's metadata. */
    static JoinGroupResponseData currentGeneration(ClassicGroup group, String memberId, boolean withMembers) {
        return new JoinGroupResponseData()
                .setMembers(withMembers ? group.joinResponseMembers() : new ArrayList<>())
                .setMemberId(memberId)
                .setGenerationId(group.generationId())
                .setProtocolName(group.protocolName())
                .setProtocolType(group.protocolType())
                .setLeader(group.leaderId() == null ? "" : group.leaderId())
                .setSkipAssignment(false);
    }

    // ---- join phase ----

    void maybePrepareRebalanceOrCompleteJoin(ClassicGroup group, String reason) {
        if (group.canRebalance()) {
            prepareRebalance(group, reason);
        } else {
            maybeCompleteJoinPhase(group);
        }
    }

    /** Completes the join phase once everyone rejoined, except in the delayed first rebalance of a group. */
    void maybeCompleteJoinPhase(ClassicGroup group) {
        if (group.isInState(GroupState.PREPARING_REBALANCE) && group.hasAllMembersJoined()
                && group.previousState() != GroupState.EMPTY) {
            completeJoin(group);
        }
    }

    void prepareRebalance(ClassicGroup group, String reason) {
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
            if (!member.join().isParked() && !member.isStatic()) {
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
            member.join().complete(currentGeneration(group, member.memberId(), group.isLeader(member.memberId()))
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

    void cancelHeartbeatExpiry(String groupId, String memberId) {
        runtime.cancel(heartbeatKey(groupId, memberId));
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
    void dropMember(ClassicGroup group, GroupMember member) {
        member.join().complete(joinError("", Errors.UNKNOWN_MEMBER_ID));
        member.sync().complete(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
        cancelHeartbeatExpiry(group.groupId(), member.memberId());
        group.remove(member.memberId());
    }

    // ---- sync phase ----

    /** Answers every member waiting in SyncGroup: its assignment, or {@code error}. */
    void propagateAssignment(ClassicGroup group, Errors error) {
        for (GroupMember member : group.members()) {
            SyncGroupResponseData response = error == Errors.NONE
                    ? new SyncGroupResponseData().setProtocolType(group.protocolType())
                            .setProtocolName(group.protocolName()).setAssignment(member.assignment())
                    : syncError(error);
            if (member.sync().complete(response)) {
                // Its session was on hold while it waited; it starts again now.
                scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
            }
        }
    }

    void removePendingSyncMember(ClassicGroup group, String memberId) {
        group.removePendingSyncMember(memberId);
        if (group.hasReceivedSyncFromAllMembers()) {
            runtime.cancel(syncKey(group.groupId()));
        }
    }

    // ---- other events of a group ----

    /** An offset commit of a member keeps its session alive, as in Kafka. */
    void onCommit(ClassicGroup group, String memberId) {
        GroupMember member = group.member(memberId);
        if (member != null && (group.isInState(GroupState.STABLE) || group.isInState(GroupState.PREPARING_REBALANCE))) {
            scheduleHeartbeatExpiry(group, memberId, member.sessionTimeoutMs());
        }
    }

    /** Schedules the session timeouts of members a coordinator loaded from the log. */
    void onLoaded(ClassicGroup group) {
        for (GroupMember member : group.members()) {
            scheduleHeartbeatExpiry(group, member.memberId(), member.sessionTimeoutMs());
        }
    }

    /**
     * This broker no longer coordinates the group: its timers go, and members waiting in a JoinGroup or
     * SyncGroup are answered NOT_COORDINATOR, so they find the new coordinator at once.
     */
    void onUnloaded(ClassicGroup group) {
        onDeleted(group);
        for (GroupMember member : group.members()) {
            runtime.cancel(heartbeatKey(group.groupId(), member.memberId()));
            member.join().complete(joinError(member.memberId(), Errors.NOT_COORDINATOR));
            member.sync().complete(syncError(Errors.NOT_COORDINATOR));
        }
    }

    /** The group was deleted: its timers go. */
    void onDeleted(ClassicGroup group) {
        runtime.cancel(joinKey(group.groupId()));
        runtime.cancel(syncKey(group.groupId()));
    }

    // ---- error responses ----

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
}
