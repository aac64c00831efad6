package io.strata.broker.log;

import org.apache.kafka.common.utils.Time;

import java.util.Map;

/**
 * The producers of one partition log as its leader's request handlers see them: each producer's state, and the
 * verifications of their transactions with their coordinators (KIP-890, see {@link VerificationGuard}). Every call
 * takes the log's lock, under which appends change that state.
 */
public final class LogProducers {

    private final Object logLock;
    private final ProducerStateManager state;
    private final Time time;

    LogProducers(Object logLock, ProducerStateManager state, Time time) {
        this.logLock = logLock;
        this.state = state;
        this.time = time;
    }

    /** A copy of the idempotent-producer state, by producer id. */
    public Map<Long, ProducerStateEntry> active() {
        synchronized (logLock) {
            return state.activeProducers();
        }
    }

    /**
     * The guard a transactional batch of {@code producerId} from {@code sequence} on appends with:
     * {@link VerificationGuard#NONE} when the producer's transaction is open here, else one to verify with its
     * transaction coordinator first. See {@link ProducerStateManager#startVerification}.
     */
    public VerificationGuard startVerification(long producerId, int sequence, short epoch) {
        synchronized (logLock) {
            return state.startVerification(producerId, sequence, epoch, time.milliseconds());
        }
    }

    /**
     * Forgets producers idle for {@code expirationMs} ({@code producer.id.expiration.ms}) with no transaction open
     * here, and verifications that old. See {@link ProducerStateManager#removeExpired}.
     *
     * @return how many producers were forgotten
     */
    public int removeExpired(long expirationMs) {
        synchronized (logLock) {
            return state.removeExpired(time.milliseconds(), expirationMs);
        }
    }
}
