package io.strata.broker.rest;

/**
 * A failure the REST API answers with {@code status} and a JSON body
 * {@code {"error_code": status, "message": ...}}; Kafka errors are turned into one by {@link KafkaErrors}.
 */
public final class RestException extends RuntimeException {

    private final int status;
    private final String kafkaError;

    public RestException(int status, String message) {
        this(status, message, null, null);
    }

    RestException(int status, String message, String kafkaError, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.kafkaError = kafkaError;
    }

    public static RestException badRequest(String message) {
        return new RestException(400, message);
    }

    public static RestException notFound(String message) {
        return new RestException(404, message);
    }

    public static RestException conflict(String message) {
        return new RestException(409, message);
    }

    /** @param sent the request's Content-Type, or null when it had none */
    public static RestException unsupportedMediaType(String sent) {
        return new RestException(415, (sent == null ? "The request has no Content-Type" : "Content-Type " + sent
                + " is not accepted") + ": send the body as JSON with the header Content-Type: application/json.");
    }

    public int status() {
        return status;
    }

    /** The name of the Kafka error this one stands for, or null. */
    public String kafkaError() {
        return kafkaError;
    }
}
