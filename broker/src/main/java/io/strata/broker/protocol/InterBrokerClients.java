package io.strata.broker.protocol;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import org.apache.kafka.clients.ApiVersions;
import org.apache.kafka.clients.ManualMetadataUpdater;
import org.apache.kafka.clients.MetadataRecoveryStrategy;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ChannelBuilder;
import org.apache.kafka.common.network.ChannelBuilders;
import org.apache.kafka.common.network.NetworkReceive;
import org.apache.kafka.common.network.Selectable;
import org.apache.kafka.common.network.Selector;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.apache.kafka.common.security.plain.internals.PlainSaslServer;
import org.apache.kafka.common.security.scram.ScramLoginModule;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The kafka-clients network clients a broker reaches the other brokers' inter-broker listeners with, for replication
 * and forwarded requests: they speak that listener's security protocol and, as {@link InterBrokerSettings} say, log
 * in as the broker's user with SASL and check the other brokers' certificates with TLS (and present the broker's own
 * when the listener asks for one). The PEM files are read for each new client, so a client started after a certificate
 * was renewed presents the new one. Thread-safe.
 */
public final class InterBrokerClients {

    /** The client settings of kafka-clients' channel builders: TLS and SASL with their defaults. */
    private static final ConfigDef CHANNEL_CONFIG = new ConfigDef().withClientSslSupport().withClientSaslSupport();
    private static final long RECONNECT_BACKOFF_MS = 50;
    private static final long RECONNECT_BACKOFF_MAX_MS = 1000;
    /** A Java client's default, a minute short of a broker's: the client closes an idle connection first. */
    private static final long CONNECTIONS_MAX_IDLE_MS = 540_000;

    private final InterBrokerSettings settings;

    public InterBrokerClients(InterBrokerSettings settings) {
        this.settings = settings;
    }

    /** Where this broker reaches {@code broker}: its endpoint on the inter-broker listener, if it has that listener. */
    public Optional<Endpoint> endpoint(BrokerImage broker) {
        return broker.endpoint(settings.listener());
    }

    /** The name of the listener the brokers reach each other on. */
    public String listener() {
        return settings.listener();
    }

    /**
     * A client of the other brokers, whose node ids are whatever the caller names them by.
     *
     * @param clientId          the client id of its requests, as the other brokers log them
     * @param metricGroup       the group of its connection metrics in {@code metrics}, tagged with {@code metricTags}
     * @param maxInFlight       the requests it may have waiting for their answers on one connection
     * @param requestTimeout    how long a request may wait for its answer before its connection is closed
     * @param connectTimeout    how long setting up a connection may take
     * @param discoverVersions  whether it asks a broker for its API versions, to send each request at the newest
     *                          both support; else every request goes at its builder's latest allowed version
     */
    public NetworkClient networkClient(String clientId, String metricGroup, Map<String, String> metricTags,
                                       Metrics metrics, int maxInFlight, Duration requestTimeout,
                                       Duration connectTimeout, boolean discoverVersions, Time time,
                                       LogContext logContext) {
        Selector selector = new Selector(NetworkReceive.UNLIMITED, CONNECTIONS_MAX_IDLE_MS, metrics, time, metricGroup,
                metricTags, false, channelBuilder(time, logContext), logContext);
        return new NetworkClient(selector, new ManualMetadataUpdater(), clientId, maxInFlight, RECONNECT_BACKOFF_MS,
                RECONNECT_BACKOFF_MAX_MS, Selectable.USE_DEFAULT_BUFFER_SIZE, Selectable.USE_DEFAULT_BUFFER_SIZE,
                (int) requestTimeout.toMillis(), connectTimeout.toMillis(), connectTimeout.toMillis(), time,
                discoverVersions, new ApiVersions(), logContext, MetadataRecoveryStrategy.NONE);
    }

    private ChannelBuilder channelBuilder(Time time, LogContext logContext) {
        return ChannelBuilders.clientChannelBuilder(settings.securityProtocol(), JaasContext.Type.CLIENT,
                new AbstractConfig(CHANNEL_CONFIG, channelConfig(), false), null,
                settings.sasl().map(InterBrokerSettings.Sasl::mechanism).orElse(null), time, logContext);
    }

    /** The kafka-clients settings of these connections, as a Kafka client's configuration would give them. */
    Map<String, Object> channelConfig() {
        Map<String, Object> config = new HashMap<>();
        settings.sasl().ifPresent(sasl -> {
            config.put(SaslConfigs.SASL_MECHANISM, sasl.mechanism());
            config.put(SaslConfigs.SASL_JAAS_CONFIG, jaasConfig(sasl));
        });
        settings.tls().ifPresent(tls -> {
            config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.caFile().toString());
            if (tls.certFile().isPresent()) {
                config.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
                config.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, read(tls.certFile().get()));
                config.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read(tls.keyFile().orElseThrow()));
            }
        });
        return config;
    }

    private static String jaasConfig(InterBrokerSettings.Sasl sasl) {
        Class<?> module = sasl.mechanism().equals(PlainSaslServer.PLAIN_MECHANISM) ? PlainLoginModule.class
                : ScramLoginModule.class;
        return module.getName() + " required username=\"" + quoted(sasl.username()) + "\" password=\""
                + quoted(sasl.password()) + "\";";
    }

    /** {@code value} inside a JAAS configuration's double quotes, where a backslash escapes the next character. */
    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + " for the connections to the other brokers", e);
        }
    }
}
