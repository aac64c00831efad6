package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.strata.broker.cluster.VoterStanding.BOOTSTRAPPING;
import static io.strata.broker.cluster.VoterStanding.CATCHING_UP;
import static io.strata.broker.cluster.VoterStanding.VOTER;
import static org.assertj.core.api.Assertions.assertThat;

class VoteGateTest {

    private final VoteGate<String> gate = new VoteGate<>(List.of("1", "2", "3"));

    @Test
    void aVoterCountsAtOnceAndAMemberCatchingUpNever() {
        assertThat(gate.admit("1", VOTER, "vote of 1")).containsExactly("vote of 1");
        assertThat(gate.admit("2", CATCHING_UP, "vote of 2")).isEmpty();
    }

    @Test
    void aNewGroupCountsOnceEveryMemberAnsweredThatItKnowsNoDirectory() {
        assertThat(gate.admit("2", BOOTSTRAPPING, "vote of 2")).isEmpty();
        assertThat(gate.admit("1", BOOTSTRAPPING, "vote of 1")).isEmpty();
        assertThat(gate.admit("3", BOOTSTRAPPING, "vote of 3")).containsExactly("vote of 2", "vote of 1", "vote of 3");
    }

    /** Broker 1 holds a committed entry and is down; broker 2 lost its data directory; broker 3 lacks the entry. */
    @Test
    void aMemberThatForgotItsLogNeverTipsAMajorityOfMembersThatRemember() {
        assertThat(gate.admit("3", VOTER, "vote of 3")).containsExactly("vote of 3");
        assertThat(gate.admit("2", BOOTSTRAPPING, "vote of 2")).isEmpty();
    }

    @Test
    void bootstrappingAnswersOfAnEarlierRoundDoNotCarryOver() {
        gate.admit("1", BOOTSTRAPPING, "old vote of 1");
        gate.admit("2", BOOTSTRAPPING, "old vote of 2");
        gate.newRound();
        assertThat(gate.admit("3", BOOTSTRAPPING, "vote of 3")).isEmpty();
        assertThat(gate.admit("1", BOOTSTRAPPING, "vote of 1")).isEmpty();
        assertThat(gate.admit("2", BOOTSTRAPPING, "vote of 2")).containsExactly("vote of 3", "vote of 1", "vote of 2");
    }

    @Test
    void aStrangerNeverCompletesTheGroup() {
        gate.admit("1", BOOTSTRAPPING, "vote of 1");
        gate.admit("2", BOOTSTRAPPING, "vote of 2");
        assertThat(gate.admit("4", BOOTSTRAPPING, "vote of 4")).isEmpty();
    }

    @Test
    void standingFollowsTheDirectoriesTheImageRecords() {
        Uuid mine = Uuid.randomUuid();
        MetadataStateMachine machine = new MetadataStateMachine();
        assertThat(VoterStanding.of(machine.image(), 2, mine)).isEqualTo(BOOTSTRAPPING);
        machine.apply(new MetadataCommand.RegisterDirectory(1, Uuid.randomUuid()));
        assertThat(VoterStanding.of(machine.image(), 2, mine)).isEqualTo(CATCHING_UP);
        machine.apply(new MetadataCommand.RegisterDirectory(2, Uuid.randomUuid()));
        assertThat(VoterStanding.of(machine.image(), 2, mine)).as("a directory it lost").isEqualTo(CATCHING_UP);
        machine.apply(new MetadataCommand.RegisterDirectory(2, mine));
        assertThat(VoterStanding.of(machine.image(), 2, mine)).isEqualTo(VOTER);
    }
}
