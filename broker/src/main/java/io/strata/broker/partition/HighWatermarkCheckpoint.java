package io.strata.broker.partition;

import io.strata.broker.log.AtomicFiles;
import io.strata.broker.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The high watermark of every partition in a log directory, in Kafka's {@code replication-offset-checkpoint}
 * (a version line {@code 0}, a count, then {@code topic partition offset} per line), rewritten atomically
 * every {@value #INTERVAL_MS} ms (Kafka's {@code replica.high.watermark.checkpoint.interval.ms}) and at close.
 *
 * <p>A reopened log starts at its checkpointed high watermark instead of its log end: a follower restarted
 * with records its leader never committed must not show them to consumers before it has truncated, and a
 * leader must not count them as replicated. A partition the file does not name (created after the last
 * checkpoint) starts at its log start, below anything that could be uncommitted; logs from before the file
 * existed keep their log end. The leader then moves the mark on as its followers fetch, and a follower takes
 * its leader's.
 *
 * <p>Not thread-safe: one thread writes; reads happen at start.
 */
final class HighWatermarkCheckpoint {

    static final String FILE = "replication-offset-checkpoint";
    static final long INTERVAL_MS = 5_000;
    private static final Logger LOG = Logger.getLogger(HighWatermarkCheckpoint.class);
    private static final String VERSION = "0";

    private final Path file;
    /** What the file held at start; empty when there was no readable file. */
    private final Optional<Map<TopicPartition, Long>> atStart;
    private Map<TopicPartition, Long> written;

    HighWatermarkCheckpoint(Path logsDir) {
        this.file = logsDir.resolve(FILE);
        this.atStart = read(file);
        this.written = atStart.orElse(Map.of());
    }

    /** Lowers a reopened log's high watermark to where the checkpoint had it; see the class comment. */
    void restore(TopicPartition tp, PartitionLog log) {
        atStart.ifPresent(marks -> log.updateHighWatermark(marks.getOrDefault(tp, log.logStartOffset())));
    }

    /** Writes the high watermarks of {@code partitions} if any changed since the last write. */
    void write(Collection<Partition> partitions) throws IOException {
        Map<TopicPartition, Long> marks = new HashMap<>();
        for (Partition partition : partitions) {
            marks.put(partition.topicPartition(), partition.highWatermark());
        }
        if (marks.equals(written)) {
            return;
        }
        StringBuilder text = new StringBuilder(VERSION).append('\n').append(marks.size()).append('\n');
        marks.forEach((tp, offset) -> text.append(tp.topic()).append(' ').append(tp.partition()).append(' ')
                .append(offset).append('\n'));
        AtomicFiles.write(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
        written = marks;
    }

    private static Optional<Map<TopicPartition, Long>> read(Path file) {
        String[] lines;
        try {
            lines = Files.readString(file, StandardCharsets.UTF_8).split("\n");
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warnf("Cannot read %s, so logs reopen at their log end: %s", file, e.toString());
            return Optional.empty();
        }
        try {
            if (!lines[0].equals(VERSION) || lines.length != Integer.parseInt(lines[1]) + 2) {
                throw new IllegalArgumentException("unknown version or wrong count");
            }
            Map<TopicPartition, Long> marks = new HashMap<>();
            for (int i = 2; i < lines.length; i++) {
                String[] fields = lines[i].split(" ");
                marks.put(new TopicPartition(fields[0], Integer.parseInt(fields[1])), Long.parseLong(fields[2]));
            }
            return Optional.of(marks);
        } catch (RuntimeException e) {
            // A checkpoint is written atomically, so this is damage from outside: the safe side is the log start.
            LOG.warnf("Ignoring the corrupt %s (%s): logs reopen at their log start", file, e.toString());
            return Optional.of(Map.of());
        }
    }
}
