package io.strata.broker.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.broker.security.AuditLog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The lines the {@link AuditLog} writes while it is open, each parsed as the JSON object it must be. */
public final class AuditLines extends Handler implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> raw = new CopyOnWriteArrayList<>();

    private AuditLines() {
    }

    /** Starts collecting the audit log's lines of this JVM. */
    public static AuditLines capture() {
        AuditLines lines = new AuditLines();
        Logger.getLogger(AuditLog.CATEGORY).addHandler(lines);
        return lines;
    }

    @Override
    public void publish(LogRecord record) {
        raw.add(record.getMessage());
    }

    /** Every line so far, as written. */
    public List<String> raw() {
        return List.copyOf(raw);
    }

    /** The lines so far that match {@code filter}, parsed. */
    public List<JsonNode> matching(Predicate<JsonNode> filter) {
        return raw.stream().map(AuditLines::parse).filter(filter).toList();
    }

    /** The lines of {@code event} about {@code resource}. */
    public List<JsonNode> about(String event, String resource) {
        return matching(line -> line.path("event").asText().equals(event)
                && line.path("resource").asText().equals(resource));
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("an audit line that is not JSON: " + line, e);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger(AuditLog.CATEGORY).removeHandler(this);
    }
}
