package io.strata.broker.partition;

import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogReadResult;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.FileRecords;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Reads through {@link Partition#read}, the one door for reads, across the two tiers: the older
 * segments uploaded to a local-directory object store and dropped from the local log, the newer
 * ones on local disk. And appends only while the broker leads the partition.
 */
class PartitionTest {

    private static final int RECORDS = 20;

    @TempDir
    Path dir;
    private TestPartitions partitions;
    private Partition partition;
    /** The local log's start once the tiered segments are dropped from it: the first local offset. */
    private long boundary;

    @BeforeEach
    void tierTheOlderHalf() throws Exception {
        partitions = new TestPartitions(dir);
        partition = partitions.create("history");
        TestPartitions.append(partition, IntStream.range(0, RECORDS).mapToObj(i -> "record " + i).toArray(String[]::new));
        RemoteSegment lastTiered = partitions.tierBelow(partition, RECORDS / 2);
        boundary = lastTiered.lastOffset() + 1;
        partition.log().deleteRecordsBefore(boundary);
    }

    @AfterEach
    void close() throws Exception {
        partitions.close();
    }

    /** A produce that waited (for its transaction's verification) while leadership moved appends nothing. */
    @Test
    void aBrokerThatNoLongerLeadsAppendsNothing() {
        long end = partition.logEndOffset();
        partition.updateState(new PartitionImage(List.of(0, 1), List.of(0, 1), 1, 1));
        assertThatThrownBy(() -> TestPartitions.append(partition, "late"))
                .isInstanceOf(NotLeaderOrFollowerException.class);
        assertThat(partition.logEndOffset()).isEqualTo(end);
    }

    @Test
    void offsetsOfBothTiersAreReadable() {
        assertThat(boundary).as("some segments are tiered").isPositive().isLessThan(RECORDS);
        assertThat(partition.logStartOffset()).isZero();
        assertThat(partition.localLogStartOffset()).isEqualTo(boundary);
        assertThat(partition.lastTieredOffset()).isEqualTo(boundary - 1);
        assertThat(partition.highWatermark()).isEqualTo(RECORDS);
        assertThat(partition.logEndOffset()).isEqualTo(RECORDS);
    }

    @Test
    void aReadBelowTheLocalLogComesFromTheObjectStore() throws Exception {
        CompletableFuture<LogReadResult> read = partition.read(1, 10_000, true, FetchIsolation.HIGH_WATERMARK);
        LogReadResult result = read.get(10, TimeUnit.SECONDS);

        assertThat(result.records()).as("whole batches read from the store").isInstanceOf(MemoryRecords.class);
        assertThat(offsets(result)).startsWith(1L).allMatch(offset -> offset < boundary);
        assertThat(values(result).get(0)).isEqualTo("record 1");
        assertThat(result.highWatermark()).isEqualTo(RECORDS);
        assertThat(result.logStartOffset()).as("the partition's start, not the local log's").isZero();
        assertThat(partitions.reader().stats().bytes()).isEqualTo(result.records().sizeInBytes());
    }

    @Test
    void aTieredReadOfCachedChunksCompletesAtOnceOnTheCallersThread() throws Exception {
        partition.read(1, 10_000, true, FetchIsolation.HIGH_WATERMARK).get(10, TimeUnit.SECONDS);
        long downloaded = partitions.reader().stats().cache().misses();

        CompletableFuture<LogReadResult> again = partition.read(1, 10_000, true, FetchIsolation.HIGH_WATERMARK);

        assertThat(again).as("served from the chunk cache, without waiting").isDone();
        assertThat(offsets(again.join())).startsWith(1L);
        assertThat(partitions.reader().stats().cache().misses()).isEqualTo(downloaded);
    }

    @Test
    void aReadAtOrAboveTheLocalStartComesFromLocalSegmentsAtOnce() {
        CompletableFuture<LogReadResult> read = partition.read(boundary, 10_000, true, FetchIsolation.HIGH_WATERMARK);

        assertThat(read).as("a local read does not wait").isDone();
        LogReadResult result = read.join();
        assertThat(result.records()).as("a file slice for sendfile").isInstanceOf(FileRecords.class);
        assertThat(offsets(result).get(0)).isEqualTo(boundary);
        assertThat(partitions.reader().stats().bytes()).as("nothing read from the store").isZero();
    }

    @Test
    void readingOnFromTheLastTieredBatchCrossesIntoTheLocalLog() throws Exception {
        List<Long> offsets = new ArrayList<>();
        List<Class<?>> sources = new ArrayList<>();
        long next = 0;
        while (next < partition.highWatermark()) {
            LogReadResult result = partition.read(next, 250, true, FetchIsolation.HIGH_WATERMARK).get(10, TimeUnit.SECONDS);
            sources.add(result.records().getClass());
            for (RecordBatch batch : result.records().batches()) {
                if (batch.lastOffset() >= next) {
                    offsets.add(batch.baseOffset());
                    next = batch.lastOffset() + 1;
                }
            }
        }

        assertThat(offsets).as("every offset once, in order, across the boundary")
                .containsExactlyElementsOf(IntStream.range(0, RECORDS).mapToObj(i -> (long) i).toList());
        assertThat(sources).startsWith(MemoryRecords.class).endsWith(FileRecords.class);
    }

    @Test
    void aFailedTieredReadIsAStorageErrorNamingThePartitionAndOffset() throws Exception {
        for (ObjectKey key : partitions.store().list(new ObjectKey("tiered")).get(10, TimeUnit.SECONDS)) {
            partitions.store().delete(key).get(10, TimeUnit.SECONDS);
        }

        assertThatThrownBy(() -> partition.read(0, 10_000, true, FetchIsolation.HIGH_WATERMARK).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(KafkaStorageException.class)
                .hasMessageContaining("offset 0 of history-0");
    }

    @Test
    void aReadAboveTheLogEndFailsWithOffsetOutOfRange() {
        assertThatThrownBy(() -> partition.read(RECORDS + 1, 10_000, true, FetchIsolation.HIGH_WATERMARK).join())
                .cause().isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void anOffsetOutOfRangeIsReportedWithThePartitionsOffsetsNotTheLocalLogs() throws Exception {
        assertThatThrownBy(() -> partition.read(RECORDS + 1, 10_000, true, FetchIsolation.HIGH_WATERMARK).join())
                .cause().isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessage("Offset " + (RECORDS + 1) + " is out of range for history-0: the log holds offsets 0 to "
                        + (RECORDS - 1) + " and its next offset is " + RECORDS);

        partition.moveLogStartTo(2).get(10, TimeUnit.SECONDS);
        assertThat(partition.localLogStartOffset()).as("the local log still starts above").isEqualTo(boundary);
        assertThatThrownBy(() -> partition.read(1, 10_000, true, FetchIsolation.HIGH_WATERMARK).join())
                .cause().isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessage("Offset 1 is out of range for history-0: the log holds offsets 2 to " + (RECORDS - 1)
                        + " and its next offset is " + RECORDS);
    }

    private static List<Long> offsets(LogReadResult result) {
        List<Long> offsets = new ArrayList<>();
        result.records().batches().forEach(batch -> offsets.add(batch.baseOffset()));
        return offsets;
    }

    private static List<String> values(LogReadResult result) {
        List<String> values = new ArrayList<>();
        for (RecordBatch batch : result.records().batches()) {
            for (Record record : batch) {
                values.add(StandardCharsets.UTF_8.decode(record.value()).toString().strip());
            }
        }
        return values;
    }
}
