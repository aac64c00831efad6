package io.strata.broker.server;

import io.strata.broker.cluster.Endpoint;
import io.strata.broker.protocol.KafkaListener;
import io.strata.broker.protocol.ListenerSettings;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The broker's Kafka listeners once bound, in the order they are configured: where each is bound and what it
 * advertises. Closed, it closes them all. Thread-safe.
 */
final class KafkaListenerGroup implements AutoCloseable {

    /** Every listener handed in, bound or not, to be closed. */
    private final List<KafkaListener> opened = new CopyOnWriteArrayList<>();
    private final List<Bound> bound = new CopyOnWriteArrayList<>();

    /** A listener bound to {@code address}, advertising {@code advertised}. */
    private record Bound(ListenerSettings settings, KafkaListener listener, InetSocketAddress address,
                         Endpoint advertised) {
    }

    /** Binds {@code listener}, configured by {@code settings}; closing the group closes it, bound or not. */
    void bind(ListenerSettings settings, KafkaListener listener) throws InterruptedException {
        opened.add(listener);
        InetSocketAddress address;
        try {
            address = listener.bind(settings.host(), settings.port());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // Netty rethrows the bind's own failure, a BindException among others, unchecked or not.
            throw new IllegalStateException("Cannot bind listener " + settings.name() + " to "
                    + (settings.host().isEmpty() ? "every interface" : settings.host()) + " port " + settings.port()
                    + ": " + e, e);
        }
        bound.add(new Bound(settings, listener, address, settings.advertised(address)));
    }

    /** The endpoint each listener advertises, as the broker registers them. */
    List<Endpoint> advertised() {
        return bound.stream().map(Bound::advertised).toList();
    }

    /** Where listener {@code name} is bound. */
    InetSocketAddress address(String name) {
        return find(name).address();
    }

    /** What listener {@code name} advertises. */
    Endpoint advertised(String name) {
        return find(name).advertised();
    }

    /** The first listener's name, which the broker's Kafka address and bootstrap servers stand for. */
    String first() {
        return bound.get(0).settings().name();
    }

    /** Connections open now on listener {@code name}. */
    int openConnections(String name) {
        return find(name).listener().openConnections();
    }

    /** Connections open now on all the listeners. */
    int openConnections() {
        return bound.stream().mapToInt(listener -> listener.listener().openConnections()).sum();
    }

    /** Completes once every event loop of every listener ran a no-op. */
    CompletableFuture<Void> probeEventLoops() {
        return CompletableFuture.allOf(bound.stream().map(listener -> listener.listener().probeEventLoops())
                .toArray(CompletableFuture[]::new));
    }

    /** Each listener as the start-up line tells it: name, bound address, protocol and advertised address. */
    String describe() {
        return bound.stream().map(listener -> listener.settings().name() + " "
                        + listener.address().getHostString() + ":" + listener.address().getPort() + " ("
                        + listener.settings().securityProtocol() + ", advertised " + listener.advertised().host() + ":"
                        + listener.advertised().port() + ")")
                .collect(Collectors.joining(", "));
    }

    private Bound find(String name) {
        return bound.stream().filter(listener -> listener.settings().name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("No listener " + name + "; the listeners are "
                        + bound.stream().map(listener -> listener.settings().name()).toList()));
    }

    @Override
    public void close() {
        opened.forEach(KafkaListener::close);
    }
}
