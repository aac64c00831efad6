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
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends a request this broker cannot answer itself to the broker that can, over that broker's Kafka listener,
 * as Kafka's brokers forward requests to their controller. Each request takes a connection of its own and
 * waits on one thread for its answer: meant for rare administrative requests, not for traffic.
 */
public final class RequestForwarder implements AutoCloseable {

    private static final String CLIENT_ID = "strata-forwarder";

    private final Duration timeout;
    private final AtomicInteger correlationIds = new AtomicInteger();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            ThreadUtils.createThreadFactory("strata-request-forwarder", true));

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
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                socket.setSoTimeout((int) timeout.toMillis());
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeInt(bytes.remaining());
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
                out.flush();
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] response = new byte[in.readInt()];
                in.readFully(response);
                return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
            } catch (IOException e) {
                throw new NetworkException("Cannot forward " + request.apiKey() + " to the broker at " + host + ":"
                        + port + ": " + e, e);
            }
        }, thread);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
