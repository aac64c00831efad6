package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.FileRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.strata.broker.log.TestRecords.batchAt;
import static io.strata.broker.log.TestRecords.values;
import static org.assertj.core.api.Assertions.assertThat;

/** A segment that left the log stays readable through slices taken before, until its delay is over. */
class RetiredSegmentsTest {

    /** {@code file.delete.delay.ms}: Kafka's default. */
    private static final long DELAY_MS = 60_000;

    @TempDir
    Path dir;
    private final ManualTime time = new ManualTime(1_000_000);
    private final RetiredSegments retired = new RetiredSegments(new TopicPartition("events", 0));

    private LogSegment deletedSegment(long baseOffset, String value) throws IOException {
        LogSegment segment = LogSegment.create(dir, baseOffset, TestLogConfigs.defaults(), time);
        segment.append(baseOffset, time.milliseconds(), baseOffset, batchAt(baseOffset, time.milliseconds(), value));
        segment.markDeleted();
        return segment;
    }

    @Test
    void keepsASegmentReadableForTheDelayThenDeletesIt() throws IOException {
        LogSegment segment = deletedSegment(0, "in flight");
        FileRecords slice = segment.log().slice(0, segment.size());
        Path file = segment.log().file().toPath();
        retired.add(segment, time.milliseconds());

        retired.deleteDue(time.milliseconds() + DELAY_MS - 1, DELAY_MS);
        assertThat(file).exists().hasFileName("00000000000000000000.log.deleted");
        assertThat(values(slice)).containsExactly("in flight");

        retired.deleteDue(time.milliseconds() + DELAY_MS, DELAY_MS);
        assertThat(file).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("the indexes go with the log").isEmpty();
        }
    }

    @Test
    void deletesOnlyTheSegmentsWhoseDelayIsOverOldestFirst() throws IOException {
        LogSegment older = deletedSegment(0, "older");
        LogSegment newer = deletedSegment(10, "newer");
        retired.add(older, 0);
        retired.add(newer, 5_000);

        retired.deleteDue(DELAY_MS, DELAY_MS);
        assertThat(older.log().file()).doesNotExist();
        assertThat(newer.log().file()).exists();

        retired.deleteAll();
        assertThat(newer.log().file()).doesNotExist();
    }
}
