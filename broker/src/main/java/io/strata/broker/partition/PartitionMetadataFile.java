package io.strata.broker.partition;

import io.strata.broker.log.AtomicFiles;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code partition.metadata} in a partition directory, in Kafka's format:
 * {@code version: 0} and {@code topic_id: <base64 uuid>} on two lines. It ties the directory to
 * one topic id, so a topic re-created under the same name never reads its predecessor's records.
 */
final class PartitionMetadataFile {

    static final String NAME = "partition.metadata";

    private final Path file;

    PartitionMetadataFile(Path partitionDir) {
        this.file = partitionDir.resolve(NAME);
    }

    Optional<Uuid> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("topic_id:")) {
                    return Optional.of(Uuid.fromString(line.substring("topic_id:".length()).trim()));
                }
            }
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    void write(Uuid topicId) {
        try {
            AtomicFiles.write(file, ByteBuffer.wrap(("version: 0\ntopic_id: " + topicId + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new KafkaStorageException("cannot write " + file, e);
        }
    }
}
