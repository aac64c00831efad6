package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.time.Duration;
import java.util.Optional;

/**
 * The Kafka protocol listeners, under the prefix {@code strata.kafka}: by default one, at {@link #host()} and
 * {@link #port()} in {@link #securityProtocol()}; or several, as Kafka's {@code listeners} names them
 * ({@link #listeners()}). TLS ({@link #tls()}) and SASL ({@code strata.sasl}) are shared by every listener whose
 * protocol uses them; Kafka's per-listener overrides ({@code listener.name.<name>.*}) have no equivalent.
 */
@Unremovable
@ConfigMapping(prefix = "strata.kafka")
public interface KafkaListenerConfig {

    /**
     * Interface to bind; {@code 127.0.0.1} in dev and test, all interfaces in prod. Not read with {@link #listeners()}.
     */
    @WithDefault("127.0.0.1")
    String host();

    /** Port to bind. Not read with {@link #listeners()}. */
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

    /**
     * Kafka's {@code connections.max.idle.ms}: a connection with no byte in or out for this long is closed, as is one
     * whose client stopped halfway through a request.
     */
    @WithDefault("10m")
    Duration connectionsMaxIdle();

    /**
     * Kafka's {@code queued.max.request.bytes}: the bytes that requests of over {@value
     * io.strata.broker.protocol.RequestMemoryPool#SMALL_FRAME_BYTES} bytes still being received may hold together; a
     * connection whose large request does not fit is not read until enough is freed. Kafka leaves it unbounded.
     */
    @WithDefault("104857600")
    long queuedMaxRequestBytes();

    /** Network event loop threads; 0 means one per core. */
    @WithDefault("0")
    int ioThreads();

    /**
     * Kafka's {@code security.protocol} of the one listener: {@code PLAINTEXT} by default; {@code SSL} and
     * {@code SASL_SSL} put TLS ({@link #tls()}) in front of every connection, {@code SASL_PLAINTEXT} and
     * {@code SASL_SSL} authenticate with SASL ({@code strata.sasl}). With {@link #listeners()} each listener's comes
     * from {@link #listenerSecurityProtocolMap()} instead, and this one must be left unset.
     */
    @WithDefault("PLAINTEXT")
    SecurityProtocol securityProtocol();

    /**
     * Kafka's {@code listeners}: {@code NAME://host:port,...}, an empty host for every interface, port 0 for one the
     * OS chooses; unset: the one listener of {@link #host()}, {@link #port()} and {@link #securityProtocol()}, named
     * after its protocol.
     */
    Optional<String> listeners();

    /**
     * Kafka's {@code advertised.listeners}: {@code NAME://host:port,...}, what the named listeners tell clients and the
     * other brokers to connect to; a listener not named advertises its bound host (this machine's name when bound to
     * every interface) and port. With {@link #listeners()} only: the one listener is advertised by
     * {@code strata.advertised.host} and {@code strata.advertised.port}.
     */
    Optional<String> advertisedListeners();

    /** Kafka's {@code listener.security.protocol.map}: {@code NAME:PROTOCOL,...}, the protocol of each listener. */
    @WithDefault("PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL")
    String listenerSecurityProtocolMap();

    /** Kafka's {@code inter.broker.listener.name}: the listener the brokers reach each other on; the first by default. */
    Optional<String> interBrokerListenerName();

    /** TLS of every listener whose security protocol is {@code SSL} or {@code SASL_SSL}. */
    KafkaTlsConfig tls();
}
