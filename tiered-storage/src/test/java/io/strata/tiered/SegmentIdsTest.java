package io.strata.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SegmentIdsTest {

    private static final Instant NOW = Instant.parse("2025-06-01T12:34:56.789Z");

    @Test
    void generatesVersion7IdsCarryingTheUploadTime() {
        UUID id = new SegmentIds(Clock.fixed(NOW, ZoneOffset.UTC)).next();

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(SegmentIds.uploadTime(id)).hasValue(NOW);
        assertThat(id.toString().replace("-", "")).startsWith(String.format("%012x7", NOW.toEpochMilli()));
    }

    @Test
    void idsOfOneMillisecondDifferAndLaterOnesSortAfter() {
        SegmentIds ids = new SegmentIds(Clock.fixed(NOW, ZoneOffset.UTC));
        Set<UUID> sameMillisecond = IntStream.range(0, 1000).mapToObj(i -> ids.next()).collect(Collectors.toSet());
        UUID later = new SegmentIds(Clock.fixed(NOW.plusMillis(1), ZoneOffset.UTC)).next();

        assertThat(sameMillisecond).hasSize(1000)
                .allSatisfy(id -> assertThat(Long.compareUnsigned(id.getMostSignificantBits(),
                        later.getMostSignificantBits())).isNegative());
    }

    @Test
    void knowsNoUploadTimeOfOtherUuids() {
        assertThat(SegmentIds.uploadTime(UUID.randomUUID())).isEmpty();
        assertThat(SegmentIds.uploadTime(new UUID(0, 0))).isEmpty();
    }
}
