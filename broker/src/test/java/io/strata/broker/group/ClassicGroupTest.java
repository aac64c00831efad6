package io.strata.broker.group;

import io.strata.broker.group.GroupRecords.GroupValue;
import io.strata.broker.group.GroupRecords.MemberValue;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Replaying stored group records onto a group, as start-up does. */
class ClassicGroupTest {

    private static MemberValue member(String memberId, String instanceId) {
        return new MemberValue(memberId, instanceId, "client", "/127.0.0.1", 60_000, 10_000, new byte[0], new byte[0]);
    }

    private static GroupValue generation(int generation, MemberValue... members) {
        return new GroupValue("consumer", generation, "range", members[0].memberId(), 0L, List.of(members));
    }

    @Test
    void aStaticMembersReplacementKeepsTheInstanceIdAcrossReplay() {
        ClassicGroup group = new ClassicGroup("static-group", 0L);
        group.apply(generation(1, member("A", "instance-1")), 0L);
        group.apply(generation(2, member("B", "instance-1")), 0L);

        assertThat(group.staticMemberId("instance-1")).isEqualTo("B");
        assertThat(group.hasMember("A")).isFalse();
        assertThat(group.hasMember("B")).isTrue();
    }

    @Test
    void removingAReplacedStaticMemberLeavesItsReplacementMapped() {
        ClassicGroup group = new ClassicGroup("static-group", 0L);
        group.apply(generation(1, member("A", "instance-1"), member("C", null)), 0L);
        group.apply(generation(2, member("B", "instance-1"), member("C", null)), 0L);
        group.remove("A");

        assertThat(group.staticMemberId("instance-1")).isEqualTo("B");
    }
}
