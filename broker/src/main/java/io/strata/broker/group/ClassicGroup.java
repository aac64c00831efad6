package io.strata.broker.group;

import io.strata.broker.group.GroupRecords.GroupValue;
import io.strata.broker.group.GroupRecords.MemberValue;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A classic group: its generation, protocol, leader and members, plus the bookkeeping of a
 * rebalance in progress. Confined to the coordinator thread.
 *
 * <p>What is durable — generation, protocol type and name, leader, members with their assignments,
 * and the Empty or Stable state that follows a stored generation — changes only through
 * {@link #apply(GroupValue, long)}, which replays a group metadata record. Joining members, pending
 * JoinGroup and SyncGroup responses and the in-memory steps of a rebalance (PreparingRebalance,
 * CompletingRebalance with its new generation) live only here, as in Kafka: a coordinator that
 * reloads the group from its records sees the last stored generation, and members of a newer one
 * simply rejoin.
 */
final class ClassicGroup {

    private final String groupId;
    private GroupState state = GroupState.EMPTY;
    private GroupState previousState = GroupState.DEAD;
    private long stateTimestamp;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private int generationId;
    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingJoinMembers = new HashSet<>();
    private final Set<String> pendingSyncMembers = new HashSet<>();
    private boolean newMemberAdded;
    /** Topics the consumer members subscribe to; {@code null} when not known. */
    private Set<String> subscribedTopics;

    ClassicGroup(String groupId, long now) {
        this.groupId = groupId;
        this.stateTimestamp = now;
    }

    // ---- replay ----

    /**
     * Makes the group what a stored record says: its generation, protocol, leader and members with
     * their assignments, Stable with members or Empty without. Members already here keep their
     * parked responses and protocols; members the record does not name are dropped.
     */
    void apply(GroupValue value, long now) {
        generationId = value.generation();
        protocolType = value.protocolType() == null || value.protocolType().isEmpty() ? null : value.protocolType();
        protocolName = value.protocol();
        Set<String> named = new HashSet<>();
        value.members().forEach(stored -> named.add(stored.memberId()));
        // Dropped first: a static member's replacement takes over its instance id below.
        for (String memberId : new ArrayList<>(members.keySet())) {
            if (!named.contains(memberId)) {
                remove(memberId);
            }
        }
        for (MemberValue stored : value.members()) {
            GroupMember member = members.get(stored.memberId());
            if (member == null) {
                member = new GroupMember(stored.memberId(), stored.groupInstanceId(), stored.clientId(),
                        stored.clientHost(), stored.rebalanceTimeoutMs(), stored.sessionTimeoutMs(), protocolType,
                        List.of(new GroupMember.Protocol(value.protocol(), stored.subscription())));
                members.put(member.memberId(), member);
                if (member.isStatic()) {
                    staticMembers.put(member.groupInstanceId(), member.memberId());
                }
            }
            member.setAssignment(stored.assignment());
        }
        leaderId = value.leader() != null && members.containsKey(value.leader()) ? value.leader() : null;
        if (leaderId == null && !members.isEmpty()) {
            leaderId = members.keySet().iterator().next();
        }
        GroupState next = members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
        if (state != next) {
            previousState = state;
            state = next;
        }
        stateTimestamp = value.stateTimestamp() >= 0 ? value.stateTimestamp() : now;
        subscribedTopics = computeSubscribedTopics();
    }

    /** The record that stores this group with {@code assignments} (member id to assignment bytes). */
    GroupValue toValue(Map<String, byte[]> assignments, long now) {
        List<MemberValue> stored = new ArrayList<>(members.size());
        for (GroupMember member : members.values()) {
            stored.add(new MemberValue(member.memberId(), member.groupInstanceId(), member.clientId(),
                    member.clientHost(), member.rebalanceTimeoutMs(), member.sessionTimeoutMs(),
                    member.metadata(protocolName), assignments.getOrDefault(member.memberId(), GroupMember.EMPTY_ASSIGNMENT)));
        }
        return new GroupValue(protocolType == null ? "" : protocolType, generationId, protocolName, leaderId, now, stored);
    }

    /** The record of this group once a rebalance found no members: the next generation, empty. */
    GroupValue toEmptyValue(long now) {
        return new GroupValue(protocolType == null ? "" : protocolType, generationId + 1, null, null, now, List.of());
    }

    // ---- state ----

    String groupId() {
        return groupId;
    }

    GroupState state() {
        return state;
    }

    GroupState previousState() {
        return previousState;
    }

    boolean isInState(GroupState value) {
        return state == value;
    }

    long stateTimestamp() {
        return stateTimestamp;
    }

    void transitionTo(GroupState next, long now) {
        if (!state.validNextStates().contains(next)) {
            throw new IllegalStateException("Group " + groupId + " cannot move from " + state + " to " + next);
        }
        moveTo(next, now);
    }

    /** Deleted: whoever still holds the group sees it is gone. */
    void markDead(long now) {
        moveTo(GroupState.DEAD, now);
    }

    private void moveTo(GroupState next, long now) {
        previousState = state;
        state = next;
        stateTimestamp = now;
    }

    boolean canRebalance() {
        return state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE || state == GroupState.EMPTY;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderId() {
        return leaderId;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    boolean usesConsumerProtocol() {
        return ConsumerProtocol.PROTOCOL_TYPE.equals(protocolType);
    }

    boolean newMemberAdded() {
        return newMemberAdded;
    }

    void setNewMemberAdded(boolean value) {
        newMemberAdded = value;
    }

    // ---- members ----

    boolean hasMember(String memberId) {
        return members.containsKey(memberId);
    }

    GroupMember member(String memberId) {
        return members.get(memberId);
    }

    Collection<GroupMember> members() {
        return members.values();
    }

    int size() {
        return members.size();
    }

    String staticMemberId(String groupInstanceId) {
        return staticMembers.get(groupInstanceId);
    }

    void add(GroupMember member) {
        if (member.isStatic()) {
            if (staticMembers.containsKey(member.groupInstanceId())) {
                throw new IllegalStateException("static member " + member.groupInstanceId() + " is already in " + groupId);
            }
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        if (leaderId == null) {
            leaderId = member.memberId();
        }
        members.put(member.memberId(), member);
        pendingJoinMembers.remove(member.memberId());
    }

    void remove(String memberId) {
        GroupMember removed = members.remove(memberId);
        if (removed != null && removed.isStatic()) {
            // Only if the instance id still points here: it may already belong to the member's replacement.
            staticMembers.remove(removed.groupInstanceId(), memberId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
        pendingJoinMembers.remove(memberId);
        pendingSyncMembers.remove(memberId);
    }

    /**
     * A static member rejoined with a new member id: the old id is fenced (its parked responses
     * fail with FENCED_INSTANCE_ID) and the member continues under the new one.
     */
    GroupMember replaceStaticMember(String groupInstanceId, String oldMemberId, String newMemberId) {
        GroupMember old = members.remove(oldMemberId);
        if (old == null) {
            throw new IllegalArgumentException("no member " + oldMemberId + " to replace in " + groupId);
        }
        old.join().complete(new JoinGroupResponseData().setMemberId(oldMemberId).setProtocolName(null)
                .setProtocolType(null).setLeader("").setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        old.sync().complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        GroupMember replacement = old.withMemberId(newMemberId);
        members.put(newMemberId, replacement);
        if (oldMemberId.equals(leaderId)) {
            leaderId = newMemberId;
        }
        staticMembers.put(groupInstanceId, newMemberId);
        return replacement;
    }

    /**
     * Checks that the member exists and, for a static member, that the instance id is this member's.
     *
     * @throws UnknownMemberIdException  the member (or the instance id) is not in the group
     * @throws FencedInstanceIdException the instance id belongs to another member id
     */
    void validateMember(String memberId, String groupInstanceId) {
        if (groupInstanceId != null) {
            String current = staticMembers.get(groupInstanceId);
            if (current == null) {
                throw new UnknownMemberIdException("Unknown static member " + groupInstanceId + " in group " + groupId);
            }
            if (!current.equals(memberId)) {
                throw new FencedInstanceIdException("Static member " + groupInstanceId + " of group " + groupId
                        + " is now member " + current + ", not " + memberId);
            }
        }
        if (!members.containsKey(memberId)) {
            throw new UnknownMemberIdException("Unknown member " + memberId + " in group " + groupId);
        }
    }

    boolean isPendingMember(String memberId) {
        return pendingJoinMembers.contains(memberId);
    }

    void addPendingMember(String memberId) {
        pendingJoinMembers.add(memberId);
    }

    void removePendingMember(String memberId) {
        pendingJoinMembers.remove(memberId);
    }

    void addPendingSyncMember(String memberId) {
        pendingSyncMembers.add(memberId);
    }

    void removePendingSyncMember(String memberId) {
        pendingSyncMembers.remove(memberId);
    }

    boolean hasReceivedSyncFromAllMembers() {
        return pendingSyncMembers.isEmpty();
    }

    Set<String> pendingSyncMembers() {
        return pendingSyncMembers;
    }

    void clearPendingSyncMembers() {
        pendingSyncMembers.clear();
    }

    boolean hasAllMembersJoined() {
        return pendingJoinMembers.isEmpty() && members.values().stream().allMatch(member -> member.join().isParked());
    }

    int rebalanceTimeoutMs() {
        return members.values().stream().mapToInt(GroupMember::rebalanceTimeoutMs).max().orElse(0);
    }

    String generateMemberId(String clientId, String groupInstanceId) {
        return (groupInstanceId != null ? groupInstanceId : clientId) + "-" + UUID.randomUUID();
    }

    /**
     * The leader must be a member that rejoined; if it did not, another that did takes over.
     *
     * @return whether the group has a leader that rejoined
     */
    boolean maybeElectNewJoinedLeader() {
        if (leaderId == null) {
            return false;
        }
        GroupMember leader = members.get(leaderId);
        if (leader != null && leader.join().isParked()) {
            return true;
        }
        for (GroupMember member : members.values()) {
            if (member.join().isParked()) {
                leaderId = member.memberId();
                return true;
            }
        }
        return false;
    }

    // ---- protocols ----

    /**
     * Whether a member with these protocols fits: in an empty group any non-empty protocol type and
     * list does; otherwise the type must be the group's and one protocol supported by all members.
     */
    boolean supportsProtocols(String memberProtocolType, Collection<String> memberProtocols) {
        if (state == GroupState.EMPTY) {
            return memberProtocolType != null && !memberProtocolType.isEmpty() && !memberProtocols.isEmpty();
        }
        if (protocolType == null || !protocolType.equals(memberProtocolType)) {
            return false;
        }
        return memberProtocols.stream().anyMatch(name ->
                members.values().stream().allMatch(member -> member.supports(name)));
    }

    /** The protocol the members vote for among those all of them support. */
    String selectProtocol() {
        if (members.isEmpty()) {
            throw new IllegalStateException("cannot select a protocol for the empty group " + groupId);
        }
        Set<String> candidates = new HashSet<>();
        for (GroupMember.Protocol protocol : members.values().iterator().next().protocols()) {
            if (members.values().stream().allMatch(member -> member.supports(protocol.name()))) {
                candidates.add(protocol.name());
            }
        }
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (GroupMember member : members.values()) {
            votes.merge(member.vote(candidates), 1, Integer::sum);
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    /**
     * Starts the next generation after a join phase: selects the protocol and moves to
     * CompletingRebalance. Only for a group with members; an empty one goes through its record.
     */
    void initNextGeneration(long now) {
        if (members.isEmpty()) {
            throw new IllegalStateException("an empty group's next generation is stored, not initialised: " + groupId);
        }
        generationId++;
        protocolName = selectProtocol();
        subscribedTopics = computeSubscribedTopics();
        transitionTo(GroupState.COMPLETING_REBALANCE, now);
        pendingSyncMembers.clear();
    }

    /** Whether a member of this group consumes {@code topic} (OffsetDelete may not delete its offsets). */
    boolean isSubscribedToTopic(String topic) {
        return subscribedTopics != null ? subscribedTopics.contains(topic) : usesConsumerProtocol();
    }

    private Set<String> computeSubscribedTopics() {
        if (!usesConsumerProtocol()) {
            return null;
        }
        if (members.isEmpty()) {
            return Set.of();
        }
        if (protocolName == null) {
            return null;
        }
        Set<String> topics = new HashSet<>();
        try {
            for (GroupMember member : members.values()) {
                ByteBuffer buffer = ByteBuffer.wrap(member.metadata(protocolName));
                ConsumerProtocol.deserializeVersion(buffer);
                // Version 0 is a prefix of every version, so newer clients parse too.
                topics.addAll(ConsumerProtocol.deserializeConsumerProtocolSubscription(buffer, (short) 0).topics());
            }
        } catch (RuntimeException e) {
            return null;
        }
        return topics;
    }

    // ---- responses ----

    /** The members as the leader's JoinGroup response lists them, with their metadata for the selected protocol. */
    List<JoinGroupResponseData.JoinGroupResponseMember> joinResponseMembers() {
        List<JoinGroupResponseData.JoinGroupResponseMember> result = new ArrayList<>(members.size());
        for (GroupMember member : members.values()) {
            result.add(new JoinGroupResponseData.JoinGroupResponseMember()
                    .setMemberId(member.memberId())
                    .setGroupInstanceId(member.groupInstanceId())
                    .setMetadata(member.metadata(protocolName)));
        }
        return result;
    }
}
