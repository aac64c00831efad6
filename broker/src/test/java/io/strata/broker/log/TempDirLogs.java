package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The partition logs of one topic partition that a test opens, on a manual clock, under a fresh
 * temporary directory; after the test every log is closed and the directory deleted. Registered with
 * {@code @RegisterExtension}. Not thread-safe: one test thread.
 */
public final class TempDirLogs implements BeforeEachCallback, AfterEachCallback {

    private final TopicPartition tp;
    private final ManualTime time = new ManualTime(1_700_000_000_000L);
    private final List<PartitionLog> opened = new ArrayList<>();
    private Path root;

    public TempDirLogs(TopicPartition tp) {
        this.tp = tp;
    }

    /** The clock every log opened here runs on. */
    public ManualTime time() {
        return time;
    }

    /** The test's temporary directory, which holds {@link #dir()} and may hold copies of it. */
    public Path root() {
        return root;
    }

    /** The partition's directory under the root, as a log directory lays it out. */
    public Path dir() {
        return root.resolve(LogFiles.partitionDirName(tp));
    }

    /**
     * A copy of the files in {@link #dir()} as they are now, in a new directory under the root. Of a log
     * still open, that is what the disk would hold if the process died now.
     */
    public Path copyOfDir() throws IOException {
        Path copy = Files.createTempDirectory(root, "copy-");
        try (Stream<Path> files = Files.list(dir())) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    /** Opens the log in {@link #dir()}. */
    public PartitionLog open(LogConfig config) {
        return open(dir(), config);
    }

    public PartitionLog open(Path dir, LogConfig config) {
        PartitionLog log = PartitionLog.open(dir, tp, config, time);
        opened.add(log);
        return log;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("partition-logs");
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        for (PartitionLog log : opened) {
            try {
                log.close();
            } catch (KafkaStorageException ignored) {
                // a test took it offline
            }
        }
        opened.clear();
        Utils.delete(root.toFile());
    }
}
