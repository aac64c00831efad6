package io.strata.broker.server;

import io.strata.broker.log.AtomicFiles;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code meta.properties} at the top of the data directory, as Kafka keeps it: the id of the cluster
 * the directory joined and the node id it belongs to, so a directory is never silently reused by
 * another node or moved into another cluster.
 */
final class MetaProperties {

    static final String FILE = "meta.properties";

    private MetaProperties() {
    }

    /**
     * The cluster id the data directory belongs to; empty before the broker first joined a cluster.
     *
     * @throws IllegalStateException when the directory belongs to another node, or the file lost its cluster id
     */
    static Optional<String> clusterId(Path dataDir, int nodeId) {
        Path file = dataDir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            props.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        String onDisk = props.getProperty("node.id");
        if (onDisk != null && !onDisk.equals(Integer.toString(nodeId))) {
            throw new IllegalStateException("The data directory " + dataDir + " belongs to node " + onDisk
                    + ", not to node " + nodeId + " (STRATA_NODE_ID); use another STRATA_DATA_DIR.");
        }
        String clusterId = props.getProperty("cluster.id");
        if (clusterId == null || clusterId.isBlank()) {
            // A new id next to existing logs and metadata would split this node from its cluster.
            throw new IllegalStateException(file + " has no cluster.id; restore it or remove the data directory "
                    + dataDir);
        }
        return Optional.of(clusterId);
    }

    /** Records that the data directory belongs to {@code nodeId} of cluster {@code clusterId}. */
    static void write(Path dataDir, String clusterId, int nodeId) {
        Path file = dataDir.resolve(FILE);
        Properties props = new Properties();
        props.setProperty("version", "1");
        props.setProperty("cluster.id", clusterId);
        props.setProperty("node.id", Integer.toString(nodeId));
        StringWriter text = new StringWriter();
        try {
            props.store(text, "Written by Strata on first start; do not edit");
            Files.createDirectories(dataDir);
            AtomicFiles.write(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
