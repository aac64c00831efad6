package io.strata.broker.tiering;

import io.strata.broker.log.LogSegment;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TempDirLogs;
import io.strata.broker.log.TestLogConfigs;
import io.strata.tiered.LocalSegmentFiles;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which closed segments the uploader takes: none with a record the in-sync replicas may not all hold yet, or one of
 * a transaction still open.
 */
class ClosedSegmentsTest {

    private static final TopicPartition TP = new TopicPartition("t", 0);

    @RegisterExtension
    final TempDirLogs logs = new TempDirLogs(TP);

    @Test
    void onlySegmentsWhollyBelowTheHighWatermarkAreTaken() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        for (int i = 0; i < 12; i++) {
            log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100])), 0);
        }
        List<LogSegment> segments = log.segments();
        assertThat(segments).hasSizeGreaterThan(3);
        assertThat(ClosedSegments.after(log, -1)).as("nothing is replicated yet").isEmpty();

        long secondEnd = segments.get(2).baseOffset();
        log.updateHighWatermark(secondEnd);
        assertThat(ClosedSegments.after(log, -1)).extracting(LocalSegmentFiles::baseOffset)
                .containsExactly(segments.get(0).baseOffset(), segments.get(1).baseOffset());

        log.updateHighWatermark(secondEnd + 1);
        assertThat(ClosedSegments.after(log, -1)).as("the third segment still has records above the mark")
                .hasSize(2);

        log.updateHighWatermark(log.logEndOffset());
        assertThat(ClosedSegments.after(log, -1)).hasSize(segments.size() - 1);
    }

    @Test
    void nothingOfAnOpenTransactionIsTaken() {
        PartitionLog log = logs.open(TestLogConfigs.smallSegments());
        // Opened as once its coordinator confirmed the transaction.
        log.append(MemoryRecords.withTransactionalRecords(Compression.NONE, 7L, (short) 0, 0,
                new SimpleRecord(new byte[100])), 0, log.producers().startVerification(7L, 0, (short) 0));
        for (int i = 0; i < 12; i++) {
            log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[100])), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.segments()).hasSizeGreaterThan(3);
        assertThat(ClosedSegments.after(log, -1)).as("the first segment holds the open transaction").isEmpty();

        log.appendMarker(7L, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0), 0);
        log.updateHighWatermark(log.logEndOffset());
        assertThat(ClosedSegments.after(log, -1)).hasSize(log.segments().size() - 1);
    }
}
