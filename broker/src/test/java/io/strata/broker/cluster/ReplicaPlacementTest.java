package io.strata.broker.cluster;

import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaPlacementTest {

    private static final List<BrokerImage> TWO_ZONES = List.of(broker(1, "a"), broker(2, "a"), broker(3, "a"),
            broker(4, "b"), broker(5, "b"), broker(6, "b"));

    @Test
    void everyPartitionHasDistinctReplicasOnBothRacks() {
        List<List<Integer>> assignment = new ReplicaPlacement(TWO_ZONES, new Random(1)).place(0, 60, (short) 3);

        assertThat(assignment).hasSize(60).allSatisfy(replicas -> {
            assertThat(replicas).hasSize(3).doesNotHaveDuplicates();
            assertThat(replicas.stream().map(ReplicaPlacementTest::rack).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("a", "b");
        });
    }

    @Test
    void leadersAndReplicasSpreadEvenly() {
        List<List<Integer>> assignment = new ReplicaPlacement(TWO_ZONES, new Random(7)).place(0, 60, (short) 2);

        Map<Integer, Integer> leaders = new HashMap<>();
        Map<Integer, Integer> replicas = new HashMap<>();
        for (List<Integer> partition : assignment) {
            leaders.merge(partition.get(0), 1, Integer::sum);
            partition.forEach(node -> replicas.merge(node, 1, Integer::sum));
        }
        assertThat(leaders).hasSize(6).allSatisfy((node, count) -> assertThat(count).isEqualTo(10));
        assertThat(replicas).hasSize(6).allSatisfy((node, count) -> assertThat(count).isEqualTo(20));
        // Consecutive partitions alternate racks for their leader.
        for (int p = 1; p < assignment.size(); p++) {
            assertThat(rack(assignment.get(p).get(0))).isNotEqualTo(rack(assignment.get(p - 1).get(0)));
        }
    }

    @Test
    void followerSetsVaryFromRoundToRound() {
        List<List<Integer>> assignment = new ReplicaPlacement(TWO_ZONES, new Random(3)).place(0, 36, (short) 3);

        Set<List<Integer>> distinct = new HashSet<>(assignment);
        assertThat(distinct.size()).isGreaterThan(6);
    }

    @Test
    void addedPartitionsContinueTheSpread() {
        ReplicaPlacement placement = new ReplicaPlacement(List.of(broker(1, null), broker(2, null), broker(3, null)),
                new Random(5));
        List<List<Integer>> first = placement.place(0, 3, (short) 1);
        List<List<Integer>> more = placement.place(3, 3, (short) 1);

        assertThat(first.stream().map(p -> p.get(0)).toList()).containsExactlyInAnyOrder(1, 2, 3);
        assertThat(more.stream().map(p -> p.get(0)).toList()).isEqualTo(first.stream().map(p -> p.get(0)).toList());
    }

    @Test
    void moreReplicasThanBrokersIsRefused() {
        assertThatThrownBy(() -> new ReplicaPlacement(List.of(broker(1, null)), new Random(1)).place(0, 1, (short) 2))
                .isInstanceOf(InvalidReplicationFactorException.class)
                .hasMessageContaining("only 1 broker(s) are available");
        assertThatThrownBy(() -> new ReplicaPlacement(List.of(), new Random(1)).place(0, 1, (short) 1))
                .isInstanceOf(InvalidReplicationFactorException.class);
    }

    private static BrokerImage broker(int nodeId, String rack) {
        return new BrokerImage(nodeId, List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9000 + nodeId)), rack, false);
    }

    private static String rack(int nodeId) {
        return nodeId <= 3 ? "a" : "b";
    }
}
