package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** The Kafka protocol listener, under the prefix {@code strata.kafka}. */
@Unremovable
@ConfigMapping(prefix = "strata.kafka")
public interface KafkaListenerConfig {

    /** Interface to bind; {@code 127.0.0.1} in dev and test, all interfaces in prod. */
    @WithDefault("127.0.0.1")
    String host();

    /** Port to bind. */
    @WithDefault("9092")
    int port();

    /** Largest request frame accepted; a larger one closes its connection. */
    @WithName("socket-request-max-bytes")
    @WithDefault("104857600")
    int socketRequestMaxBytes();

    /** Kafka's {@code max.connections.per.ip}: connections one address may have open; more are refused. */
    @WithDefault("2147483647")
    int maxConnectionsPerIp();

    /**
     * Kafka's {@code max.connection.creation.rate}: new connections the listener accepts a second; more are refused
     * (Kafka delays them instead).
     */
    @WithDefault("2147483647")
    int maxConnectionCreationRate();

    /** Network event loop threads; 0 means one per core. */
    @WithDefault("0")
    int ioThreads();

    /**
     * Kafka's {@code security.protocol} of the listener: {@code PLAINTEXT} by default; {@code SSL} and
     * {@code SASL_SSL} put TLS ({@link #tls()}) in front of every connection, {@code SASL_PLAINTEXT} and
     * {@code SASL_SSL} authenticate with SASL ({@code strata.sasl}).
     */
    @WithDefault("PLAINTEXT")
    SecurityProtocol securityProtocol();

    /** TLS of the listener, read when the security protocol is {@code SSL} or {@code SASL_SSL}. */
    KafkaTlsConfig tls();
}
