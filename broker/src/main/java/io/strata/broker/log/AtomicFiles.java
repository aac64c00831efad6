package io.strata.broker.log;

import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Replaces small files so that a crash leaves either the old or the new content, never a mix:
 * write to {@code <name>.tmp}, fsync, rename over the target, fsync the directory.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    public static void write(Path target, ByteBuffer content) throws IOException {
        Path tmp = writeTmp(target, content, true);
        // Flushes the parent directory too, so the rename survives a power loss.
        Utils.atomicMoveWithFallback(tmp, target);
    }

    /**
     * Writes and renames without fsync: after a power cut the target may be missing, old or empty. Only for
     * content whose loss a reader detects and only costs it time, such as a checksummed snapshot that can be
     * rebuilt from the log; it saves two fsyncs a file, which adds up over thousands of partitions.
     */
    public static void writeUnsynced(Path target, ByteBuffer content) throws IOException {
        Path tmp = writeTmp(target, content, false);
        Utils.atomicMoveWithFallback(tmp, target, false);
    }

    private static Path writeTmp(Path target, ByteBuffer content, boolean sync) throws IOException {
        Path tmp = LogFiles.tmpFile(target);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer data = content.duplicate();
            while (data.hasRemaining()) {
                channel.write(data);
            }
            if (sync) {
                channel.force(true);
            }
        }
        return tmp;
    }
}
