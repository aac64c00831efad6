package io.strata.broker.server;

import io.strata.broker.log.AtomicFiles;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * {@code meta.properties} at the top of the data directory, as Kafka keeps it: the cluster id,
 * chosen once when the directory is first used, and the node id the directory belongs to, so a
 * directory is never silently reused by another node.
 */
final class MetaProperties {

    static final String FILE = "meta.properties";

    private MetaProperties() {
    }

    /** Returns the cluster id, creating the file on first use. */
    static String load(Path dataDir, int nodeId) {
        Path file = dataDir.resolve(FILE);
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                Properties props = new Properties();
                try (Reader reader = Files.newBufferedReader(file)) {
                    props.load(reader);
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
                return clusterId;
            }
            String clusterId = Uuid.randomUuid().toString();
            Properties props = new Properties();
            props.setProperty("version", "1");
            props.setProperty("cluster.id", clusterId);
            props.setProperty("node.id", Integer.toString(nodeId));
            StringWriter text = new StringWriter();
            props.store(text, "Written by Strata on first start; do not edit");
            AtomicFiles.write(file, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.ISO_8859_1)));
            return clusterId;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }
}
