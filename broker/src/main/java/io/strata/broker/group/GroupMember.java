package io.strata.broker.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A member of a classic group, with the JoinGroup and SyncGroup responses it waits for.
 * Confined to the coordinator thread.
 */
final class GroupMember {

    static final byte[] EMPTY_ASSIGNMENT = new byte[0];

    /** One protocol a member supports, with its metadata (for a consumer, its subscription). */
    record Protocol(String name, byte[] metadata) {
    }

    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private final String protocolType;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private List<Protocol> protocols;
    private byte[] assignment = EMPTY_ASSIGNMENT;
    private final ParkedResponse<JoinGroupResponseData> join = new ParkedResponse<>();
    private final ParkedResponse<SyncGroupResponseData> sync = new ParkedResponse<>();
    private boolean isNew;

    GroupMember(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
                int sessionTimeoutMs, String protocolType, List<Protocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    /** The same member under a new id (a static member that rejoined), without its parked responses. */
    GroupMember withMemberId(String newMemberId) {
        GroupMember copy = new GroupMember(newMemberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs,
                sessionTimeoutMs, protocolType, protocols);
        copy.assignment = assignment;
        return copy;
    }

    String memberId() {
        return memberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    String protocolType() {
        return protocolType;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    List<Protocol> protocols() {
        return protocols;
    }

    boolean supports(String protocol) {
        return protocols.stream().anyMatch(p -> p.name().equals(protocol));
    }

    /** The metadata for {@code protocol}, or an empty array if the member does not support it. */
    byte[] metadata(String protocol) {
        for (Protocol p : protocols) {
            if (p.name().equals(protocol)) {
                return p.metadata();
            }
        }
        return new byte[0];
    }

    /** Whether {@code others} are exactly this member's protocols, in order, with the same metadata. */
    boolean matches(List<Protocol> others) {
        if (others.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < others.size(); i++) {
            if (!others.get(i).name().equals(protocols.get(i).name())
                    || !Arrays.equals(others.get(i).metadata(), protocols.get(i).metadata())) {
                return false;
            }
        }
        return true;
    }

    /** The member's most preferred protocol among {@code candidates}. */
    String vote(Set<String> candidates) {
        for (Protocol p : protocols) {
            if (candidates.contains(p.name())) {
                return p.name();
            }
        }
        throw new IllegalStateException("member " + memberId + " supports none of " + candidates);
    }

    void update(List<Protocol> newProtocols, int newRebalanceTimeoutMs, int newSessionTimeoutMs) {
        protocols = List.copyOf(newProtocols);
        rebalanceTimeoutMs = newRebalanceTimeoutMs;
        sessionTimeoutMs = newSessionTimeoutMs;
    }

    byte[] assignment() {
        return assignment;
    }

    void setAssignment(byte[] value) {
        assignment = value == null ? EMPTY_ASSIGNMENT : value;
    }

    /** The member's JoinGroup response while it waits for the join phase to complete. */
    ParkedResponse<JoinGroupResponseData> join() {
        return join;
    }

    /** The member's SyncGroup response while it waits for the leader's assignment. */
    ParkedResponse<SyncGroupResponseData> sync() {
        return sync;
    }

    boolean isNew() {
        return isNew;
    }

    void setNew(boolean value) {
        isNew = value;
    }

    /**
     * Whether the member may miss its heartbeat deadline: a member parked in a JoinGroup or
     * SyncGroup is waiting for the coordinator, not gone. A new member is not excused, so a client
     * that gave up on its first JoinGroup does not linger.
     */
    boolean hasSatisfiedHeartbeat() {
        return !isNew && (join.isParked() || sync.isParked());
    }
}
