package io.strata.broker.protocol;

import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.ThreadUtils;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a request this broker cannot answer itself to the broker that can, over that broker's Kafka listener,
 * as Kafka's brokers forward requests to their controller, and as partition leaders and transaction coordinators
 * exchange verifications and markers. One connection per destination broker stays open between requests; the
 * requests wait on one thread for their answers, one at a time. Every request sent through it may be sent twice:
 * a connection found closed (the broker restarted) is replaced once for the same request.
 */
public final class RequestForwarder implements AutoCloseable {

    private static final String CLIENT_ID = "strata-forwarder";

    private final Duration timeout;
    private final AtomicInteger correlationIds = new AtomicInteger();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            ThreadUtils.createThreadFactory("strata-request-forwarder", true));
    /** The idle connection to each broker sent to; used on {@link #thread}, closed by {@link #close} too. */
    private final Map<InetSocketAddress, Connection> connections = new ConcurrentHashMap<>();

    /** @param timeout the most connecting to the broker, and then waiting for its answer, may each take */
    public RequestForwarder(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Sends {@code request} at {@code version} to the broker at {@code host:port}; completes with its response,
     * or with a {@link NetworkException} naming the broker when it cannot be reached or does not answer in time.
     */
    public CompletableFuture<AbstractResponse> send(String host, int port, AbstractRequest.Builder<?> request,
                                                    short version) {
        return CompletableFuture.supplyAsync(() -> {
            RequestHeader header = new RequestHeader(request.apiKey(), version, CLIENT_ID,
                    correlationIds.incrementAndGet());
            ByteBuffer bytes = request.build(version).serializeWithHeader(header);
            InetSocketAddress broker = new InetSocketAddress(host, port);
            Connection open = connections.remove(broker);
            try {
                if (open != null) {
                    try {
                        return exchange(open, broker, bytes, header);
                    } catch (SocketTimeoutException e) {
                        throw e;
                    } catch (IOException closed) {
                        // Closed since the last request (the broker restarted): once more on a new connection.
                        open.close();
                    }
                }
                return exchange(connect(broker), broker, bytes, header);
            } catch (IOException e) {
                throw new NetworkException("Cannot forward " + request.apiKey() + " to the broker at " + host + ":"
                        + port + ": " + e, e);
            }
        }, thread);
    }

    private Connection connect(InetSocketAddress broker) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(broker, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.setTcpNoDelay(true);
            return new Connection(socket, new DataOutputStream(socket.getOutputStream()),
                    new DataInputStream(socket.getInputStream()));
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends one request on {@code connection} and reads its answer; keeps the connection for the next, or closes it. */
    private AbstractResponse exchange(Connection connection, InetSocketAddress broker, ByteBuffer bytes,
                                      RequestHeader header) throws IOException {
        try {
            connection.out().writeInt(bytes.remaining());
            connection.out().write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            connection.out().flush();
            byte[] response = new byte[connection.in().readInt()];
            connection.in().readFully(response);
            AbstractResponse parsed = AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            connections.put(broker, connection);
            return parsed;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Stops the thread and closes the idle connections; requests not sent yet fail. */
    @Override
    public void close() {
        thread.shutdownNow();
        connections.values().forEach(Connection::close);
        connections.clear();
    }

    private record Connection(Socket socket, DataOutputStream out, DataInputStream in) {

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a socket to a broker gone or done with frees it whatever the outcome.
            }
        }
    }
}
