package io.strata.broker.log;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.requests.ProduceResponse.RecordError;

import java.util.List;
import java.util.Optional;

/**
 * Which records of a batch failed validation, and why (KIP-467): the cause of the batch's refusal, which is an
 * {@link InvalidTimestampException} when a timestamp is among the reasons and an {@link InvalidRecordException}
 * otherwise, as Kafka's. A Produce answer names them, and the producer fails those records with their own reason and
 * the rest of the batch as part of a refused batch.
 */
public final class RecordErrors extends RuntimeException {

    private final transient List<RecordError> errors;

    private RecordErrors(List<RecordError> errors) {
        super(errors.size() + " records refused", null, false, false);
        this.errors = List.copyOf(errors);
    }

    /** Each record that failed, by its index in the batch. */
    public List<RecordError> errors() {
        return errors;
    }

    /** The record errors a refusal names, if it names any. */
    public static Optional<RecordErrors> of(Throwable refusal) {
        return refusal.getCause() instanceof RecordErrors named ? Optional.of(named) : Optional.empty();
    }

    /** The refusal of a batch of {@code partition} for {@code errors}; {@code timestamps} if one is a timestamp's. */
    static ApiException refusal(TopicPartition partition, List<RecordError> errors, boolean timestamps) {
        String message = errors.size() == 1 ? errors.get(0).message
                : errors.size() + " records of a batch in a produce to " + partition + " are refused; the first: "
                + errors.get(0).message;
        RecordErrors cause = new RecordErrors(errors);
        return timestamps ? new InvalidTimestampException(message, cause) : new InvalidRecordException(message, cause);
    }
}
