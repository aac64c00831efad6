package io.strata.broker.log;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The leader epochs of a partition in their own file, {@value LogFiles#LEADER_EPOCH_CHECKPOINT_FILE}, in Kafka's
 * text format: a line {@code 0} (the version), a line with the number of entries, then one line
 * {@code <epoch> <startOffset>} per entry, epochs and start offsets ascending. Replaced atomically and fsynced
 * ({@link AtomicFiles}). A missing or malformed file reads as empty, and the caller rebuilds the entries.
 *
 * <p>Not thread-safe: the owning {@link LeaderEpochCache} serialises calls.
 */
final class LeaderEpochCheckpointFile {

    private static final Logger LOG = Logger.getLogger(LeaderEpochCheckpointFile.class);
    private static final int VERSION = 0;

    private final Path file;

    LeaderEpochCheckpointFile(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    void write(List<EpochEntry> entries) throws IOException {
        StringBuilder text = new StringBuilder().append(VERSION).append('\n').append(entries.size()).append('\n');
        for (EpochEntry entry : entries) {
            text.append(entry.epoch()).append(' ').append(entry.startOffset()).append('\n');
        }
        AtomicFiles.write(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The stored entries, or empty if the file is missing or malformed. */
    Optional<List<EpochEntry>> read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                return malformed("no version 0 header");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (count < 0 || lines.size() != count + 2) {
                return malformed(count + " entries announced, " + (lines.size() - 2) + " present");
            }
            List<EpochEntry> entries = new ArrayList<>(count);
            for (String line : lines.subList(2, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length != 2) {
                    return malformed("line '" + line + "'");
                }
                EpochEntry entry = new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1]));
                EpochEntry previous = entries.isEmpty() ? null : entries.get(entries.size() - 1);
                if (entry.epoch() < 0 || entry.startOffset() < 0 || previous != null
                        && (entry.epoch() <= previous.epoch() || entry.startOffset() < previous.startOffset())) {
                    return malformed("entry " + entry + " out of order");
                }
                entries.add(entry);
            }
            return Optional.of(entries);
        } catch (NumberFormatException e) {
            return malformed(e.getMessage());
        }
    }

    private Optional<List<EpochEntry>> malformed(String why) {
        LOG.warnf("Ignoring malformed leader epoch checkpoint %s: %s", file, why);
        return Optional.empty();
    }
}
