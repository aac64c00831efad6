package io.strata.broker.cluster;

import org.jboss.logging.Logger;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.ELECTION;
import org.jgroups.protocols.raft.RaftHeader;
import org.jgroups.protocols.raft.election.VoteResponse;
import org.jgroups.raft.util.Utils;

import java.util.Collection;
import java.util.function.Supplier;

/**
 * JGroups-Raft's ELECTION, in which only members whose log can be trusted count toward a majority.
 * ELECTION's coordinator asks every member for its log's last term and index and, once a majority has
 * answered, elects the one with the highest log; a member that lost its data directory would answer
 * with an empty log and could help elect a member lacking committed entries. Here each member attaches
 * its {@link VoterStanding} to its answer, and the coordinator passes on only the answers its
 * {@link VoteGate} lets through; the others never reach ELECTION's count, so they neither make a majority
 * nor get elected.
 */
final class StandingElection extends ELECTION {

    private static final Logger LOG = Logger.getLogger(StandingElection.class);
    /** This protocol's id, under which its messages carry their headers. */
    static final short PROTOCOL_ID = 4121;
    /** The key of the {@link StandingHeader} on a vote response, beside ELECTION's own header. */
    static final short STANDING_KEY = 4122;

    static {
        ClassConfigurator.addProtocol(PROTOCOL_ID, StandingElection.class);
    }

    private final Supplier<VoterStanding> standing;
    private final VoteGate<Message> gate;

    /**
     * @param standing this member's standing now, read whenever it answers a vote request
     * @param members  the Raft ids of every member of the group
     */
    StandingElection(Supplier<VoterStanding> standing, Collection<String> members) {
        this.standing = standing;
        this.gate = new VoteGate<>(members);
    }

    @Override
    protected void sendVoteRequest(long newTerm) {
        gate.newRound();
        super.sendVoteRequest(newTerm);
    }

    @Override
    protected void sendVoteResponse(Address dest, long term, long lastLogTerm, long lastLogIndex) {
        VoterStanding now = standing.get();
        Message response = new EmptyMessage(dest)
                .putHeader(id, new VoteResponse(term, lastLogTerm, lastLogIndex))
                .putHeader(STANDING_KEY, new StandingHeader(now))
                .setFlag(Message.Flag.OOB);
        LOG.debugf("Vote response to %s in term %d: last log term %d, index %d, %s", dest, term, lastLogTerm,
                lastLogIndex, now);
        down_prot.down(response);
    }

    @Override
    protected void handleMessage(Message msg, RaftHeader hdr) {
        if (!(hdr instanceof VoteResponse)) {
            super.handleMessage(msg, hdr);
            return;
        }
        StandingHeader header = msg.getHeader(STANDING_KEY);
        if (header == null) {
            LOG.warnf("Ignoring a vote response from %s without a voter standing: not a Strata broker of this version",
                    msg.src());
            return;
        }
        String raftId;
        try {
            raftId = Utils.extractRaftId(msg.src());
        } catch (IllegalStateException e) {
            LOG.warnf("Ignoring a vote response from %s, which has no Raft id", msg.src());
            return;
        }
        Collection<Message> counted = gate.admit(raftId, header.standing(), msg);
        if (counted.isEmpty()) {
            LOG.debugf("The vote of member %s (%s) does not count yet", raftId, header.standing());
        }
        for (Message response : counted) {
            super.handleMessage(response, response.getHeader(id));
        }
    }
}
