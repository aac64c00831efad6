package io.strata.broker.tiering;

import io.strata.tiered.LocalSegmentFiles;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Pins the producer snapshot of a segment being uploaded. The log keeps only its newest snapshots,
 * so a snapshot can be pruned mid-upload when segments roll faster than they are uploaded; a hard
 * link (a copy where links are not supported) in a directory of the tiering's own keeps the bytes
 * until the upload is over.
 */
final class SnapshotStaging {

    private final Path dir;

    /** Empties {@code dir}, which holds only links left by a crash. */
    SnapshotStaging(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        try (Stream<Path> leftovers = Files.list(dir)) {
            for (Path leftover : leftovers.toList()) {
                Files.deleteIfExists(leftover);
            }
        }
    }

    /** The files with their snapshot pinned; without a snapshot if it is already gone. */
    LocalSegmentFiles pin(LocalSegmentFiles files) throws IOException {
        if (files.producerSnapshot().isEmpty()) {
            return files;
        }
        Path source = files.producerSnapshot().get();
        Path staged = dir.resolve(UUID.randomUUID() + ".snapshot");
        try {
            try {
                Files.createLink(staged, source);
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof NoSuchFileException) {
                    throw (NoSuchFileException) e;
                }
                Files.copy(source, staged, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (NoSuchFileException e) {
            return withSnapshot(files, Optional.empty());
        }
        return withSnapshot(files, Optional.of(staged));
    }

    /** Removes the pinned snapshot of files that {@link #pin} returned, if any. */
    void release(LocalSegmentFiles pinned) throws IOException {
        if (pinned.producerSnapshot().isPresent() && pinned.producerSnapshot().get().startsWith(dir)) {
            Files.deleteIfExists(pinned.producerSnapshot().get());
        }
    }

    private static LocalSegmentFiles withSnapshot(LocalSegmentFiles files, Optional<Path> snapshot) {
        return new LocalSegmentFiles(files.log(), files.offsetIndex(), files.timeIndex(), snapshot, files.transactionIndex(),
                files.baseOffset(), files.lastOffset(), files.maxTimestamp());
    }
}
