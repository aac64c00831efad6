package io.strata.broker.testing;

import io.strata.broker.cluster.RaftMetadataLog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for settings that must name a port before anything binds it, such as the Raft peers of a cluster. They are
 * taken below the kernel's ephemeral range: a port from that range, free when chosen, can become the source port of
 * an outgoing connection (a broker dialling its peers) before the broker that was meant to listen on it starts.
 * Each port is handed out once per JVM, and so is the range a Raft member's failure detection listens on above it
 * (any port may become a Raft port), so that no port handed out falls in another one's range.
 */
public final class FreePorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default first ephemeral port, when the kernel does not say. */
    private static final int DEFAULT_EPHEMERAL_START = 32768;
    /** The lowest port handed out: above the well-known and most registered service ports. */
    private static final int LOWEST = 15000;
    /** Room left below the ephemeral range for the detection ranges of the highest ports. */
    private static final int HEADROOM = 200;
    /** The ports handed out and the detection ranges above them. */
    private static final Set<Integer> RESERVED = new HashSet<>();

    private FreePorts() {
    }

    /** Distinct free loopback ports: each socket stays open until all are chosen, so none is handed out twice. */
    public static int[] take(int count) {
        // A kernel whose ephemeral range starts low leaves no room below it: then any port will do.
        int highest = Math.max(ephemeralStart() - HEADROOM, LOWEST + 10_000);
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                for (int attempt = 0; sockets[i] == null; attempt++) {
                    if (attempt == 1000) {
                        throw new IllegalStateException("no free loopback port between " + LOWEST + " and " + highest);
                    }
                    int port = ThreadLocalRandom.current().nextInt(LOWEST, highest);
                    if (reserve(port)) {
                        sockets[i] = bound(port);
                    }
                }
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // closing a listening socket that never accepted does not fail in practice
                    }
                }
            }
        }
    }

    /** Reserves {@code port} and its detection range unless either meets a reservation already made. */
    private static synchronized boolean reserve(int port) {
        List<Integer> wanted = new ArrayList<>(List.of(port));
        int offset = RaftMetadataLog.FAILURE_DETECTION_PORT_OFFSET;
        for (int above = offset; above <= offset + RaftMetadataLog.FAILURE_DETECTION_PORT_RANGE; above++) {
            wanted.add(port + above);
        }
        if (wanted.stream().anyMatch(RESERVED::contains)) {
            return false;
        }
        RESERVED.addAll(wanted);
        return true;
    }

    /** A socket listening on {@code port}, or null when something else holds it. */
    private static ServerSocket bound(int port) {
        try {
            return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        } catch (IOException taken) {
            return null;
        }
    }

    private static int ephemeralStart() {
        try {
            return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException unknown) {
            return DEFAULT_EPHEMERAL_START;
        }
    }
}
