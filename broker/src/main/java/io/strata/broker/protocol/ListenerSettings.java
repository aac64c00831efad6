package io.strata.broker.protocol;

import io.strata.broker.cluster.Endpoint;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * One Kafka listener as configured: its name, its security protocol, where it binds and what it advertises. Checked
 * with the broker's other listeners by {@link BrokerListeners}. Immutable.
 *
 * @param host           the interface to bind; empty for every interface
 * @param port           the port to bind; 0 for one the OS chooses
 * @param advertisedHost the host clients and the other brokers are told of; by default the bound one, or this
 *                       machine's name when it binds every interface
 * @param advertisedPort the port they are told of; by default the bound one
 */
public record ListenerSettings(String name, SecurityProtocol securityProtocol, String host, int port,
                               Optional<String> advertisedHost, Optional<Integer> advertisedPort) {

    public ListenerSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(securityProtocol, "securityProtocol");
        Objects.requireNonNull(host, "host");
    }

    public boolean usesTls() {
        return TlsSettings.usesTls(securityProtocol);
    }

    public boolean usesSasl() {
        return InterBrokerSettings.usesSasl(securityProtocol);
    }

    /** The endpoint the listener advertises once it is bound to {@code bound}. */
    public Endpoint advertised(InetSocketAddress bound) {
        return new Endpoint(name, advertisedHost.orElseGet(() -> defaultHost(bound)),
                advertisedPort.orElse(bound.getPort()));
    }

    /** The bound host, unless it is every interface: then this machine's name, as clients elsewhere reach it. */
    private String defaultHost(InetSocketAddress bound) {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return bound.getHostString();
        }
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("Cannot find this machine's name to advertise listener " + name
                    + ", which binds every interface; give it an advertised host (STRATA_KAFKA_ADVERTISED_LISTENERS, "
                    + "or STRATA_ADVERTISED_HOST for the one listener of STRATA_KAFKA_HOST)", e);
        }
    }
}
