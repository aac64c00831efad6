package io.strata.broker.protocol;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends a request this broker cannot answer itself to the broker that can, over that broker's inter-broker
 * listener, as Kafka's brokers forward requests to their controller, and as partition leaders and transaction
 * coordinators exchange verifications and markers. The connections are a kafka-clients network client's from
 * {@link InterBrokerClients}: they speak that listener's security protocol and authenticate as this broker. One
 * connection per destination broker stays open between requests; requests to any brokers may be in flight at once.
 * One thread does the network work and completes the futures, so what depends on an answer moves to a thread of its
 * own before it blocks. Every request sent through it may be sent twice: one whose connection closed before its
 * answer came (the broker restarted) is sent once more on a new connection.
 */
public final class RequestForwarder implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RequestForwarder.class);
    private static final String CLIENT_ID = "strata-forwarder";
    /** Requests one connection may carry at once: verifications of concurrent produces to partitions of one broker. */
    private static final int MAX_IN_FLIGHT_PER_BROKER = 100;
    /** How often requests waiting for a connection look again, while it backs off after a failure. */
    private static final long CONNECT_POLL_MS = 50;

    private final InterBrokerClients clients;
    private final Duration timeout;
    private final Time time = Time.SYSTEM;
    private final Metrics metrics = new Metrics();
    private final NetworkClient client;
    /** Requests sent from any thread, for the network thread to take. */
    private final Queue<Forward> submitted = new ConcurrentLinkedQueue<>();
    /** Requests waiting for their broker's connection; the network thread's only. */
    private final List<Forward> waiting = new ArrayList<>();
    /** Requests sent and not answered yet; the network thread's only. */
    private final Set<Forward> inFlight = new HashSet<>();
    /** A node for each broker address sent to, whose id names its connection; the network thread's only. */
    private final Map<String, Node> nodes = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param clients how to connect to the other brokers
     * @param timeout the most connecting to a broker (authentication included), and then waiting for its answer,
     *                may each take
     */
    public RequestForwarder(InterBrokerClients clients, Duration timeout) {
        this.clients = clients;
        this.timeout = timeout;
        this.client = clients.networkClient(CLIENT_ID, "request-forwarder", Map.of(), metrics, MAX_IN_FLIGHT_PER_BROKER,
                timeout, timeout, false, time, new LogContext("[RequestForwarder] "));
        this.thread = new Thread(this::run, "strata-request-forwarder");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Sends {@code request} at {@code version} to the broker at {@code host:port}; completes with its response,
     * or with a {@link NetworkException} naming the broker when it cannot be reached, refuses this broker's
     * credentials or does not answer in time.
     */
    public CompletableFuture<AbstractResponse> send(String host, int port, AbstractRequest.Builder<?> request,
                                                    short version) {
        Forward forward = new Forward(host, port, PinnedVersion.of(request, version));
        submitted.add(forward);
        if (running) {
            client.wakeup();
        } else {
            failSubmitted();
        }
        return forward.result;
    }

    /**
     * Sends {@code request} at {@code version} to {@code broker}'s endpoint on the inter-broker listener; as
     * {@link #send(String, int, AbstractRequest.Builder, short)}, and fails at once with a {@link NetworkException}
     * when the broker has no such listener.
     */
    public CompletableFuture<AbstractResponse> send(BrokerImage broker, AbstractRequest.Builder<?> request,
                                                    short version) {
        Optional<Endpoint> endpoint = clients.endpoint(broker);
        if (endpoint.isEmpty()) {
            return CompletableFuture.failedFuture(new NetworkException("Cannot forward " + request.apiKey()
                    + " to broker " + broker.nodeId() + ": it has no endpoint on " + clients.listener()
                    + ", the listener the brokers reach each other on; it has " + broker.endpoints()));
        }
        return send(endpoint.get().host(), endpoint.get().port(), request, version);
    }

    private void run() {
        try {
            while (running) {
                for (Forward forward = submitted.poll(); forward != null; forward = submitted.poll()) {
                    forward.deadline = time.milliseconds() + timeout.toMillis();
                    waiting.add(forward);
                }
                sendWhereConnected(time.milliseconds());
                client.poll(waiting.isEmpty() ? timeout.toMillis() : CONNECT_POLL_MS, time.milliseconds());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "The request forwarder stopped: %s", e.toString());
        } finally {
            running = false;
            waiting.forEach(forward -> forward.fail("the forwarder is closed", null));
            inFlight.forEach(forward -> forward.fail("the forwarder is closed", null));
            failSubmitted();
            Utils.closeQuietly(client, "request forwarder client");
            metrics.close();
        }
    }

    /**
     * Sends each waiting request whose broker's connection is ready, connecting where none is; fails those whose
     * connection attempt failed since they began waiting, or whose time is up.
     */
    private void sendWhereConnected(long now) {
        for (Iterator<Forward> it = waiting.iterator(); it.hasNext(); ) {
            Forward forward = it.next();
            Node node = nodes.computeIfAbsent(forward.host + ":" + forward.port,
                    address -> new Node(nodes.size(), forward.host, forward.port));
            if (client.ready(node, now)) {
                it.remove();
                try {
                    ClientRequest request = client.newClientRequest(node.idString(), forward.request, now, true,
                            (int) timeout.toMillis(), response -> answered(forward, response));
                    client.send(request, now);
                    inFlight.add(forward);
                } catch (RuntimeException e) {
                    // A request that cannot be built or sent fails alone; the forwarder carries on for the others.
                    forward.fail("the request could not be sent", e);
                }
            } else if (forward.attempted && client.connectionFailed(node)) {
                it.remove();
                AuthenticationException refused = client.authenticationException(node);
                forward.fail(refused != null ? "it refused this broker's credentials" : "it cannot be reached", refused);
            } else if (now >= forward.deadline) {
                it.remove();
                forward.fail("no connection within " + timeout.toMillis() + " ms", null);
            } else {
                // Failed before this request came, the connection waits out its backoff: only a new attempt counts.
                forward.attempted |= !client.connectionFailed(node);
            }
        }
    }

    /** Completes {@code forward} with {@code response}, or sends it once more when its connection closed under it. */
    private void answered(Forward forward, ClientResponse response) {
        inFlight.remove(forward);
        if (response.wasTimedOut()) {
            forward.fail("no answer within " + timeout.toMillis() + " ms", null);
        } else if (response.wasDisconnected() && !forward.resent) {
            forward.resent = true;
            forward.attempted = false;
            forward.deadline = time.milliseconds() + timeout.toMillis();
            waiting.add(forward);
        } else if (response.wasDisconnected()) {
            forward.fail("it closed the connection twice", response.authenticationException());
        } else if (response.versionMismatch() != null) {
            forward.result.completeExceptionally(response.versionMismatch());
        } else {
            forward.result.complete(response.responseBody());
        }
    }

    private void failSubmitted() {
        for (Forward forward = submitted.poll(); forward != null; forward = submitted.poll()) {
            forward.fail("the forwarder is closed", null);
        }
    }

    /** Stops the network thread and closes the connections; requests not answered yet fail. */
    @Override
    public void close() {
        running = false;
        client.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request on its way, with the future of its answer. */
    private static final class Forward {

        final String host;
        final int port;
        final AbstractRequest.Builder<?> request;
        final CompletableFuture<AbstractResponse> result = new CompletableFuture<>();
        /** The network thread's only, as are the fields below. */
        long deadline;
        /** Whether a connection attempt to its broker began while it waited. */
        boolean attempted;
        boolean resent;

        Forward(String host, int port, AbstractRequest.Builder<?> request) {
            this.host = host;
            this.port = port;
            this.request = request;
        }

        void fail(String why, Throwable cause) {
            result.completeExceptionally(new NetworkException("Cannot forward " + request.apiKey()
                    + " to the broker at " + host + ":" + port + ": " + why + (cause == null ? "" : ": " + cause.getMessage()),
                    cause));
        }
    }

    /** A request builder that allows only the version the caller chose, so the client sends it at that version. */
    private static final class PinnedVersion<T extends AbstractRequest> extends AbstractRequest.Builder<T> {

        private final AbstractRequest.Builder<T> builder;

        private PinnedVersion(AbstractRequest.Builder<T> builder, short version) {
            super(builder.apiKey(), version, version);
            this.builder = builder;
        }

        static <T extends AbstractRequest> PinnedVersion<T> of(AbstractRequest.Builder<T> builder, short version) {
            return new PinnedVersion<>(builder, version);
        }

        @Override
        public T build(short version) {
            return builder.build(version);
        }
    }
}
