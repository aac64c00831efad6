package io.strata.broker.protocol;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Kafka's {@code max.connections.per.ip} and {@code max.connection.creation.rate}, counted over all the broker's
 * listeners together (Kafka counts the first so; it can also limit the rate per listener, which Strata does not): a
 * new connection over either is refused (closed at once), so one client cannot use up the broker's connections or its
 * accept loop. Thread-safe.
 */
public final class ConnectionLimits {

    private final int maxPerAddress;
    private final int maxCreationRate;
    private final LongSupplier clockMs;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private long rateSecond = Long.MIN_VALUE; // guarded by this
    private int createdThisSecond; // guarded by this

    /** Limits of {@code maxPerAddress} open connections per address and {@code maxCreationRate} new ones a second. */
    public ConnectionLimits(int maxPerAddress, int maxCreationRate) {
        this(maxPerAddress, maxCreationRate, System::currentTimeMillis);
    }

    ConnectionLimits(int maxPerAddress, int maxCreationRate, LongSupplier clockMs) {
        this.maxPerAddress = maxPerAddress;
        this.maxCreationRate = maxCreationRate;
        this.clockMs = clockMs;
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
