package io.strata.broker.protocol;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Kafka's {@code max.connections.per.ip} and its broker-wide {@code max.connection.creation.rate}, counted over all
 * the broker's listeners together: a new connection over either is refused (closed at once), so one client cannot
 * use up the broker's connections or its accept loop. As in Kafka, the rate leaves a separate inter-broker listener
 * out ({@link #withoutCreationRate}), so a storm of client connections cannot keep followers from their leaders; a
 * broker with one listener limits it (Kafka would then limit nothing). Kafka's per-listener rates are not there.
 * And Kafka's {@code connections.max.idle.ms}: how long a connection may go without a byte in or out before it is
 * closed ({@link IdleConnectionCloser}), so a client gone silent, or one that stopped halfway through a request,
 * does not hold its connection and the request memory it reserved for good. Thread-safe.
 */
public final class ConnectionLimits {

    private final int maxPerAddress;
    private final int maxCreationRate;
    private final Duration maxIdle;
    private final LongSupplier clockMs;
    private final Map<InetAddress, Integer> open;
    private long rateSecond = Long.MIN_VALUE; // guarded by this
    private int createdThisSecond; // guarded by this

    /**
     * Limits of {@code maxPerAddress} open connections per address, {@code maxCreationRate} new ones a second, and
     * {@code maxIdle} without traffic.
     */
    public ConnectionLimits(int maxPerAddress, int maxCreationRate, Duration maxIdle) {
        this(maxPerAddress, maxCreationRate, maxIdle, System::currentTimeMillis);
    }

    ConnectionLimits(int maxPerAddress, int maxCreationRate, Duration maxIdle, LongSupplier clockMs) {
        this(maxPerAddress, maxCreationRate, maxIdle, clockMs, new ConcurrentHashMap<>());
    }

    private ConnectionLimits(int maxPerAddress, int maxCreationRate, Duration maxIdle, LongSupplier clockMs,
                             Map<InetAddress, Integer> open) {
        this.maxPerAddress = maxPerAddress;
        this.maxCreationRate = maxCreationRate;
        this.maxIdle = maxIdle;
        this.clockMs = clockMs;
        this.open = open;
    }

    /** These limits' count of open connections per address, with no creation rate: the inter-broker listener's. */
    public ConnectionLimits withoutCreationRate() {
        return new ConnectionLimits(maxPerAddress, Integer.MAX_VALUE, maxIdle, clockMs, open);
    }

    /** How long a connection may go without a byte in or out. */
    Duration maxIdle() {
        return maxIdle;
    }

    /** Counts a new connection from {@code address}; null if it may stay, else why it may not (nothing counted). */
    String admit(InetAddress address) {
        synchronized (this) {
            long second = clockMs.getAsLong() / 1000;
            if (second != rateSecond) {
                rateSecond = second;
                createdThisSecond = 0;
            }
            if (createdThisSecond >= maxCreationRate) {
                return "more than " + maxCreationRate + " new connections in a second (max.connection.creation.rate)";
            }
            createdThisSecond++;
        }
        boolean[] admitted = {false};
        open.compute(address, (a, count) -> {
            int current = count == null ? 0 : count;
            if (current >= maxPerAddress) {
                return count;
            }
            admitted[0] = true;
            return current + 1;
        });
        return admitted[0] ? null : maxPerAddress + " connections from this address are open (max.connections.per.ip)";
    }

    /** Forgets a connection {@link #admit} counted. */
    void closed(InetAddress address) {
        open.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
    }
}
