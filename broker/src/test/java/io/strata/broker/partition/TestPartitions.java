package io.strata.broker.partition;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.log.LogFiles;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.PartitionLog;
import io.strata.broker.log.TestLogConfigs;
import io.strata.broker.remote.RemoteLogReader;
import io.strata.broker.remote.TieredLog;
import io.strata.tiered.LocalDirectoryObjectStore;
import io.strata.tiered.LocalSegmentFiles;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.RemoteKeys;
import io.strata.tiered.RemotePartition;
import io.strata.tiered.RemoteSegment;
import io.strata.tiered.RetryPolicy;
import io.strata.tiered.SegmentIds;
import io.strata.tiered.SegmentUploader;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.Time;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Real partitions for tests of the partition package: a local log in a directory, a tiered log over a
 * {@link LocalDirectoryObjectStore} and a one-member metadata log that commits its manifest, and the
 * upload of closed segments as the tiering service does it. Not thread-safe; close it after the test.
 */
final class TestPartitions implements AutoCloseable {

    /** About two 100-byte single-record batches per segment. */
    static final int SEGMENT_BYTES = 400;

    private final Path dir;
    private final RaftMetadataLog metadata;
    private final LocalDirectoryObjectStore store;
    private final RemoteLogReader reader;
    private final ExecutorService uploads = Executors.newSingleThreadExecutor();
    private final SegmentUploader uploader;
    private final List<PartitionLog> logs = new ArrayList<>();

    TestPartitions(Path dir) {
        this.dir = dir;
        this.metadata = new RaftMetadataLog(RaftMetadataLog.Settings.alone(dir.resolve("metadata"), 1, "127.0.0.1", 0));
        metadata.start();
        this.store = new LocalDirectoryObjectStore(dir.resolve("bucket"));
        // Small chunks, so that a read spans several.
        this.reader = new RemoteLogReader(store, 1024, 1 << 20, 1 << 20);
        this.uploader = new SegmentUploader(store, new RemoteKeys(new ObjectKey("tiered")), new SegmentIds(Clock.systemUTC()),
                new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10)), uploads);
    }

    /** A new topic's partition 0 with small segments. */
    Partition create(String topic) throws Exception {
        Uuid topicId = Uuid.randomUuid();
        ok(metadata.submit(new CreateTopic(topic, topicId, 1, (short) 1, Map.of(), List.of())).get(10, TimeUnit.SECONDS));
        TopicPartition tp = new TopicPartition(topic, 0);
        PartitionLog log = PartitionLog.open(dir.resolve(LogFiles.partitionDirName(tp)), tp,
                TestLogConfigs.with(TopicConfig.SEGMENT_BYTES_CONFIG, SEGMENT_BYTES, TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, 4096,
                        TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 1), Time.SYSTEM);
        logs.add(log);
        return new Partition(0, topicId, tp, log, new TieredLog(topicId, 0, metadata, reader), Time.SYSTEM);
    }

    /** Appends one single-record batch per value, each about 100 bytes. */
    static void append(Partition partition, String... values) {
        for (String value : values) {
            String padded = value + " ".repeat(Math.max(0, 60 - value.length()));
            partition.append(MemoryRecords.withRecords(Compression.NONE,
                    new SimpleRecord(System.currentTimeMillis(), null, padded.getBytes(StandardCharsets.UTF_8))));
        }
    }

    /** Uploads and commits the closed segments below {@code offset}, as tiering does; returns the last one. */
    RemoteSegment tierBelow(Partition partition, long offset) throws Exception {
        List<LogSegment> segments = partition.log().segments();
        RemoteSegment last = null;
        for (int i = 0; i < segments.size() - 1 && segments.get(i + 1).baseOffset() <= offset; i++) {
            LogSegment segment = segments.get(i);
            long base = segment.baseOffset();
            Path logDir = partition.log().dir();
            LocalSegmentFiles files = new LocalSegmentFiles(LogFiles.logFile(logDir, base),
                    LogFiles.offsetIndexFile(logDir, base), LogFiles.timeIndexFile(logDir, base), Optional.empty(), Optional.empty(), base,
                    segments.get(i + 1).baseOffset() - 1, segment.maxTimestampSoFar().timestamp());
            TopicPartition tp = partition.topicPartition();
            last = uploader.upload(new RemotePartition(tp.topic(), partition.topicId().toString(), tp.partition()), files)
                    .get(10, TimeUnit.SECONDS);
            ok(metadata.submit(new AddRemoteSegment(partition.topicId(), tp.partition(), last.toBytes()))
                    .get(10, TimeUnit.SECONDS));
        }
        return last;
    }

    LocalDirectoryObjectStore store() {
        return store;
    }

    RemoteLogReader reader() {
        return reader;
    }

    private static void ok(MetadataResult result) {
        if (result.isError()) {
            throw new IllegalStateException("The metadata refused a command: " + result.message());
        }
    }

    @Override
    public void close() throws Exception {
        logs.forEach(PartitionLog::close);
        uploads.shutdownNow();
        store.close();
        metadata.close();
    }
}
