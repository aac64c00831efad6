package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.SetBrokerFenced;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PreferredLeaderBalancerTest {

    private final MetadataStateMachine machine = new MetadataStateMachine();

    @Test
    void electsThePreferredLeaderOnlyOnceItIsBackAndInSync() {
        for (int id = 1; id <= 3; id++) {
            machine.apply(new RegisterBroker(id, List.of(new Endpoint("PLAINTEXT", "h", 9092)), null));
        }
        Uuid id = Uuid.randomUuid();
        machine.apply(new CreateTopic("t", id, 2, (short) 3, Map.of(), List.of(List.of(1, 2, 3), List.of(2, 3, 1))));
        assertThat(PreferredLeaderBalancer.imbalanced(machine.image())).isEmpty();

        machine.apply(new SetBrokerFenced(1, true));
        assertThat(PreferredLeaderBalancer.imbalanced(machine.image())).as("broker 1 is down").isEmpty();
        machine.apply(new SetBrokerFenced(1, false));
        assertThat(PreferredLeaderBalancer.imbalanced(machine.image())).as("broker 1 is not in sync yet").isEmpty();
        machine.apply(new AlterPartition(id, 0, 2, 1, List.of(1, 2, 3)));

        List<ElectLeader> elections = PreferredLeaderBalancer.imbalanced(machine.image());
        assertThat(elections).containsExactly(new ElectLeader(id, 0, Election.PREFERRED));
        elections.forEach(machine::apply);
        assertThat(machine.image().topic(id).orElseThrow().partition(0).leader()).isEqualTo(1);
        assertThat(PreferredLeaderBalancer.imbalanced(machine.image())).isEmpty();
    }
}
