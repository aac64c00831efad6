package io.strata.broker.cluster;

import java.util.Objects;

/**
 * Where a Kafka listener is reached, as Kafka's {@code EndPoint}: the listener's name, a host and a port. In the
 * metadata it is an address a broker advertises; in the listener settings it may also be one to bind, where an empty
 * host means every interface and port 0 one the OS chooses. Immutable.
 *
 * @param listener the listener's name, upper case ({@code PLAINTEXT}, {@code INTERNAL}, ...)
 */
public record Endpoint(String listener, String host, int port) {

    /**
     * The listener name an endpoint registered before brokers had several listeners is read back under: it was the
     * broker's one listener, named after its security protocol, which the record did not keep, so it answers to any
     * name ({@link BrokerImage#endpoint}) until the broker next starts and registers its listeners by name.
     */
    public static final String UNNAMED_LISTENER = "*";

    public Endpoint {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(host, "host");
    }

    /** {@code NAME://host:port}, as Kafka writes a listener, with an IPv6 host in brackets. */
    @Override
    public String toString() {
        return listener + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
