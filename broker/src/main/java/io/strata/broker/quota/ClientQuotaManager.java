package io.strata.broker.quota;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Time;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Kafka's client quotas ({@code producer_byte_rate}, {@code consumer_byte_rate}, {@code request_percentage}): records
 * what each client sends, fetches or costs in request time against the quota that applies to it ({@link ClientQuotas})
 * and answers how long to throttle it.
 * Kafka measures a rate over {@code quota.window.num} windows and throttles by how far it is over; the windows
 * dropping out let bursts through, so a busy client gets noticeably more than its quota. Here a token bucket
 * ({@link QuotaBucket}) with the same first allowance, {@code quota.window.num - 1} windows of the quota, makes a
 * busy client get its quota. The broker puts the time in the response's {@code throttle_time_ms} and reads nothing
 * more from the connection until it has passed (KIP-219); a throttle is at most the whole measured span.
 * Thread-safe.
 */
public final class ClientQuotaManager {

    /** The quota types enforced, by the key that sets them and what one unit of the key's value is a second. */
    public enum Type {
        PRODUCE("producer_byte_rate", 1), FETCH("consumer_byte_rate", 1),
        /** A percentage of one thread's time, recorded in nanoseconds: 1 % is 10^7 ns a second. */
        REQUEST("request_percentage", 1e7);

        final String key;
        final double perSecond;

        Type(String key, double perSecond) {
            this.key = key;
            this.perSecond = perSecond;
        }
    }

    private record Sharers(Type type, String user, String clientId) {
    }

    /** Beyond this many buckets, idle ones are forgotten: clients may pick any number of client ids. */
    static final int MAX_IDLE_BUCKETS = 1000;

    private final Supplier<SecurityImage> security;
    private final int samples;
    private final long windowMs;
    private final Time time;
    private final Map<Sharers, QuotaBucket> buckets = new ConcurrentHashMap<>();
    /** When idle buckets were last looked for; racy updates only cost an extra sweep. */
    private volatile long lastSweepMs;

    /** Rates over {@code samples} windows of {@code windowMs}: Kafka's {@code quota.window.num} and size. */
    public ClientQuotaManager(Supplier<SecurityImage> security, int samples, long windowMs, Time time) {
        this.security = security;
        this.samples = samples;
        this.windowMs = windowMs;
        this.time = time;
    }

    /**
     * Records {@code amount} (bytes, or nanoseconds for {@link Type#REQUEST}) of the client's and returns how many
     * milliseconds to throttle it; 0 within its quota.
     */
    public long record(Type type, KafkaPrincipal principal, String clientId, long amount) {
        var applied = ClientQuotas.find(security.get(), type.key, principal.getName(), clientId == null ? "" : clientId);
        if (applied.isEmpty()) {
            return 0;
        }
        double bound = applied.get().bound() * type.perSecond;
        long now = time.milliseconds();
        QuotaBucket bucket = buckets.computeIfAbsent(new Sharers(type, applied.get().user(), applied.get().clientId()),
                sharers -> new QuotaBucket(bound, (samples - 1) * windowMs, now));
        long throttle;
        synchronized (bucket) {
            throttle = Math.min(bucket.take(amount, bound, now), samples * windowMs);
        }
        if (buckets.size() > MAX_IDLE_BUCKETS && now - lastSweepMs >= samples * windowMs) {
            lastSweepMs = now;
            forgetIdle(now - samples * windowMs);
        }
        return throttle;
    }

    /** Drops the buckets full and untouched since {@code sinceMs}, as Kafka expires idle quota sensors. */
    private void forgetIdle(long sinceMs) {
        buckets.values().removeIf(bucket -> {
            synchronized (bucket) {
                return bucket.idleSince(sinceMs);
            }
        });
    }
}
