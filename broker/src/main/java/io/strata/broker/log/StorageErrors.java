package io.strata.broker.log;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How an I/O failure of one partition log reaches its callers: once, as a {@link KafkaStorageException} that
 * names the partition, the file and what the log was doing. After a failed write the log is offline, and after
 * its close it is closed: every later call is refused with a {@link KafkaStorageException} saying which.
 */
final class StorageErrors {

    private final TopicPartition topicPartition;
    private final Path dir;
    private volatile boolean offline;
    private volatile boolean closed;

    StorageErrors(TopicPartition topicPartition, Path dir) {
        this.topicPartition = topicPartition;
        this.dir = dir;
    }

    /** Takes the log offline after a failed write and returns the error to throw. */
    KafkaStorageException goOffline(String action, Path file, IOException e) {
        offline = true;
        return of(action, file, e);
    }

    /** @throws KafkaStorageException if the log is offline or closed */
    void ensureUsable() {
        if (offline) {
            throw new KafkaStorageException("The log of " + topicPartition + " in " + dir + " is offline after an I/O error");
        }
        if (closed) {
            throw new KafkaStorageException("The log of " + topicPartition + " in " + dir + " is closed");
        }
    }

    Path dir() {
        return dir;
    }

    boolean offline() {
        return offline;
    }

    boolean closed() {
        return closed;
    }

    /** Refuses every later call; {@code failed} also takes the log offline. */
    void close(boolean failed) {
        closed = true;
        offline |= failed;
    }

    KafkaStorageException of(String action, Path file, Exception e) {
        return new KafkaStorageException("I/O error " + action + " " + topicPartition + " (" + file + "): " + e, e);
    }

    /** {@code e} as a storage error if it wraps an I/O failure, else {@code e} itself. */
    KafkaException unwrap(KafkaException e, String action) {
        return isIoFailure(e) ? of(action, dir, (IOException) e.getCause()) : e;
    }

    /** kafka-clients' record iterators wrap an IOException in a bare KafkaException. */
    static boolean isIoFailure(KafkaException e) {
        return e.getClass() == KafkaException.class && e.getCause() instanceof IOException;
    }
}
