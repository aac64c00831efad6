package io.strata.broker.protocol;

/**
 * Completes a handler's stage when the only way to tell the client is to close its connection:
 * a failed produce with acks=0, which has no response, makes the producer refresh its metadata
 * and reconnect, as with Apache Kafka.
 */
public final class ConnectionClosingException extends RuntimeException {

    public ConnectionClosingException(String message) {
        super(message, null, false, false);
    }
}
