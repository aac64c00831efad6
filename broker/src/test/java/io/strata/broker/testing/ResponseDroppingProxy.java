package io.strata.broker.testing;

import org.apache.kafka.common.protocol.ApiKeys;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a broker that, a given number of times, swallows a produce
 * response and cuts the connection instead: the producer sees its request fail after the broker
 * appended it, exactly what a lost response looks like on a real network.
 */
public final class ResponseDroppingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final AtomicInteger producesToDrop = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private volatile int upstreamPort;

    public ResponseDroppingProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public void forwardTo(int port) {
        upstreamPort = port;
    }

    public void dropProduceResponses(int count) {
        producesToDrop.set(count);
    }

    public int dropped() {
        return dropped.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                Set<Integer> produceCorrelations = ConcurrentHashMap.newKeySet();
                start(() -> pumpRequests(client, upstream, produceCorrelations));
                start(() -> pumpResponses(upstream, client, produceCorrelations));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void start(Runnable pump) {
        Thread thread = new Thread(pump, "proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void pumpRequests(Socket client, Socket upstream, Set<Integer> produceCorrelations) {
        try (DataInputStream in = new DataInputStream(client.getInputStream());
             DataOutputStream out = new DataOutputStream(upstream.getOutputStream())) {
            while (true) {
                byte[] frame = readFrame(in);
                short apiKey = (short) (((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
                if (apiKey == ApiKeys.PRODUCE.id) {
                    produceCorrelations.add(correlationId(frame, 4));
                }
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, upstream);
        }
    }

    private void pumpResponses(Socket upstream, Socket client, Set<Integer> produceCorrelations) {
        try (DataInputStream in = new DataInputStream(upstream.getInputStream());
             DataOutputStream out = new DataOutputStream(client.getOutputStream())) {
            while (true) {
                byte[] frame = readFrame(in);
                if (produceCorrelations.remove(correlationId(frame, 0)) && producesToDrop.getAndDecrement() > 0) {
                    dropped.incrementAndGet();
                    closeQuietly(client, upstream);
                    return;
                }
                out.writeInt(frame.length);
                out.write(frame);
                out.flush();
            }
        } catch (IOException e) {
            closeQuietly(client, upstream);
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return frame;
    }

    private static int correlationId(byte[] frame, int offset) {
        return ((frame[offset] & 0xff) << 24) | ((frame[offset + 1] & 0xff) << 16)
                | ((frame[offset + 2] & 0xff) << 8) | (frame[offset + 3] & 0xff);
    }

    private static void closeQuietly(Socket... sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
