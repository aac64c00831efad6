package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.ReplicaSelector;
import io.strata.broker.log.EpochEndOffset;
import io.strata.broker.log.FetchIsolation;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.partition.DelayedFetch;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.fetch.FetchContext;
import io.strata.broker.protocol.fetch.FetchSessionCache;
import io.strata.broker.replication.ReplicationThrottle;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.resource.ResourceType;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Fetch: serves each partition from its log as file slices that go out with sendfile, within the
 * per-partition and per-response byte limits; when fewer than {@code min.bytes} are ready it waits
 * up to {@code max.wait.ms} for appends to any of the fetched partitions (long poll, a
 * {@link DelayedFetch}).
 *
 * <p>Each partition is read through {@link Partition#read}, which picks the tier. Reads that do not
 * complete at once, those of offsets below the local log from the object store, run asynchronously,
 * every such partition of the request at once, each within its partition limit and what the response limit had left when
 * its read started (so a response may exceed {@code fetch.max.bytes} by those reads, which that limit
 * allows for). The response waits for them up to {@code max.wait.ms}, but at least
 * {@value #TIERED_READ_MAX_WAIT_MS} ms (Kafka's {@code remote.fetch.max.wait.ms}); a read still
 * running then answers empty and the client fetches again. Kafka reads one partition per request from
 * remote storage; reading them together lets a consumer replaying history across many partitions get
 * as much per round trip as from local segments.
 *
 * <p>A follower's fetch (a request with a replica id) reads up to the log end instead of the high
 * watermark and tells the partition how far the follower's log reaches, which moves the high watermark;
 * one whose last fetched epoch ends earlier here is answered with the diverging epoch instead of records
 * (KIP-320), as is a consumer's that sends one. A partition led elsewhere is answered
 * {@code NOT_LEADER_OR_FOLLOWER} with its current leader (KIP-951), except to a consumer of Fetch v11 on,
 * which any replica serves up to its high watermark (KIP-392); with the rack-aware {@link ReplicaSelector}
 * the leader answers a consumer that names its rack with the in-sync follower there to read from instead.
 * Over the leader's replication throttle, a covered partition's follower that is not in sync gets no records.
 *
 * <p>Clients that open an incremental fetch session (KIP-227; the Java client and followers do) send only
 * the partitions whose fetch changed, yet each request reads every partition of the session; the response
 * keeps those with something new ({@link FetchContext}).
 *
 * <p>As Kafka authorizes a fetch, a consumer needs READ on each topic, else its partitions are answered
 * {@code TOPIC_AUTHORIZATION_FAILED} while the others are read; a follower needs CLUSTER_ACTION on the cluster, else
 * every partition is answered so.
 *
 * <p>Thread-safe: a request's state lives in its own {@code PendingFetch}.
 */
public record FetchHandler(PartitionManager partitions, Supplier<MetadataImage> image, FetchSessionCache sessions,
                           ReplicaSelector replicaSelector, ReplicationThrottle leaderThrottle) {

    private static final Logger LOG = Logger.getLogger(FetchHandler.class);
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    /** Fetch v12 added the new leader to NOT_LEADER_OR_FOLLOWER answers, v16 its endpoint (KIP-951). */
    private static final short FIRST_LEADER_HINT_VERSION = 12;
    private static final short FIRST_NODE_ENDPOINTS_VERSION = 16;
    /** Fetch v11 added the client's rack and the preferred read replica (KIP-392). */
    private static final short FIRST_FOLLOWER_READ_VERSION = 11;
    /** Fetch v10 is the first whose fetchers read zstd batches (KIP-110). */
    private static final short FIRST_ZSTD_VERSION = 10;
    static final long TIERED_READ_MAX_WAIT_MS = 500;

    public CompletionStage<FetchResponseData> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        FetchContext session = sessions.context(data, request.replicaId() >= 0,
                context.apiVersion() >= FIRST_TOPIC_ID_VERSION);
        if (session.error() != Errors.NONE) {
            return CompletableFuture.completedFuture(session.respond(new FetchResponseData()));
        }
        PendingFetch fetch = new PendingFetch(data, session.reads(), request.replicaId(), context);
        if (!fetch.delayed.tryComplete()) {
            fetch.delayed.await(fetch.anySlowRead() ? Math.max(data.maxWaitMs(), TIERED_READ_MAX_WAIT_MS) : data.maxWaitMs());
        }
        return fetch.delayed.result().thenApply(fetch::countBytesFetched).thenApply(session::respond);
    }

    /**
     * One fetch request from first attempt to response: reads every partition each attempt, keeping
     * the reads that did not complete at once (those of the object store) from the first attempt on.
     */
    private final class PendingFetch {
        private final FetchRequestData data;
        /** The follower fetching, or a negative id for a consumer. */
        private final int replicaId;
        private final boolean byId;
        private final short version;
        private final List<Target> targets = new ArrayList<>();
        private final DelayedFetch<FetchResponseData> delayed;
        /** By target index, each read that did not complete when started; started once, kept until the response. */
        private final AtomicReferenceArray<CompletableFuture<LogReadResult>> slowReads;

        PendingFetch(FetchRequestData data, List<FetchTopic> reads, int replicaId, RequestContext context) {
            this.data = data;
            this.replicaId = replicaId;
            this.version = context.apiVersion();
            this.byId = version >= FIRST_TOPIC_ID_VERSION;
            MetadataImage metadata = image.get();
            // As Kafka: a follower needs CLUSTER_ACTION on the cluster to read any topic.
            boolean clusterAction = replicaId >= 0 && context.allowedOnCluster(AclOperation.CLUSTER_ACTION);
            Set<Partition> fetched = new LinkedHashSet<>();
            for (FetchTopic topic : reads) {
                Optional<TopicImage> topicImage = byId ? metadata.topic(topic.topicId()) : metadata.topic(topic.topic());
                boolean denied = replicaId >= 0 ? !clusterAction : !mayRead(context, topicImage, topic);
                for (FetchPartition partition : topic.partitions()) {
                    Optional<Partition> local = denied ? Optional.empty() : topicImage.flatMap(t ->
                            readable(new TopicPartition(t.name(), partition.partition())));
                    Errors unknown = denied ? Errors.TOPIC_AUTHORIZATION_FAILED
                            : NotHeld.error(topicImage, partition.partition(), byId);
                    NotHeld.Leader hint = local.isEmpty() && unknown == Errors.NOT_LEADER_OR_FOLLOWER
                            && version >= FIRST_LEADER_HINT_VERSION
                            ? NotHeld.leader(metadata, topicImage, partition.partition(), context.listener())
                            .orElse(null) : null;
                    Target target = new Target(targets.size(), topic, partition, local.orElse(null), unknown, hint,
                            local.map(p -> check(p, partition)).orElse(null),
                            local.map(p -> preferredReadReplica(p, partition, metadata)).orElse(OptionalInt.empty()));
                    targets.add(target);
                    local.ifPresent(fetched::add);
                }
            }
            this.slowReads = new AtomicReferenceArray<>(targets.size());
            this.delayed = new DelayedFetch<>(fetched, context.eventLoop(), this::tryRead);
        }

        /**
         * Whether a consumer may read the topic, which needs READ on it whether it exists or not; a topic id no topic
         * has is not refused, it is answered UNKNOWN_TOPIC_ID.
         */
        private boolean mayRead(RequestContext context, Optional<TopicImage> topicImage, FetchTopic topic) {
            Optional<String> name = byId ? topicImage.map(TopicImage::name) : Optional.of(topic.topic());
            return name.isEmpty() || context.allowed(AclOperation.READ, ResourceType.TOPIC, name.get());
        }

        /**
         * The local replica this fetch may read: the leader's for a follower or an older client, any replica's
         * for a consumer that knows of preferred read replicas (KIP-392), which a follower serves up to its
         * high watermark.
         */
        private Optional<Partition> readable(TopicPartition tp) {
            return replicaId < 0 && version >= FIRST_FOLLOWER_READ_VERSION
                    ? partitions.partition(tp).filter(p -> p.state().replicas().contains(partitions.nodeId()))
                    : partitions.leading(tp);
        }

        /** The follower a consumer in a known rack should read from instead, if the rack-aware selector is on. */
        private OptionalInt preferredReadReplica(Partition partition, FetchPartition fetch, MetadataImage metadata) {
            if (replicaSelector != ReplicaSelector.RACK_AWARE || replicaId >= 0
                    || version < FIRST_FOLLOWER_READ_VERSION || data.rackId() == null || data.rackId().isEmpty()) {
                return OptionalInt.empty();
            }
            return partition.preferredReadReplica(data.rackId(), fetch.fetchOffset(),
                    id -> metadata.liveBroker(id).map(BrokerImage::rack));
        }

        /**
         * What stops a partition's read before it starts: a leader epoch the fetcher has wrong, a log that
         * diverged from this one (the fetcher's last epoch ends here before its fetch offset, so it must
         * truncate first, KIP-320), a follower this broker does not know, or one fetching below the local log
         * what only the bucket holds. A follower's fetch that is known tells the partition how far its log reaches.
         */
        private Check check(Partition partition, FetchPartition fetch) {
            if (replicaId < 0 && version < FIRST_ZSTD_VERSION && partition.log().config().compression()
                    .filter(compression -> compression.type() == CompressionType.ZSTD).isPresent()) {
                // As Kafka: a topic whose compression.type is zstd is not served to consumers from before zstd
                // (KIP-110); followers copy batches as they are.
                return new Check(Errors.UNSUPPORTED_COMPRESSION_TYPE, null);
            }
            Errors epochError = partition.checkLeaderEpoch(fetch.currentLeaderEpoch());
            if (epochError != Errors.NONE) {
                return new Check(epochError, null);
            }
            if (fetch.lastFetchedEpoch() >= 0) {
                EpochEndOffset end = partition.endOffsetForEpoch(fetch.lastFetchedEpoch());
                if (end.epoch() != fetch.lastFetchedEpoch() || end.endOffset() < fetch.fetchOffset()) {
                    return new Check(Errors.NONE, new FetchResponseData.EpochEndOffset()
                            .setEpoch(end.epoch()).setEndOffset(end.endOffset()));
                }
            }
            if (replicaId >= 0 && !partition.followerFetched(replicaId, fetch.fetchOffset())) {
                return new Check(Errors.NOT_LEADER_OR_FOLLOWER, null);
            }
            if (replicaId >= 0 && fetch.fetchOffset() < partition.localLogStartOffset()
                    && fetch.fetchOffset() >= partition.logStartOffset()) {
                // The follower restarts where the bucket ends instead of copying what is there.
                return new Check(Errors.OFFSET_MOVED_TO_TIERED_STORAGE, null);
            }
            return Check.PASSED;
        }

        /** The response when there is enough to send, or when {@code force}; else {@code null}. */
        private FetchResponseData tryRead(boolean force) {
            try {
                return read(force);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Fetch failed");
                return new FetchResponseData().setErrorCode(Errors.forException(e).code());
            }
        }

        /**
         * Counts the bytes sent per partition, a consumer's as fetched and a follower's towards the replication
         * throttle; the response's partitions are the targets, in order.
         */
        FetchResponseData countBytesFetched(FetchResponseData response) {
            int index = 0;
            for (FetchableTopicResponse topic : response.responses()) {
                for (PartitionData partitionData : topic.partitions()) {
                    Partition partition = targets.get(index++).partition;
                    if (partition == null || partitionData.records() == null) {
                        continue;
                    }
                    if (replicaId < 0) {
                        partition.addBytesFetched(partitionData.records().sizeInBytes());
                    } else {
                        leaderThrottle.record(partition.topicPartition(), partitionData.records().sizeInBytes());
                    }
                }
            }
            return response;
        }

        private FetchResponseData read(boolean force) {
            int remaining = data.maxBytes();
            int bytes = 0;
            boolean answerNow = false;
            boolean slowIncluded = false;
            boolean minOneMessage = true;
            List<FetchableTopicResponse> responses = new ArrayList<>();
            FetchableTopicResponse current = null;
            FetchTopic currentTopic = null;
            for (Target target : targets) {
                if (target.topic != currentTopic) {
                    currentTopic = target.topic;
                    current = new FetchableTopicResponse()
                            .setTopic(byId ? "" : target.topic.topic())
                            .setTopicId(byId ? target.topic.topicId() : Uuid.ZERO_UUID);
                    responses.add(current);
                }
                PartitionData partitionData = readPartition(target, Math.max(0, Math.min(remaining, target.fetch.partitionMaxBytes())), minOneMessage);
                int size = partitionData.records() == null ? 0 : partitionData.records().sizeInBytes();
                bytes += size;
                remaining -= size;
                if (size > 0) {
                    minOneMessage = false;
                }
                answerNow |= partitionData.errorCode() != Errors.NONE.code() || partitionData.preferredReadReplica() >= 0;
                CompletableFuture<LogReadResult> slow = slowReads.get(target.index);
                slowIncluded |= slow != null && slow.isDone();
                current.partitions().add(partitionData);
            }
            boolean ready = force || answerNow
                    || !slowPending() && (slowIncluded || data.maxWaitMs() <= 0 || bytes >= data.minBytes()
                    || targets.isEmpty());
            return ready ? new FetchResponseData().setResponses(responses).setNodeEndpoints(leaderEndpoints())
                    : null;
        }

        /** The brokers the leader hints name, which Fetch v16 sends along (KIP-951). */
        private FetchResponseData.NodeEndpointCollection leaderEndpoints() {
            FetchResponseData.NodeEndpointCollection endpoints = new FetchResponseData.NodeEndpointCollection();
            if (version < FIRST_NODE_ENDPOINTS_VERSION) {
                return endpoints;
            }
            for (Target target : targets) {
                if (target.leaderHint != null && endpoints.find(target.leaderHint.broker().nodeId()) == null) {
                    endpoints.add(new FetchResponseData.NodeEndpoint().setNodeId(target.leaderHint.broker().nodeId())
                            .setHost(target.leaderHint.endpoint().host()).setPort(target.leaderHint.endpoint().port())
                            .setRack(target.leaderHint.broker().rack()));
                }
            }
            return endpoints;
        }

        private PartitionData readPartition(Target target, int maxBytes, boolean minOneMessage) {
            PartitionData response = new PartitionData()
                    .setPartitionIndex(target.fetch.partition())
                    .setRecords(MemoryRecords.EMPTY);
            if (data.isolationLevel() == IsolationLevel.READ_COMMITTED.id()) {
                response.setAbortedTransactions(new ArrayList<>());
            }
            Partition partition = target.partition;
            if (partition == null) {
                if (target.leaderHint != null) {
                    response.setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch()
                            .setLeaderId(target.leaderHint.broker().nodeId())
                            .setLeaderEpoch(target.leaderHint.leaderEpoch()));
                }
                return error(response, target.unknownError, -1, -1);
            }
            if (target.check.error() != Errors.NONE) {
                return error(response, target.check.error(), partition);
            }
            if (target.check.diverging() != null) {
                return positions(response.setDivergingEpoch(target.check.diverging()), partition);
            }
            if (target.preferredReplica.isPresent()) {
                return positions(response.setPreferredReadReplica(target.preferredReplica.getAsInt()), partition);
            }
            if (replicaId >= 0 && leaderThrottle.holdsBack(partition, replicaId)) {
                return positions(response, partition);
            }
            CompletableFuture<LogReadResult> read = read(target, maxBytes, minOneMessage);
            if (!read.isDone()) {
                return positions(response, partition);
            }
            try {
                LogReadResult result = read.join();
                if (isolation() == FetchIsolation.TXN_COMMITTED) {
                    response.setAbortedTransactions(result.abortedTxns().stream()
                            .map(txn -> new FetchResponseData.AbortedTransaction()
                                    .setProducerId(txn.producerId()).setFirstOffset(txn.firstOffset()))
                            .toList());
                }
                return response.setHighWatermark(result.highWatermark())
                        .setLastStableOffset(result.lastStableOffset())
                        .setLogStartOffset(partition.logStartOffset())
                        .setRecords(result.records());
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException failure ? failure : e;
                return error(response, readError(target, cause), partition);
            }
        }

        /** {@code response} with the partition's offsets and no records: where the fetcher stands without a read. */
        private static PartitionData positions(PartitionData response, Partition partition) {
            return response.setHighWatermark(partition.highWatermark())
                    .setLastStableOffset(partition.lastStableOffset())
                    .setLogStartOffset(partition.logStartOffset());
        }

        /**
         * How far this fetch reads: a follower to the log end, a read_committed consumer to the last stable offset
         * (skipping aborted transactions), any other consumer to the high watermark.
         */
        private FetchIsolation isolation() {
            if (replicaId >= 0) {
                return FetchIsolation.LOG_END;
            }
            return data.isolationLevel() == IsolationLevel.READ_COMMITTED.id()
                    ? FetchIsolation.TXN_COMMITTED : FetchIsolation.HIGH_WATERMARK;
        }

        /**
         * The read of {@code target}: the one kept from an earlier attempt, or a new one, kept if it did
         * not complete at once and waking this fetch when it does.
         */
        private CompletableFuture<LogReadResult> read(Target target, int maxBytes, boolean minOneMessage) {
            CompletableFuture<LogReadResult> kept = slowReads.get(target.index);
            if (kept != null) {
                return kept;
            }
            CompletableFuture<LogReadResult> read = target.partition.read(target.fetch.fetchOffset(), maxBytes,
                    minOneMessage, isolation());
            if (read.isDone()) {
                return read;
            }
            if (!slowReads.compareAndSet(target.index, null, read)) {
                // Another attempt started the same read meanwhile: use the one it kept.
                return slowReads.get(target.index);
            }
            read.whenComplete((result, failure) -> delayed.wake());
            return read;
        }

        private boolean slowPending() {
            for (int i = 0; i < slowReads.length(); i++) {
                CompletableFuture<LogReadResult> read = slowReads.get(i);
                if (read != null && !read.isDone()) {
                    return true;
                }
            }
            return false;
        }

        boolean anySlowRead() {
            for (int i = 0; i < slowReads.length(); i++) {
                if (slowReads.get(i) != null) {
                    return true;
                }
            }
            return false;
        }

        private Errors readError(Target target, RuntimeException e) {
            Errors error = Errors.forException(e);
            if (error == Errors.KAFKA_STORAGE_ERROR) {
                // The client retries; the cause is worth a line, not a stack trace.
                LOG.warn(e.getMessage());
            } else if (error == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.errorf(e, "Read of %s at offset %d failed", target.partition.topicPartition(), target.fetch.fetchOffset());
            }
            return error;
        }

        private PartitionData error(PartitionData response, Errors error, long highWatermark, long logStartOffset) {
            return response.setErrorCode(error.code())
                    .setHighWatermark(highWatermark)
                    .setLastStableOffset(highWatermark)
                    .setLogStartOffset(logStartOffset);
        }

        private PartitionData error(PartitionData response, Errors error, Partition partition) {
            return positions(response.setErrorCode(error.code()), partition);
        }
    }

    private record Target(int index, FetchTopic topic, FetchPartition fetch, Partition partition, Errors unknownError,
                          NotHeld.Leader leaderHint, Check check, OptionalInt preferredReplica) {
    }

    /** The outcome of {@code PendingFetch.check}: an error, a divergence to report instead of records, or neither. */
    private record Check(Errors error, FetchResponseData.EpochEndOffset diverging) {
        static final Check PASSED = new Check(Errors.NONE, null);
    }

}
