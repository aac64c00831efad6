package io.strata.tiered;

import static io.strata.tiered.TestSegments.LAYOUT;
import static io.strata.tiered.TestSegments.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteKeysTest {

    private static final UUID ID = UUID.fromString("0191ad2c-3e8a-7abc-8123-456789abcdef");

    @Test
    void namesEachFileOfASegmentUnderItsPartition() {
        String directory = "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/";

        assertThat(LAYOUT.partitionPrefix(PARTITION)).isEqualTo(key("tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3"));
        assertThat(LAYOUT.segmentFile(PARTITION, 4096, ID, SegmentFileType.LOG))
                .isEqualTo(key(directory + "00000000000000004096-0191ad2c-3e8a-7abc-8123-456789abcdef.log"));
        assertThat(LAYOUT.segmentFile(PARTITION, 0, ID, SegmentFileType.OFFSET_INDEX))
                .isEqualTo(key(directory + "00000000000000000000-0191ad2c-3e8a-7abc-8123-456789abcdef.index"));
        assertThat(LAYOUT.segmentFile(PARTITION, Long.MAX_VALUE, ID, SegmentFileType.TIME_INDEX))
                .isEqualTo(key(directory + "09223372036854775807-0191ad2c-3e8a-7abc-8123-456789abcdef.timeindex"));
        assertThat(LAYOUT.segmentFile(PARTITION, 12, ID, SegmentFileType.PRODUCER_SNAPSHOT))
                .isEqualTo(key(directory + "00000000000000000012-0191ad2c-3e8a-7abc-8123-456789abcdef.snapshot"));
    }

    @Test
    void aPrefixMayHaveSeveralSegments() {
        assertThat(new RemoteKeys(key("cluster-a/tiered")).partitionPrefix(new RemotePartition("t", "id", 0)))
                .isEqualTo(key("cluster-a/tiered/t-id/0"));
    }

    @Test
    void readsTheSegmentIdBackFromEveryFileOfThePartition() {
        for (SegmentFileType type : SegmentFileType.values()) {
            assertThat(LAYOUT.segmentId(PARTITION, LAYOUT.segmentFile(PARTITION, 100, ID, type))).hasValue(ID);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/notes.txt",
            "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-0191ad2c-3e8a-7abc-8123-456789abcdef.log.tmp",
            "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-0191AD2C-3E8A-7ABC-8123-456789ABCDEF.log",
            "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/100-0191ad2c-3e8a-7abc-8123-456789abcdef.log",
            "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/sub/00000000000000000100-0191ad2c-3e8a-7abc-8123-456789abcdef.log",
            "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/30/00000000000000000100-0191ad2c-3e8a-7abc-8123-456789abcdef.log",
            "other/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-0191ad2c-3e8a-7abc-8123-456789abcdef.log"})
    void knowsNoSegmentIdForAnyOtherKey(String other) {
        assertThat(LAYOUT.segmentId(PARTITION, key(other))).isEmpty();
    }

    @Test
    void rejectsNamesThatWouldNotBeOneKeySegment() {
        assertThatThrownBy(() -> new RemotePartition("a/b", "id", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RemotePartition("topic", "", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RemotePartition("topic", "id", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LAYOUT.segmentFile(PARTITION, -1, ID, SegmentFileType.LOG))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsASegmentWhoseKeysWouldBeTooLong() {
        RemotePartition longName = new RemotePartition("t".repeat(249), "id", 0);

        assertThatThrownBy(() -> new RemoteSegment(new RemoteKeys(key("p".repeat(750))), longName, ID, 0, 0, -1, 0,
                false, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longer than 1024 bytes");
    }

    private static ObjectKey key(String value) {
        return new ObjectKey(value);
    }
}
