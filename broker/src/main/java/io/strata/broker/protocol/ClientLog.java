package io.strata.broker.protocol;

import org.jboss.logging.Logger;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Log lines about clients' connections, at most {@link #LINES_PER_WINDOW} a minute per client address, so a client
 * that sends garbage or fails to authenticate in a loop cannot flood the log or slow the broker down writing it.
 * The first line of a new minute says how many were left out in the last one. Thread-safe.
 */
final class ClientLog {

    static final int LINES_PER_WINDOW = 10;
    static final long WINDOW_MS = 60_000;
    /** Beyond this many addresses, the counts start over: a scan from many addresses must not grow the map. */
    static final int MAX_ADDRESSES = 10_000;

    private final Logger log;
    private final LongSupplier clockMs;
    private final Map<Object, Window> windows = new ConcurrentHashMap<>();

    ClientLog(Logger log, LongSupplier clockMs) {
        this.log = log;
        this.clockMs = clockMs;
    }

    ClientLog(Logger log) {
        this(log, System::currentTimeMillis);
    }

    void error(SocketAddress client, Throwable cause, String format, Object... params) {
        write(Logger.Level.ERROR, client, cause, format, params);
    }

    void warn(SocketAddress client, String format, Object... params) {
        write(Logger.Level.WARN, client, null, format, params);
    }

    void info(SocketAddress client, String format, Object... params) {
        write(Logger.Level.INFO, client, null, format, params);
    }

    private void write(Logger.Level level, SocketAddress client, Throwable cause, String format, Object... params) {
        if (log.isEnabled(level)) {
            String line = line(client, format, params);
            if (line != null) {
                log.log(level, line, cause);
            }
        }
    }

    /** The line to log about {@code client}, or null when its address used up this minute's lines. */
    String line(SocketAddress client, String format, Object... params) {
        if (windows.size() >= MAX_ADDRESSES) {
            windows.clear();
        }
        Object key = client instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress() : String.valueOf(client);
        long suppressedBefore = windows.computeIfAbsent(key, k -> new Window()).admit(clockMs.getAsLong());
        if (suppressedBefore < 0) {
            return null;
        }
        String line = String.format(format, params);
        return suppressedBefore == 0 ? line : line + " (" + suppressedBefore + " more such lines about "
                + (key instanceof InetAddress address ? address.getHostAddress() : key) + " were left out in the last minute)";
    }

    /** One address's lines in the current minute. */
    private static final class Window {
        private long startMs;
        private int lines;
        private long suppressed;

        /** -1 if the line is left out, else how many the previous window left out. */
        synchronized long admit(long nowMs) {
            long before = 0;
            if (lines == 0 || nowMs - startMs >= WINDOW_MS) {
                before = suppressed;
                startMs = nowMs;
                lines = 0;
                suppressed = 0;
            }
            if (lines >= LINES_PER_WINDOW) {
                suppressed++;
                return -1;
            }
            lines++;
            return before;
        }
    }
}
