package io.strata.broker.cluster;

import org.jgroups.Address;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.raft.util.CommitTable;
import org.jgroups.raft.util.Utils;

import java.util.List;

/**
 * The metadata Raft group as one member sees it, for DescribeQuorum: who leads in which term, how far the log
 * is committed, and how far each voter's log reaches. Only the leader knows the others' logs (its commit
 * table's match index, which JGroups-Raft keeps without timestamps); a follower knows its own.
 *
 * @param leaderId      the leader's node id, or -1 when none is known
 * @param term          the Raft term, which DescribeQuorum reports as the leader epoch
 * @param commitIndex   the index of the last committed entry, DescribeQuorum's high watermark
 * @param localIsLeader whether the member describing the group leads it
 * @param voters        every member of the group, in the configured order
 */
public record QuorumStatus(int leaderId, long term, long commitIndex, boolean localIsLeader, List<Voter> voters) {

    /** {@link Voter#logEndOffset()} of a voter whose log this member does not know. */
    public static final long UNKNOWN = -1;

    /**
     * @param logEndOffset how many entries the voter's log holds (Raft indexes start at 1, so the index of its
     *                     last entry), or {@link #UNKNOWN}
     */
    public record Voter(RaftMetadataLog.Member member, long logEndOffset) {
    }

    static QuorumStatus of(RAFT raft, int localId, List<RaftMetadataLog.Member> members) {
        Address leader = raft.leader();
        boolean leading = raft.isLeader();
        CommitTable table = leading ? raft.commitTable() : null;
        List<Voter> voters = members.stream().map(member -> {
            if (member.nodeId() == localId) {
                return new Voter(member, raft.lastAppended());
            }
            CommitTable.Entry entry = table == null ? null : table.keys().stream()
                    .filter(address -> member.raftId().equals(Utils.extractRaftId(address)))
                    .findFirst().map(table::get).orElse(null);
            return new Voter(member, entry == null ? UNKNOWN : entry.matchIndex());
        }).toList();
        return new QuorumStatus(leader == null ? -1 : Integer.parseInt(Utils.extractRaftId(leader)), raft.currentTerm(),
                raft.commitIndex(), leading, voters);
    }
}
