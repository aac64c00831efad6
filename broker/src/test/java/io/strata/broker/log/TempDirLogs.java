package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The partition logs one test opens under its temporary directory, every one closed after the test
 * (registered with {@code @RegisterExtension}). The root is read lazily so that it can be the test's
 * {@code @TempDir} field, injected after construction. Not thread-safe: one test thread.
 */
public final class TempDirLogs implements AfterEachCallback {

    private final TopicPartition tp;
    private final Time time;
    private final Supplier<Path> root;
    private final List<PartitionLog> opened = new ArrayList<>();

    public TempDirLogs(TopicPartition tp, Time time, Supplier<Path> root) {
        this.tp = tp;
        this.time = time;
        this.root = root;
    }

    /** The partition's directory under the root, as a log directory lays it out. */
    public Path dir() {
        return root.get().resolve(LogFiles.partitionDirName(tp));
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
    public void afterEach(ExtensionContext context) {
        for (PartitionLog log : opened) {
            try {
                log.close();
            } catch (KafkaStorageException ignored) {
                // a test took it offline
            }
        }
        opened.clear();
    }
}
