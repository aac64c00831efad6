package io.strata.broker.protocol.fetch;

import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.utils.Time;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The incremental fetch sessions this broker keeps (KIP-227), at most {@code maxSessions} of them (Kafka's
 * {@code max.incremental.fetch.session.cache.slots}, 1000 by default).
 *
 * <p>A full cache makes room for a new session by pushing out, in this order: the session unused longest,
 * if that was more than {@value #EVICTION_AGE_MS} ms ago (Kafka's
 * {@code min.incremental.fetch.session.eviction.ms}); else the consumer session with the fewest partitions,
 * if the new one is a follower's or has more partitions. Otherwise the new client gets no session and goes
 * on with full fetches. A client whose session was pushed out learns it from
 * {@code FETCH_SESSION_ID_NOT_FOUND} and opens a new one.
 *
 * <p>Thread-safe.
 */
public final class FetchSessionCache {

    static final long EVICTION_AGE_MS = 120_000;
    public static final int DEFAULT_MAX_SESSIONS = 1000;

    private final int maxSessions;
    private final Time time;
    private final Map<Integer, FetchSession> sessions = new HashMap<>();

    public FetchSessionCache(int maxSessions, Time time) {
        this.maxSessions = maxSessions;
        this.time = time;
    }

    /**
     * The context of a Fetch request from a follower ({@code privileged}) or a consumer, which uses topic
     * ids from Fetch v13 on. An incremental request is applied to its session here, once.
     */
    public FetchContext context(FetchRequestData request, boolean privileged, boolean usesTopicIds) {
        FetchMetadata metadata = new FetchMetadata(request.sessionId(), request.sessionEpoch());
        if (metadata.isFull()) {
            if (metadata.sessionId() != FetchMetadata.INVALID_SESSION_ID) {
                remove(metadata.sessionId());
            }
            return metadata.epoch() == FetchMetadata.FINAL_EPOCH
                    ? new FetchContext.Sessionless(request.topics())
                    : new FetchContext.NewSession(request.topics(), privileged, usesTopicIds, this);
        }
        FetchSession session;
        synchronized (this) {
            session = sessions.get(metadata.sessionId());
        }
        if (session == null) {
            return new FetchContext.SessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        if (session.usesTopicIds() != usesTopicIds) {
            return new FetchContext.SessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        }
        synchronized (session) {
            if (!session.expects(metadata.epoch())) {
                return new FetchContext.SessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
            }
            return new FetchContext.Incremental(
                    session.update(request.topics(), request.forgottenTopicsData(), time.milliseconds()), session);
        }
    }

    /** A new session holding {@code partitions}, or {@code null} when there is no room for it. */
    synchronized FetchSession create(boolean privileged, boolean usesTopicIds,
                                     Map<PartitionKey, SessionPartition> partitions) {
        long now = time.milliseconds();
        if (sessions.size() >= maxSessions && !evictFor(privileged, partitions.size(), now)) {
            return null;
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        FetchSession session = new FetchSession(id, privileged, usesTopicIds, partitions, now);
        sessions.put(id, session);
        return session;
    }

    private boolean evictFor(boolean privileged, int size, long now) {
        FetchSession oldest = null;
        FetchSession smallestConsumer = null;
        for (FetchSession session : sessions.values()) {
            if (oldest == null || session.lastUsedMs() < oldest.lastUsedMs()) {
                oldest = session;
            }
            if (!session.privileged() && (smallestConsumer == null || session.size() < smallestConsumer.size())) {
                smallestConsumer = session;
            }
        }
        FetchSession evicted = oldest != null && now - oldest.lastUsedMs() > EVICTION_AGE_MS ? oldest
                : smallestConsumer != null && (privileged || size > smallestConsumer.size()) ? smallestConsumer
                : null;
        if (evicted != null) {
            sessions.remove(evicted.id());
        }
        return evicted != null;
    }

    private synchronized void remove(int sessionId) {
        sessions.remove(sessionId);
    }

    /** Sessions kept now. */
    public synchronized int sessions() {
        return sessions.size();
    }

    /** Partitions over all sessions kept now. */
    public synchronized long partitions() {
        long count = 0;
        for (FetchSession session : sessions.values()) {
            count += session.size();
        }
        return count;
    }
}
