package io.strata.tiered;

import static io.strata.tiered.TestSegments.LAYOUT;
import static io.strata.tiered.TestSegments.PARTITION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RemoteSegmentTest {

    private static final UUID ID = UUID.fromString("0191ad2c-3e8a-7abc-8123-456789abcdef");

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void survivesASerializationRoundTrip(boolean hasOptionalFiles) throws IOException {
        RemoteSegment segment = new RemoteSegment(LAYOUT, PARTITION, ID, 1L << 40, (1L << 40) + 12_345,
                1_717_000_000_000L, 1_073_741_000L, hasOptionalFiles, !hasOptionalFiles);

        assertThat(RemoteSegment.readFrom(input(serialize(segment)))).isEqualTo(segment);
    }

    @Test
    void hasAPinnedByteLayout() throws IOException {
        RemoteSegment segment = new RemoteSegment(LAYOUT, new RemotePartition("orders", "q5Vp", 3), ID, 4096, 4351,
                0x0197_1234_5678L, 1 << 20, true, true);

        assertThat(HexFormat.of().formatHex(serialize(segment))).isEqualTo(""
                + "02"                           // format version
                + "0006" + "746965726564"        // layout prefix "tiered", as modified UTF-8
                + "0006" + "6f7264657273"        // topic "orders"
                + "0004" + "71355670"            // topic id "q5Vp"
                + "00000003"                     // partition
                + "0191ad2c3e8a7abc"             // segment id, most significant bits
                + "8123456789abcdef"             // segment id, least significant bits
                + "0000000000001000"             // base offset 4096
                + "00000000000010ff"             // last offset 4351
                + "0000019712345678"             // max timestamp
                + "0000000000100000"             // size, 1 MiB
                + "01"                           // has a producer snapshot
                + "01");                         // has a transaction index
    }

    @Test
    void readsTheFirstVersionAsASegmentWithoutTransactionIndex() throws IOException {
        RemoteSegment segment = new RemoteSegment(LAYOUT, PARTITION, ID, 100, 199, -1, 10, true, false);
        byte[] current = serialize(segment);
        // Version 1 is version 2 without the last flag.
        byte[] first = Arrays.copyOf(current, current.length - 1);
        first[0] = 1;

        assertThat(RemoteSegment.readFrom(input(first))).isEqualTo(segment);
    }

    @Test
    void rejectsAnUnknownFormatVersion() {
        assertThatThrownBy(() -> RemoteSegment.readFrom(input(new byte[] {3, 0, 0})))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unsupported remote segment format version 3");
    }

    @Test
    void rejectsTruncatedOrInvalidInput() throws IOException {
        RemoteSegment segment = new RemoteSegment(LAYOUT, PARTITION, ID, 100, 199, -1, 10, false, false);
        byte[] serialized = serialize(segment);
        byte[] truncated = Arrays.copyOf(serialized, serialized.length - 1);
        // The last offset is the 8 bytes before the max timestamp, size and flags: make it 0, below the base.
        byte[] invalid = serialized.clone();
        Arrays.fill(invalid, serialized.length - 26, serialized.length - 18, (byte) 0);

        assertThatThrownBy(() -> RemoteSegment.readFrom(input(truncated))).isInstanceOf(EOFException.class);
        assertThatThrownBy(() -> RemoteSegment.readFrom(input(invalid)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Invalid remote segment: Invalid offsets: base 100, last 0");
    }

    @Test
    void namesTheKeysOfItsFiles() {
        RemoteSegment withSnapshot = new RemoteSegment(LAYOUT, PARTITION, ID, 100, 199, -1, 10, true, false);
        RemoteSegment withoutSnapshot = new RemoteSegment(LAYOUT, PARTITION, ID, 100, 199, -1, 10, false, false);

        assertThat(withSnapshot.key(SegmentFileType.LOG))
                .isEqualTo(LAYOUT.segmentFile(PARTITION, 100, ID, SegmentFileType.LOG));
        assertThat(withSnapshot.keys()).extracting(ObjectKey::value)
                .containsExactly(
                        "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-" + ID + ".log",
                        "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-" + ID + ".index",
                        "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-" + ID + ".timeindex",
                        "tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-" + ID + ".snapshot");
        assertThat(withoutSnapshot.keys()).hasSize(3).doesNotContain(withSnapshot.key(SegmentFileType.PRODUCER_SNAPSHOT));
        assertThatThrownBy(() -> withoutSnapshot.key(SegmentFileType.PRODUCER_SNAPSHOT))
                .isInstanceOf(IllegalArgumentException.class);
        RemoteSegment withTransactionIndex = new RemoteSegment(LAYOUT, PARTITION, ID, 100, 199, -1, 10, false, true);
        assertThat(withTransactionIndex.keys()).extracting(ObjectKey::value).hasSize(4)
                .contains("tiered/orders-cD3sK0yrTSOUq2Qf7p0jvA/3/00000000000000000100-" + ID + ".txnindex");
        assertThatThrownBy(() -> withoutSnapshot.key(SegmentFileType.TRANSACTION_INDEX))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsInvalidOffsetsAndSizes() {
        assertThatThrownBy(() -> new RemoteSegment(LAYOUT, PARTITION, ID, -1, 10, -1, 0, false, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RemoteSegment(LAYOUT, PARTITION, ID, 10, 9, -1, 0, false, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RemoteSegment(LAYOUT, PARTITION, ID, 10, 10, -1, -1, false, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] serialize(RemoteSegment segment) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            segment.writeTo(out);
        }
        return bytes.toByteArray();
    }

    private static DataInputStream input(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }
}
