package io.strata.broker.quota;

import io.strata.broker.cluster.SecurityImage;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.utils.Time;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Kafka's client byte-rate quotas ({@code producer_byte_rate}, {@code consumer_byte_rate}): records what each client
 * sends or fetches against the quota that applies to it ({@link ClientQuotas}) and answers how long to throttle it.
 * Kafka measures a rate over {@code quota.window.num} windows and throttles by how far it is over; the windows
 * dropping out let bursts through, so a busy client gets noticeably more than its quota. Here a token bucket
 * ({@link QuotaBucket}) with the same first allowance, {@code quota.window.num - 1} windows of the quota, makes a
 * busy client get its quota. The broker puts the time in the response's {@code throttle_time_ms} and reads nothing
 * more from the connection until it has passed (KIP-219); a throttle is at most the whole measured span.
 * Thread-safe.
 */
public final class ClientQuotaManager {

    /** The quota types enforced, by the key that sets them. */
    public enum Type {
        PRODUCE("producer_byte_rate"), FETCH("consumer_byte_rate");

        final String key;

        Type(String key) {
            this.key = key;
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

    /** Records {@code bytes} of the client's and returns how many milliseconds to throttle it; 0 within its quota. */
    public long record(Type type, KafkaPrincipal principal, String clientId, long bytes) {
        var applied = ClientQuotas.find(security.get(), type.key, principal.getName(), clientId == null ? "" : clientId);
        if (applied.isEmpty()) {
            return 0;
        }
        double bound = applied.get().bound();
        long now = time.milliseconds();
        QuotaBucket bucket = buckets.computeIfAbsent(new Sharers(type, applied.get().user(), applied.get().clientId()),
                sharers -> new QuotaBucket(bound, (samples - 1) * windowMs, now));
        long throttle;
        synchronized (bucket) {
            throttle = Math.min(bucket.take(bytes, bound, now), samples * windowMs);
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
