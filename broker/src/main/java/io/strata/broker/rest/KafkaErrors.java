package io.strata.broker.rest;

import org.apache.kafka.common.protocol.Errors;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/** The one place where Kafka error codes become HTTP statuses. */
public final class KafkaErrors {

    private KafkaErrors() {
    }

    /** The HTTP status a Kafka error is answered with. */
    public static int status(Errors error) {
        return switch (error) {
            case NONE -> 200;
            case UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_ID, GROUP_ID_NOT_FOUND -> 404;
            case TOPIC_ALREADY_EXISTS, NON_EMPTY_GROUP, REBALANCE_IN_PROGRESS, UNKNOWN_MEMBER_ID,
                 ILLEGAL_GENERATION, FENCED_INSTANCE_ID -> 409;
            case INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, INVALID_REPLICATION_FACTOR, INVALID_CONFIG,
                 INVALID_REQUEST, POLICY_VIOLATION, INVALID_RECORD, CORRUPT_MESSAGE, INVALID_TIMESTAMP,
                 INVALID_GROUP_ID, OFFSET_OUT_OF_RANGE, OFFSET_METADATA_TOO_LARGE, INVALID_COMMIT_OFFSET_SIZE,
                 INVALID_TXN_STATE, UNSUPPORTED_VERSION -> 400;
            case TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED,
                 TRANSACTIONAL_ID_AUTHORIZATION_FAILED -> 403;
            case RECORD_LIST_TOO_LARGE, MESSAGE_TOO_LARGE -> 413;
            case COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, NOT_CONTROLLER,
                 LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR,
                 NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, BROKER_NOT_AVAILABLE -> 503;
            default -> 500;
        };
    }

    /** {@code error} as a REST failure; {@code message} defaults to Kafka's description of the error. */
    public static RestException toRest(Errors error, String message) {
        return toRest(error, message, null);
    }

    private static RestException toRest(Errors error, String message, Throwable cause) {
        String text = message == null || message.isBlank() ? error.message() : message;
        return new RestException(status(error), text, error == Errors.UNKNOWN_SERVER_ERROR ? null : error.name(), cause);
    }

    /** Any failure of a broker call as a REST failure: Kafka's exceptions by their error code, the rest as 500. */
    public static RestException toRest(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof RestException rest) {
            return rest;
        }
        Errors error = Errors.forException(cause);
        return toRest(error, cause.getMessage(), cause);
    }

    /** The answer {@code answer} makes of what a broker {@code call} completes with; its failure as a REST failure. */
    public static <T, R> CompletionStage<R> answer(CompletionStage<T> call, Function<? super T, ? extends R> answer) {
        return call.handle((result, failure) -> {
            if (failure != null) {
                throw toRest(failure);
            }
            return answer.apply(result);
        });
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
