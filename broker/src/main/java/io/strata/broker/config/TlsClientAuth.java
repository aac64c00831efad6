package io.strata.broker.config;

/** Whether clients of a TLS listener present a certificate (Kafka's {@code ssl.client.auth}). */
public enum TlsClientAuth {
    /** No certificate is asked for; every client is {@code User:ANONYMOUS}. */
    NONE,
    /** A certificate is asked for; a client without one connects as {@code User:ANONYMOUS}. */
    REQUESTED,
    /** A client without a certificate the CA file trusts is refused in the handshake. */
    REQUIRED
}
