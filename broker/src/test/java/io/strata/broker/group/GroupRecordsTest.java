package io.strata.broker.group;

import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.GroupKey;
import io.strata.broker.group.GroupRecords.GroupValue;
import io.strata.broker.group.GroupRecords.MemberValue;
import io.strata.broker.group.GroupRecords.OffsetKey;
import io.strata.broker.group.GroupRecords.OffsetValue;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupRecordsTest {

    private static CoordinatorRecord roundTrip(CoordinatorRecord record) {
        byte[] value = GroupRecords.encodeValue(record.value());
        return GroupRecords.decode(ByteBuffer.wrap(GroupRecords.encodeKey(record.key())),
                value == null ? null : ByteBuffer.wrap(value));
    }

    @Test
    void offsetCommitsRoundTrip() {
        Uuid topicId = Uuid.randomUuid();
        CoordinatorRecord record = new CoordinatorRecord(new OffsetKey("group", "topic", 3),
                new OffsetValue(42, 7, "metadata ✓", 1234, topicId));
        assertThat(roundTrip(record)).isEqualTo(record);
        CoordinatorRecord noMetadata = new CoordinatorRecord(new OffsetKey("g", "t", 0), new OffsetValue(0, -1, null, 0, Uuid.ZERO_UUID));
        assertThat(roundTrip(noMetadata)).isEqualTo(noMetadata);
        CoordinatorRecord longMetadata = new CoordinatorRecord(new OffsetKey("g", "t", 0),
                new OffsetValue(0, -1, "m".repeat(100_000), 0, Uuid.ZERO_UUID));
        assertThat(roundTrip(longMetadata)).isEqualTo(longMetadata);
    }

    @Test
    void groupMetadataRoundTrips() {
        GroupValue value = new GroupValue("consumer", 5, "range", "m1", 99, List.of(
                new MemberValue("m1", null, "client", "/127.0.0.1", 300_000, 45_000, new byte[] {1, 2}, new byte[] {3}),
                new MemberValue("m2", "instance", "client", "/10.0.0.1", 1000, 6000, new byte[0], new byte[] {4, 5, 6})));
        CoordinatorRecord decoded = roundTrip(new CoordinatorRecord(new GroupKey("group"), value));
        GroupValue back = (GroupValue) decoded.value();
        assertThat(decoded.key()).isEqualTo(new GroupKey("group"));
        assertThat(back.protocolType()).isEqualTo("consumer");
        assertThat(back.generation()).isEqualTo(5);
        assertThat(back.protocol()).isEqualTo("range");
        assertThat(back.leader()).isEqualTo("m1");
        assertThat(back.members()).hasSize(2);
        assertThat(back.members().get(1).groupInstanceId()).isEqualTo("instance");
        assertThat(back.members().get(1).assignment()).containsExactly(4, 5, 6);
        assertThat(back.members().get(0).subscription()).containsExactly(1, 2);

        GroupValue empty = new GroupValue("", 6, null, null, 100, List.of());
        assertThat(roundTrip(new CoordinatorRecord(new GroupKey("group"), empty)).value()).isEqualTo(empty);
    }

    @Test
    void tombstonesHaveNoValue() {
        assertThat(GroupRecords.encodeValue(null)).isNull();
        assertThat(roundTrip(CoordinatorRecord.tombstone(new GroupKey("g")))).isEqualTo(CoordinatorRecord.tombstone(new GroupKey("g")));
        assertThat(roundTrip(CoordinatorRecord.tombstone(new OffsetKey("g", "t", 1))))
                .isEqualTo(CoordinatorRecord.tombstone(new OffsetKey("g", "t", 1)));
    }

    @Test
    void unknownTypesAndVersionsAreSkippedAndGarbageIsRejected() {
        assertThat(GroupRecords.decode(ByteBuffer.wrap(new byte[] {9, 0}), null)).isNull();
        assertThat(GroupRecords.decode(ByteBuffer.wrap(new byte[] {1, 5}), null)).isNull();
        byte[] key = GroupRecords.encodeKey(new GroupKey("g"));
        assertThat(GroupRecords.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(new byte[] {3, 0, 0}))).isNull();
        assertThatThrownBy(() -> GroupRecords.decode(ByteBuffer.wrap(key), ByteBuffer.wrap(new byte[] {0, 0})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GroupRecords.decode(ByteBuffer.wrap(new byte[] {1}), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
