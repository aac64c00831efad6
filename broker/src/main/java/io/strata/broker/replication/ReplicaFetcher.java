package io.strata.broker.replication;

import io.strata.broker.cluster.Endpoint;
import io.strata.broker.log.EpochEndOffset;
import io.strata.broker.partition.Partition;
import io.strata.broker.protocol.InterBrokerClients;
import org.apache.kafka.clients.ClientRequest;
import org.apache.kafka.clients.ClientResponse;
import org.apache.kafka.clients.FetchSessionHandler;
import org.apache.kafka.clients.NetworkClient;
import org.apache.kafka.clients.NetworkClientUtils;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.LogContext;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Copies the partitions this broker follows from one leader, as Kafka's replica fetcher does: one thread
 * sends Fetch requests with this broker's replica id to the leader's endpoint on the inter-broker listener, over a
 * connection that authenticates as this broker ({@link InterBrokerClients}), each partition from its log end offset with the
 * epoch of its last batch, and appends what comes back as it is (offsets and leader epochs kept). The
 * requests run in an incremental fetch session, so a fetch names only the partitions whose position moved
 * and its response only those with records or news, however many partitions the two brokers share. A
 * leader that finds the follower's log diverged from its own (KIP-320) answers with the epoch and offset
 * where they part, and the follower cuts its log there before fetching on. One so far behind that the
 * records it needs next are in the bucket only starts over where the tiered log ends
 * (OFFSET_MOVED_TO_TIERED_STORAGE). A partition the leader refuses (it no longer leads, or the epochs
 * differ while the metadata spreads) waits {@value #RETRY_BACKOFF_MS} ms; the fetcher manager moves it to
 * its new leader's fetcher as soon as this broker applies the change. While this broker is over its follower
 * replication throttle, the partitions it covers that are not in sync yet are left out of the fetches.
 *
 * <p>Thread-safe: partitions are added and removed from any thread; the network client is used by the
 * fetcher's thread only.
 */
final class ReplicaFetcher implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReplicaFetcher.class);
    static final long RETRY_BACKOFF_MS = 100;
    private static final int MAX_WAIT_MS = 500;
    private static final int MAX_BYTES = 10 * 1024 * 1024;
    private static final int PARTITION_MAX_BYTES = 1024 * 1024;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final int localId;
    private final int leaderId;
    private final Endpoint endpoint;
    private final ReplicationThrottle throttle;
    private final Time time;
    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** Partitions the leader refused, by when to try them again. */
    private final Map<TopicPartition, Long> backedOff = new ConcurrentHashMap<>();
    private final Metrics metrics = new Metrics();
    private final NetworkClient client;
    /** The incremental fetch session with the leader (KIP-227): only changed partitions go each way. */
    private final FetchSessionHandler session;
    private final Thread thread;
    private volatile boolean running = true;
    /** Whether the leader refused this broker's user since the last round that went through; the thread's only. */
    private boolean refused;

    ReplicaFetcher(int localId, int leaderId, Endpoint endpoint, InterBrokerClients clients, ReplicationThrottle throttle,
                   Time time) {
        this.localId = localId;
        this.leaderId = leaderId;
        this.endpoint = endpoint;
        this.throttle = throttle;
        this.time = time;
        LogContext logContext = new LogContext("[ReplicaFetcher broker=" + localId + " leader=" + leaderId + "] ");
        this.client = clients.networkClient("strata-replica-fetcher-" + localId, "replica-fetcher",
                Map.of("leader", Integer.toString(leaderId)), metrics, 1, REQUEST_TIMEOUT, CONNECT_TIMEOUT, true,
                time, logContext);
        this.session = new FetchSessionHandler(logContext, leaderId);
        this.thread = new Thread(this::run, "strata-replica-fetcher-" + leaderId);
        thread.setDaemon(true);
    }

    /** Where the leader is fetched from. */
    Endpoint endpoint() {
        return endpoint;
    }

    void start() {
        thread.start();
    }

    /** Makes {@code followed} the partitions this fetcher copies. */
    void assign(Collection<Partition> followed) {
        Map<TopicPartition, Partition> byName = new HashMap<>();
        followed.forEach(partition -> byName.put(partition.topicPartition(), partition));
        partitions.keySet().retainAll(byName.keySet());
        backedOff.keySet().retainAll(byName.keySet());
        partitions.putAll(byName);
        synchronized (this) {
            notifyAll();
        }
    }

    /** Nothing replicates until the broker's user is fixed: said once, not at every retry. */
    private void refusedUser(String reason) {
        if (!refused) {
            LOG.warnf("Broker %d at %s:%d refuses this broker's user, so nothing is replicated from it until"
                    + " strata.inter-broker.* names a user it accepts (a super user when the authorizer is on): %s",
                    leaderId, endpoint.host(), endpoint.port(), reason);
        }
        refused = true;
    }

    private void run() {
        try {
            while (running) {
                try {
                    fetchOnce();
                } catch (AuthenticationException | AuthorizationException e) {
                    if (running) {
                        refusedUser(e.getMessage());
                    }
                    pause(RETRY_BACKOFF_MS * 10);
                } catch (IOException | RuntimeException e) {
                    if (running) {
                        LOG.debugf("Fetching from broker %d at %s:%d failed, retrying: %s", leaderId,
                                endpoint.host(), endpoint.port(), e.toString());
                        pause(RETRY_BACKOFF_MS);
                    }
                }
            }
        } finally {
            Utils.closeQuietly(client, "replica fetcher client");
            metrics.close();
        }
    }

    private void fetchOnce() throws IOException {
        long now = time.milliseconds();
        FetchSessionHandler.Builder fetchData = session.newBuilder();
        Map<TopicPartition, Partition> fetched = new HashMap<>();
        for (Partition partition : partitions.values()) {
            TopicPartition tp = partition.topicPartition();
            if (backedOff.getOrDefault(tp, 0L) > now || throttle.holdsBack(partition, localId)) {
                continue;
            }
            Optional<Integer> lastEpoch = partition.latestEpoch().isPresent()
                    ? Optional.of(partition.latestEpoch().getAsInt()) : Optional.empty();
            fetchData.add(tp, new FetchRequest.PartitionData(partition.topicId(), partition.logEndOffset(),
                    partition.logStartOffset(), PARTITION_MAX_BYTES, Optional.of(partition.leaderEpoch()), lastEpoch));
            fetched.put(tp, partition);
        }
        if (fetched.isEmpty()) {
            pause(RETRY_BACKOFF_MS);
            return;
        }
        FetchSessionHandler.FetchRequestData sessionData = fetchData.build();
        ClientResponse response;
        try {
            Node node = new Node(leaderId, endpoint.host(), endpoint.port());
            if (!NetworkClientUtils.awaitReady(client, node, time, CONNECT_TIMEOUT.toMillis())) {
                throw new IOException("Broker " + leaderId + " at " + endpoint.host() + ":" + endpoint.port()
                        + " did not accept a connection within " + CONNECT_TIMEOUT.toMillis() + " ms");
            }
            FetchRequest.Builder request = FetchRequest.Builder.forReplica(ApiKeys.FETCH.latestVersion(), localId, -1,
                            MAX_WAIT_MS, 1, sessionData.toSend())
                    .removed(sessionData.toForget()).replaced(sessionData.toReplace())
                    .metadata(sessionData.metadata()).setMaxBytes(MAX_BYTES);
            ClientRequest clientRequest = client.newClientRequest(Integer.toString(leaderId), request, now, true);
            response = NetworkClientUtils.sendAndReceive(client, clientRequest, time);
        } catch (IOException | RuntimeException e) {
            session.handleError(e);
            throw e;
        }
        short version = response.requestHeader().apiVersion();
        FetchResponse fetchResponse = (FetchResponse) response.responseBody();
        if (!session.handleResponse(fetchResponse, version)) {
            // The handler starts a new session with the next fetch, a full one.
            throw fetchResponse.error() != Errors.NONE
                    ? fetchResponse.error().exception("Fetch from broker " + leaderId + " failed")
                    : new IllegalStateException("Broker " + leaderId + " answered a fetch with partitions "
                    + "that do not match its fetch session");
        }
        fetchResponse.responseData(session.sessionTopicNames(), version).forEach((tp, data) -> {
            Partition partition = fetched.get(tp);
            // A partition removed meanwhile, or handed to another leader's fetcher, is not this one's to change.
            if (partition != null && partitions.get(tp) == partition) {
                handle(partition, data);
            }
        });
    }

    private void handle(Partition partition, FetchResponseData.PartitionData data) {
        TopicPartition tp = partition.topicPartition();
        Errors error = Errors.forCode(data.errorCode());
        try {
            switch (error) {
                // Without CLUSTER_ACTION the leader refuses every partition: one refusal of this broker's user.
                case TOPIC_AUTHORIZATION_FAILED, CLUSTER_AUTHORIZATION_FAILED -> {
                    refusedUser(error.message());
                    backedOff.put(tp, time.milliseconds() + RETRY_BACKOFF_MS * 10);
                }
                case NONE -> {
                    refused = false;
                    Optional<FetchResponseData.EpochEndOffset> diverging = FetchResponse.divergingEpoch(data);
                    if (diverging.isPresent()) {
                        truncateDiverging(partition, diverging.get());
                    } else {
                        MemoryRecords records = wholeBatches((MemoryRecords) FetchResponse.recordsOrFail(data));
                        partition.appendAsFollower(records, data.highWatermark());
                        throttle.record(tp, records.sizeInBytes());
                    }
                }
                case OFFSET_OUT_OF_RANGE -> outOfRange(partition, data);
                case OFFSET_MOVED_TO_TIERED_STORAGE -> {
                    if (!partition.restartAtTieredEnd()) {
                        // This broker's metadata has not seen the segments the leader tiered yet.
                        backedOff.put(tp, time.milliseconds() + RETRY_BACKOFF_MS);
                    }
                }
                default -> {
                    if (!(error.exception() instanceof RetriableException)) {
                        LOG.warnf("Broker %d refused a fetch of %s: %s", leaderId, tp, error.name());
                    }
                    backedOff.put(tp, time.milliseconds() + RETRY_BACKOFF_MS);
                }
            }
        } catch (NotLeaderOrFollowerException e) {
            // This broker took over meanwhile; the fetcher manager drops the partition next.
            backedOff.put(tp, time.milliseconds() + RETRY_BACKOFF_MS);
        } catch (RuntimeException e) {
            LOG.errorf("Replicating %s from broker %d failed: %s", tp, leaderId, e.toString());
            backedOff.put(tp, time.milliseconds() + RETRY_BACKOFF_MS * 10);
        }
    }

    /**
     * Cuts the log where it parts from the leader's: at the end of the leader's epoch if this log has that
     * epoch too and it ends later here, else at the end of this log's last epoch before it. The next fetch
     * checks again, so a log several epochs apart converges in as many rounds.
     */
    private void truncateDiverging(Partition partition, FetchResponseData.EpochEndOffset diverging) {
        long offset;
        if (diverging.endOffset() < 0) {
            // The leader knows no epoch up to this log's last: only what was committed is certain.
            offset = partition.highWatermark();
        } else {
            EpochEndOffset mine = partition.endOffsetForEpoch(diverging.epoch());
            offset = mine.endOffset() < 0 ? diverging.endOffset() : Math.min(mine.endOffset(), diverging.endOffset());
        }
        offset = Math.min(offset, partition.logEndOffset());
        LOG.infof("Truncating %s to offset %d: its log parts from leader %d's after epoch %d (its end offset %d)",
                partition.topicPartition(), offset, leaderId, diverging.epoch(), diverging.endOffset());
        partition.truncateTo(offset);
    }

    /**
     * A fetch offset outside the leader's log: ahead of it, this log holds records the leader never
     * committed and goes back to its high watermark; behind its start, it starts over there.
     */
    private void outOfRange(Partition partition, FetchResponseData.PartitionData data) {
        long end = partition.logEndOffset();
        if (data.highWatermark() >= 0 && end > data.highWatermark()) {
            LOG.infof("Truncating %s to the leader's high watermark %d: its log end %d is past the leader's",
                    partition.topicPartition(), data.highWatermark(), end);
            partition.truncateTo(data.highWatermark());
        } else if (data.logStartOffset() > end) {
            LOG.infof("Starting %s over at offset %d, the leader's log start: its log ends at %d",
                    partition.topicPartition(), data.logStartOffset(), end);
            partition.truncateFullyAndStartAt(data.logStartOffset());
        } else {
            backedOff.put(partition.topicPartition(), time.milliseconds() + RETRY_BACKOFF_MS);
        }
    }

    /** The whole batches of a fetched slice: the last one may be cut short by the size limits. */
    private static MemoryRecords wholeBatches(MemoryRecords records) {
        int bytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            bytes += batch.sizeInBytes();
        }
        if (bytes == records.sizeInBytes()) {
            return records;
        }
        ByteBuffer buffer = records.buffer().duplicate();
        buffer.limit(buffer.position() + bytes);
        return MemoryRecords.readableRecords(buffer.slice());
    }

    private synchronized void pause(long ms) {
        try {
            wait(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops the fetcher without waiting: its thread finishes the request in flight (a leader that stopped
     * answering holds it up to the request timeout), appends nothing more and closes its connection.
     */
    @Override
    public void close() {
        running = false;
        partitions.clear();
        client.wakeup();
        synchronized (this) {
            notifyAll();
        }
    }
}
