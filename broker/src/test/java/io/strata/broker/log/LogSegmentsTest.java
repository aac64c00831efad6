package io.strata.broker.log;

import org.apache.kafka.common.record.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static io.strata.broker.log.TestRecords.batchAt;
import static org.assertj.core.api.Assertions.assertThat;

/** Segments by base offset over real segment files: three segments at 0, 10 and 20, one record each. */
class LogSegmentsTest {

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime(1_000_000);
    private final LogConfig config = TestLogConfigs.defaults();
    private final List<LogSegment> opened = new ArrayList<>();
    private final LogSegments segments = new LogSegments();
    private LogSegment first;
    private LogSegment second;
    private LogSegment third;

    @BeforeEach
    void setUp() throws IOException {
        first = segmentWith(0, 1_000);
        second = segmentWith(10, 3_000);
        third = segmentWith(20, 2_000);
        segments.add(first);
        segments.add(second);
        segments.add(third);
    }

    @AfterEach
    void tearDown() throws IOException {
        for (LogSegment segment : opened) {
            segment.close();
        }
    }

    /** A segment at {@code baseOffset} holding one record stamped {@code timestamp}. */
    private LogSegment segmentWith(long baseOffset, long timestamp) throws IOException {
        LogSegment segment = LogSegment.create(dir, baseOffset, config, time);
        opened.add(segment);
        MemoryRecords records = batchAt(baseOffset, timestamp, "at-" + baseOffset);
        segment.append(baseOffset, timestamp, baseOffset, records);
        return segment;
    }

    @Test
    void findsTheSegmentHoldingAnOffsetAndItsNeighbours() {
        assertThat(segments.count()).isEqualTo(3);
        assertThat(segments.firstBaseOffset()).isZero();
        assertThat(segments.active()).isSameAs(third);
        assertThat(segments.floor(9)).isSameAs(first);
        assertThat(segments.floor(10)).isSameAs(second);
        assertThat(segments.floor(Long.MAX_VALUE)).isSameAs(third);
        assertThat(segments.next(first)).isSameAs(second);
        assertThat(segments.next(third)).isNull();
        assertThat(segments.nextBaseOffset(10)).isEqualTo(OptionalLong.of(20));
        assertThat(segments.nextBaseOffset(20)).isEmpty();
    }

    @Test
    void nothingHoldsAnOffsetBelowTheFirstSegment() {
        LogSegments fromTen = new LogSegments();
        fromTen.add(second);
        assertThat(fromTen.floor(9)).isNull();
        assertThat(fromTen.holding(0, 15)).containsExactly(second);
    }

    @Test
    void selectsSegmentsByRange() {
        assertThat(segments.below(20)).containsExactly(first, second);
        assertThat(segments.holding(5, 15)).containsExactly(first, second);
        assertThat(segments.holding(12, Long.MAX_VALUE)).containsExactly(second, third);
        assertThat(segments.holding(10, 10)).isEmpty();
        assertThat(segments.closedBelow(20)).containsExactly(new ClosedSegment(first, 10), new ClosedSegment(second, 20));
        assertThat(segments.closedBelow(0)).isEmpty();
    }

    @Test
    void aReplacementIsTheOnlySegmentOfItsBaseOffset() throws IOException {
        LogSegment compacted = LogSegment.createCleaned(dir, 10, config, time);
        opened.add(compacted);

        segments.add(compacted);
        assertThat(segments.contains(compacted)).isTrue();
        assertThat(segments.contains(second)).isFalse();
        assertThat(segments.count()).isEqualTo(3);

        segments.remove(second);
        assertThat(segments.floor(10)).as("removing the replaced segment leaves its replacement").isSameAs(compacted);
        segments.remove(compacted);
        assertThat(segments.all()).containsExactly(first, third);
    }

    @Test
    void searchesByTimestampAcrossSegments() {
        assertThat(segments.firstWithTimestampAtLeast(1_500, 0)).contains(new TimestampOffset(3_000, 10));
        assertThat(segments.firstWithTimestampAtLeast(1_000, 5)).as("from a start offset on")
                .contains(new TimestampOffset(3_000, 10));
        assertThat(segments.firstWithTimestampAtLeast(3_001, 0)).isEqualTo(Optional.empty());
        assertThat(segments.maxTimestamp()).isEqualTo(new TimestampOffset(3_000, 10));
        assertThat(new LogSegments().maxTimestamp()).isEqualTo(TimestampOffset.UNKNOWN);
    }

    @Test
    void sumsTheBytesOfItsSegments() {
        assertThat(segments.sizeInBytes()).isEqualTo((long) first.size() + second.size() + third.size())
                .isPositive();
        assertThat(segments.view()).containsExactly(first, second, third);
    }
}
