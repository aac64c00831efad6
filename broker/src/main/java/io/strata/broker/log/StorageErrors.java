package io.strata.broker.log;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How an I/O failure of one partition log reaches its callers: once, as a {@link KafkaStorageException} that
 * names the partition, the file and what the log was doing.
 */
record StorageErrors(TopicPartition topicPartition, Path dir) {

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
