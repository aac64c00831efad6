package io.strata.broker.protocol;

import io.strata.broker.cluster.Endpoint;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.config.KafkaListenerConfig;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.strata.broker.config.SettingCheck.describe;
import static io.strata.broker.config.SettingCheck.requireRange;

/**
 * The broker's Kafka listeners as its settings give them, checked together, once. Either Kafka's
 * {@code listeners}, {@code advertised.listeners}, {@code listener.security.protocol.map} and
 * {@code inter.broker.listener.name} ({@code strata.kafka.listeners} and the settings beside it), or, while
 * {@code strata.kafka.listeners} is unset, the one listener of {@code strata.kafka.host}, {@code port} and
 * {@code security-protocol}, named after its protocol and advertised by {@code strata.advertised.host} and
 * {@code port}; setting both forms is refused. A bad setting stops start-up with a line naming it. Immutable.
 *
 * @param listeners           in the order they are configured; the first is the one a broker's Kafka address and
 *                            bootstrap servers stand for
 * @param interBrokerListener the name of the listener the brokers reach each other on
 * @param configured          whether {@code strata.kafka.listeners} gave them, rather than the one listener's settings
 */
public record BrokerListeners(List<ListenerSettings> listeners, String interBrokerListener, boolean configured) {

    private static final String LISTENERS = "strata.kafka.listeners";
    private static final String ADVERTISED_LISTENERS = "strata.kafka.advertised-listeners";
    private static final String PROTOCOL_MAP = "strata.kafka.listener-security-protocol-map";
    private static final String INTER_BROKER_LISTENER = "strata.kafka.inter-broker-listener-name";
    private static final String HOST = "strata.kafka.host";
    private static final String PORT = "strata.kafka.port";
    private static final String SECURITY_PROTOCOL = "strata.kafka.security-protocol";
    private static final String ADVERTISED_HOST = "strata.advertised.host";
    private static final String ADVERTISED_PORT = "strata.advertised.port";
    /** The addresses that bind every interface: no client can connect to them. */
    private static final Set<String> EVERY_INTERFACE = Set.of("0.0.0.0", "::", "0:0:0:0:0:0:0:0");

    public BrokerListeners {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException(describe(LISTENERS) + " names no listener");
        }
        Map<String, ListenerSettings> byName = new LinkedHashMap<>();
        Map<Integer, String> byPort = new HashMap<>();
        for (ListenerSettings listener : listeners) {
            if (byName.put(listener.name(), listener) != null) {
                throw new IllegalArgumentException(describe(LISTENERS) + " names listener " + listener.name()
                        + " twice");
            }
            requirePort(configured, listener);
            String samePort = listener.port() == 0 ? null : byPort.putIfAbsent(listener.port(), listener.name());
            if (samePort != null) {
                throw new IllegalArgumentException(describe(LISTENERS) + " gives listeners " + samePort + " and "
                        + listener.name() + " the same port " + listener.port()
                        + "; each needs a port of its own (or 0, for one the OS chooses)");
            }
            requireAdvertisable(configured, listener);
        }
        if (!byName.containsKey(interBrokerListener)) {
            throw new IllegalArgumentException(describe(INTER_BROKER_LISTENER) + " is " + interBrokerListener
                    + ", which is not a listener; the listeners are " + byName.keySet());
        }
    }

    /** The listeners {@code kafka} and {@code advertised} configure. */
    public static BrokerListeners from(KafkaListenerConfig kafka, BrokerConfig.Advertised advertised) {
        Optional<String> interBroker = kafka.interBrokerListenerName().map(name -> name.toUpperCase(Locale.ROOT));
        if (kafka.listeners().isEmpty()) {
            if (kafka.advertisedListeners().isPresent()) {
                throw new IllegalArgumentException(describe(ADVERTISED_LISTENERS) + " is set but " + describe(LISTENERS)
                        + " is not: name the listeners it advertises there, or advertise the one listener with "
                        + describe(ADVERTISED_HOST) + " and " + describe(ADVERTISED_PORT));
            }
            SecurityProtocol protocol = kafka.securityProtocol();
            return new BrokerListeners(List.of(new ListenerSettings(protocol.name, protocol, kafka.host(), kafka.port(),
                    advertised.host(), advertised.port())), interBroker.orElse(protocol.name), false);
        }
        if (advertised.host().isPresent() || advertised.port().isPresent()) {
            throw new IllegalArgumentException(describe(ADVERTISED_HOST) + " and " + describe(ADVERTISED_PORT)
                    + " advertise the one listener of " + describe(HOST) + "; with " + describe(LISTENERS)
                    + " set, advertise each listener in " + describe(ADVERTISED_LISTENERS) + " instead");
        }
        if (kafka.securityProtocol() != SecurityProtocol.PLAINTEXT) {
            throw new IllegalArgumentException(describe(SECURITY_PROTOCOL) + " is " + kafka.securityProtocol()
                    + ", but with " + describe(LISTENERS) + " set each listener's protocol comes from "
                    + describe(PROTOCOL_MAP) + "; leave " + describe(SECURITY_PROTOCOL) + " unset");
        }
        Map<String, SecurityProtocol> protocols = ListenerFormat.protocolMap(PROTOCOL_MAP,
                kafka.listenerSecurityProtocolMap());
        Map<String, Endpoint> advertisedByName = advertisedByName(kafka.advertisedListeners());
        List<ListenerSettings> listeners = new ArrayList<>();
        for (Endpoint bound : ListenerFormat.endpoints(LISTENERS, kafka.listeners().get())) {
            SecurityProtocol protocol = protocols.get(bound.listener());
            if (protocol == null) {
                throw new IllegalArgumentException("listener " + bound.listener() + " of " + describe(LISTENERS)
                        + " has no security protocol: " + describe(PROTOCOL_MAP) + " is \""
                        + kafka.listenerSecurityProtocolMap() + "\"; add " + bound.listener() + ":<protocol> to it");
            }
            Optional<Endpoint> advertisedAs = Optional.ofNullable(advertisedByName.remove(bound.listener()));
            // As Kafka: an advertised listener without a host, or with port 0, advertises what the listener binds.
            listeners.add(new ListenerSettings(bound.listener(), protocol, bound.host(), bound.port(),
                    advertisedAs.map(Endpoint::host).filter(host -> !host.isEmpty()),
                    advertisedAs.map(Endpoint::port).filter(port -> port != 0)));
        }
        if (!advertisedByName.isEmpty()) {
            throw new IllegalArgumentException(describe(ADVERTISED_LISTENERS) + " advertises "
                    + advertisedByName.keySet() + ", which " + describe(LISTENERS) + " does not name");
        }
        return new BrokerListeners(listeners, interBroker.orElse(listeners.get(0).name()), true);
    }

    private static Map<String, Endpoint> advertisedByName(Optional<String> value) {
        Map<String, Endpoint> byName = new LinkedHashMap<>();
        for (Endpoint endpoint : value.map(v -> ListenerFormat.endpoints(ADVERTISED_LISTENERS, v)).orElse(List.of())) {
            if (byName.put(endpoint.listener(), endpoint) != null) {
                throw new IllegalArgumentException(describe(ADVERTISED_LISTENERS) + " advertises listener "
                        + endpoint.listener() + " twice");
            }
        }
        return byName;
    }

    private static void requirePort(boolean configured, ListenerSettings listener) {
        if (!configured) {
            requireRange(PORT, listener.port(), 0, 65535);
        } else if (listener.port() > 65535) {
            throw new IllegalArgumentException(describe(LISTENERS) + " gives listener " + listener.name() + " port "
                    + listener.port() + "; allowed values are 0 to 65535");
        }
    }

    private static void requireAdvertisable(boolean configured, ListenerSettings listener) {
        if (listener.advertisedHost().filter(EVERY_INTERFACE::contains).isPresent()) {
            throw new IllegalArgumentException(describe(configured ? ADVERTISED_LISTENERS : ADVERTISED_HOST)
                    + " advertises listener " + listener.name() + " at " + listener.advertisedHost().get()
                    + ", which stands for every interface; clients cannot connect to it");
        }
        if (!configured) {
            listener.advertisedPort().ifPresent(port -> requireRange(ADVERTISED_PORT, port, 1, 65535));
        } else if (listener.advertisedPort().filter(port -> port > 65535).isPresent()) {
            throw new IllegalArgumentException(describe(ADVERTISED_LISTENERS) + " advertises listener "
                    + listener.name() + " at port " + listener.advertisedPort().get()
                    + "; allowed values are 1 to 65535");
        }
    }

    /** The first listener: a broker's Kafka address and bootstrap servers are this one's. */
    public ListenerSettings first() {
        return listeners.get(0);
    }

    /** The listener the brokers reach each other on. */
    public ListenerSettings interBroker() {
        return listeners.stream().filter(listener -> listener.name().equals(interBrokerListener)).findFirst()
                .orElseThrow();
    }

    /** Whether a listener runs over TLS, and so the broker needs {@code strata.kafka.tls}. */
    public boolean usesTls() {
        return listeners.stream().anyMatch(ListenerSettings::usesTls);
    }

    /** Whether a listener authenticates with SASL, and so the broker's SASL users sign in. */
    public boolean usesSasl() {
        return listeners.stream().anyMatch(ListenerSettings::usesSasl);
    }

    /**
     * {@code listener}'s security protocol and the setting it comes from, for the messages of the settings it calls
     * for: "strata.kafka.security-protocol (STRATA_KAFKA_SECURITY_PROTOCOL) is SSL".
     */
    public String describeProtocol(ListenerSettings listener) {
        if (!configured) {
            return describe(SECURITY_PROTOCOL) + " is " + listener.securityProtocol();
        }
        return "listener " + listener.name() + (listener.name().equals(interBrokerListener) ? ", the inter-broker one,"
                : "") + " is " + listener.securityProtocol() + " by " + describe(PROTOCOL_MAP);
    }
}
