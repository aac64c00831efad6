package io.strata.broker.tiering;

import io.strata.tiered.ObjectKey;
import io.strata.tiered.ObjectStore;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks the object store, before each upload round, whether it answers at all, and keeps the answer
 * for readiness and metrics. A change is logged once, not every round. Thread-safe: the tiering thread
 * probes, any thread reads the status.
 */
final class ObjectStoreProbe {

    private static final Logger LOG = Logger.getLogger(ObjectStoreProbe.class);
    /** A key the broker never writes: asking for its size shows whether the store answers. */
    private static final ObjectKey PROBE_KEY = new ObjectKey("strata-probe");
    private static final long PROBE_TIMEOUT_SECONDS = 10;

    private final ObjectStore store;
    private volatile ObjectStoreStatus status = ObjectStoreStatus.reachable(Instant.now());

    ObjectStoreProbe(ObjectStore store) {
        this.store = store;
    }

    /** Whether the store answered the last probe, and since when. */
    ObjectStoreStatus status() {
        return status;
    }

    /** Asks for the size of an object that never exists, a cheap request; returns whether it was answered. */
    boolean probe() throws InterruptedException {
        try {
            store.size(PROBE_KEY).get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!status.reachable()) {
                LOG.infof("The object store %s answers again; tiering resumes", store);
            }
            status = ObjectStoreStatus.reachable(Instant.now());
            return true;
        } catch (ExecutionException | TimeoutException e) {
            String reason = String.valueOf(e instanceof ExecutionException ? e.getCause() : e);
            if (status.reachable()) {
                LOG.warnf("The object store %s does not answer, tiering waits for it: %s", store, reason);
                status = ObjectStoreStatus.unreachable(Instant.now(), reason);
            } else {
                status = ObjectStoreStatus.unreachable(status.since(), reason);
            }
            return false;
        }
    }
}
