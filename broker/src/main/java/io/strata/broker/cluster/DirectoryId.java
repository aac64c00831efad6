package io.strata.broker.cluster;

import io.strata.broker.log.AtomicFiles;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The id of a metadata log directory, KIP-853's directory id: a random {@link Uuid} in {@value #FILE},
 * written when the directory is first used, before the Raft log. A member that lost its directory comes
 * back with another id, which is how the cluster tells it forgot what it acknowledged. Stateless.
 */
final class DirectoryId {

    static final String FILE = "directory.id";

    private DirectoryId() {
    }

    /**
     * The id recorded in {@code logDir}, or a new one written there first.
     *
     * @throws UncheckedIOException  when the file cannot be read or written
     * @throws IllegalStateException when the file does not hold an id
     */
    static Uuid readOrCreate(Path logDir) {
        Path file = logDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
                try {
                    return Uuid.fromString(text);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(file + " does not hold a directory id ('" + text
                            + "'); restore it or remove the data directory", e);
                }
            }
            Uuid id = Uuid.randomUuid();
            Files.createDirectories(logDir);
            AtomicFiles.write(file, ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the directory id " + file + ": " + e.getMessage(), e);
        }
    }
}
