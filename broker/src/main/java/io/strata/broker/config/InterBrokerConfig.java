package io.strata.broker.config;

import io.quarkus.arc.Unremovable;
import io.smallrye.config.ConfigMapping;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a broker connects to the other brokers' Kafka listeners, to replicate partitions and to forward requests
 * (transaction verifications and markers, DescribeQuorum), under the prefix {@code strata.inter-broker}. The brokers
 * reach each other on the inter-broker listener ({@code strata.kafka.inter-broker-listener-name}, the only one by
 * default) and speak its own security protocol; these settings give what a client of that protocol needs. The SASL
 * settings are read only when that listener uses SASL, the TLS ones only when it uses TLS.
 *
 * <p>With the authorizer on, the broker's user must be a super user ({@code strata.super-users}), or hold CLUSTER_ACTION
 * and DESCRIBE on the cluster: followers fetch, and brokers verify transactions and write their markers, with
 * CLUSTER_ACTION, and DescribeQuorum is forwarded with DESCRIBE. The bootstrap users
 * ({@code strata.sasl.bootstrap-users}) are where it is created.
 */
@Unremovable
@ConfigMapping(prefix = "strata.inter-broker")
public interface InterBrokerConfig {

    /**
     * The SASL mechanism brokers authenticate to each other with; by default the first of {@code strata.sasl.mechanisms}
     * that authenticates with a password ({@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or {@code PLAIN}).
     */
    Optional<String> saslMechanism();

    /**
     * The broker's own user, the same on every broker; no default, required when the inter-broker listener uses SASL.
     */
    Optional<String> username();

    /** The password of {@link #username()}; no default, required (or {@link #passwordFile()}) with SASL. Never logged. */
    Optional<String> password();

    /** A file whose content, trimmed, is the {@link #password()}; set one of the two, not both. */
    Optional<Path> passwordFile();

    /** TLS towards the other brokers' listeners, when the inter-broker listener uses TLS. */
    Tls tls();

    /** The PEM files of a broker's TLS connections to the others, under {@code strata.inter-broker.tls}. */
    interface Tls {

        /**
         * The CA certificates the other brokers' listener certificates must chain to; by default
         * {@code strata.kafka.tls.ca-file} if set, else the listener's own certificate file
         * ({@code strata.kafka.tls.cert-file}), which then holds the CA in its chain or is a certificate every broker
         * shares.
         */
        Optional<Path> caFile();

        /**
         * The certificate the broker presents when the listener asks clients for one
         * ({@code strata.kafka.tls.client-auth} {@code requested} or {@code required}); by default the listener's own
         * ({@code strata.kafka.tls.cert-file}), which must then allow client authentication too.
         */
        Optional<Path> certFile();

        /** The PKCS#8 private key of {@link #certFile()}; by default the listener's ({@code strata.kafka.tls.key-file}). */
        Optional<Path> keyFile();
    }
}
