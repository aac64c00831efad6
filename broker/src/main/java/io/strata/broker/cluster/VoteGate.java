package io.strata.broker.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, for the coordinator of a metadata Raft election, which vote responses count. A
 * {@link VoterStanding#VOTER} counts at once; a {@link VoterStanding#CATCHING_UP} member never does; a
 * {@link VoterStanding#BOOTSTRAPPING} member's response is held back until every member of the group has
 * answered so in the round, and then they all count: only a group in which nobody knows of a recorded
 * data directory can be new, and a member that forgot its log may not tip a majority of those that remember.
 * Thread-safe: responses arrive on several threads.
 *
 * @param <V> a vote response as the election passes it on
 */
final class VoteGate<V> {

    private final Set<String> members;
    /** This round's held-back responses of bootstrapping members, by Raft id. */
    private final Map<String, V> bootstrapping = new LinkedHashMap<>();

    /** @param members the Raft ids of every member of the group */
    VoteGate(Collection<String> members) {
        this.members = Set.copyOf(members);
    }

    /** Forgets the responses held back in the previous round. */
    synchronized void newRound() {
        bootstrapping.clear();
    }

    /**
     * Takes the response {@code vote} of member {@code raftId}, standing as {@code standing}, and returns the
     * responses that count from now on: none, this one, or every bootstrapping member's once all have answered.
     */
    synchronized List<V> admit(String raftId, VoterStanding standing, V vote) {
        return switch (standing) {
            case VOTER -> List.of(vote);
            case CATCHING_UP -> List.of();
            case BOOTSTRAPPING -> {
                if (!members.contains(raftId)) {
                    yield List.of();
                }
                bootstrapping.put(raftId, vote);
                if (!bootstrapping.keySet().containsAll(members)) {
                    yield List.of();
                }
                List<V> released = new ArrayList<>(bootstrapping.values());
                bootstrapping.clear();
                yield released;
            }
        };
    }
}
