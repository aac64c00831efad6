package io.strata.broker.config;

import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS of the Kafka listener, under {@code strata.kafka.tls} ({@code STRATA_KAFKA_TLS_...}): read only
 * when {@link KafkaListenerConfig#securityProtocol()} is {@code SSL} or {@code SASL_SSL}. The files are
 * PEM and are read again when they change on disk, for new connections.
 */
public interface KafkaTlsConfig {

    /** The server certificate, optionally followed by its chain; required for TLS, no default. */
    Optional<Path> certFile();

    /** The certificate's private key, PKCS#8 ({@code BEGIN PRIVATE KEY}); required for TLS, no default. */
    Optional<Path> keyFile();

    /** The CA certificates client certificates are checked against; no default, required unless client-auth is none. */
    Optional<Path> caFile();

    /** Whether clients present a certificate: {@code none} by default, {@code requested} or {@code required}. */
    @WithDefault("none")
    TlsClientAuth clientAuth();

    /**
     * Kafka's {@code ssl.principal.mapping.rules}: how a client certificate's subject becomes the user
     * principal; {@code DEFAULT} by default, the subject's distinguished name as it is.
     */
    @WithDefault("DEFAULT")
    String principalMappingRules();
}
