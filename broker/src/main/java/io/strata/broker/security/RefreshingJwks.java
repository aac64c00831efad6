package io.strata.broker.security;

import com.nimbusds.jose.jwk.JWKSet;
import org.apache.kafka.common.utils.ThreadUtils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JSON Web Key Set OAUTHBEARER tokens are verified with: loaded once when created, then again in the
 * background when it is older than the refresh interval or when a token names a key it lacks, as after the
 * identity provider rotated its keys. A load that fails keeps the keys loaded before and is tried again after the
 * gap.
 *
 * <p>Tokens are checked on the connections' I/O threads, which must not wait for a slow identity provider; so, as
 * in Kafka, a token signed by a key not loaded yet is refused, and the load its refusal started lets the client's
 * next attempt pass. Loads for missing keys start at most once per gap ({@link #MAX_GAP}, or the refresh interval
 * when shorter), so that tokens naming made-up keys cannot make the broker flood the provider. Thread-safe; the
 * loading thread ends when idle, so there is nothing to close.
 */
final class RefreshingJwks {

    private static final Logger LOG = Logger.getLogger(RefreshingJwks.class);
    private static final Duration MAX_GAP = Duration.ofSeconds(10);

    private final JwksLoader loader;
    private final long refreshIntervalMs;
    private final long gapMs;
    private final ThreadPoolExecutor loads = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), ThreadUtils.createThreadFactory("strata-jwks-loader", true));
    private final AtomicBoolean loading = new AtomicBoolean();
    private volatile JWKSet keys = new JWKSet();
    private volatile long loadedAtMs;
    private volatile long lastAttemptMs;
    private volatile long lastKeyMissingMs;

    /** Loads the set now, waiting for it: at most twice the fetch timeout when it comes from a URL. */
    RefreshingJwks(JwksLoader loader, Duration refreshInterval) {
        this.loader = loader;
        this.refreshIntervalMs = refreshInterval.toMillis();
        this.gapMs = Math.min(MAX_GAP.toMillis(), refreshIntervalMs);
        load();
    }

    /** The keys as last loaded; when they are older than the refresh interval, a load starts in the background. */
    JWKSet current() {
        long nowMs = System.currentTimeMillis();
        if (nowMs - loadedAtMs >= refreshIntervalMs && nowMs - lastAttemptMs >= gapMs) {
            startLoad();
        }
        return keys;
    }

    /** A token named a key the set lacks: a load starts in the background, unless one did less than the gap ago. */
    void keyMissing() {
        long nowMs = System.currentTimeMillis();
        if (nowMs - lastKeyMissingMs >= gapMs) {
            lastKeyMissingMs = nowMs;
            startLoad();
        }
    }

    private void startLoad() {
        if (!loading.compareAndSet(false, true)) {
            return;
        }
        loads.execute(() -> {
            try {
                load();
            } finally {
                loading.set(false);
            }
        });
    }

    private void load() {
        lastAttemptMs = System.currentTimeMillis();
        try {
            JWKSet loaded = loader.load();
            keys = loaded;
            loadedAtMs = System.currentTimeMillis();
            LOG.debugf("Loaded %d OAUTHBEARER verification keys from %s", loaded.size(), loader);
        } catch (IOException | ParseException | RuntimeException e) {
            LOG.warnf("Cannot load the OAUTHBEARER JWKS from %s; the %d keys loaded before stay in use: %s", loader,
                    keys.size(), e.getMessage());
        }
    }
}
