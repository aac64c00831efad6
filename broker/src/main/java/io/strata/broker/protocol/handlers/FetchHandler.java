package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.log.LogReadResult;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Fetch: serves each partition from its log as file slices that go out with sendfile, within the
 * per-partition and per-response byte limits; when fewer than {@code min.bytes} are ready it waits
 * up to {@code max.wait.ms} for appends to any of the fetched partitions (long poll).
 *
 * <p>Offsets below the local log are read from the tiered log, asynchronously, every such partition
 * of the request at once, each within its partition limit and what the response limit had left when
 * its read started (so a response may exceed {@code fetch.max.bytes} by those reads, which that limit
 * allows for). The response waits for them up to {@code max.wait.ms}, but at least
 * {@value #TIERED_READ_MAX_WAIT_MS} ms (Kafka's {@code remote.fetch.max.wait.ms}); a read still
 * running then answers empty and the client fetches again. Kafka reads one partition per request from
 * remote storage; reading them together lets a consumer replaying history across many partitions get
 * as much per round trip as from local segments.
 *
 * <p>Incremental fetch sessions are not kept: every response carries session id 0, which tells
 * clients to send full fetch requests, as they do with a broker whose session cache is full.
 */
public final class FetchHandler implements ApiHandler<FetchRequest> {

    private static final Logger LOG = Logger.getLogger(FetchHandler.class);
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    static final long TIERED_READ_MAX_WAIT_MS = 500;

    private final PartitionManager partitions;
    private final Supplier<MetadataImage> image;
    private final ScheduledExecutorService timer;

    public FetchHandler(PartitionManager partitions, Supplier<MetadataImage> image, ScheduledExecutorService timer) {
        this.partitions = partitions;
        this.image = image;
        this.timer = timer;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FETCH;
    }

    @Override
    public CompletionStage<FetchResponseData> handle(RequestContext context, FetchRequest request) {
        FetchRequestData data = request.data();
        if (data.sessionId() != 0) {
            return CompletableFuture.completedFuture(new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()));
        }
        PendingFetch fetch = new PendingFetch(data, context.apiVersion() >= FIRST_TOPIC_ID_VERSION);
        if (fetch.tryComplete(false)) {
            return fetch.result;
        }
        fetch.await();
        return fetch.result;
    }

    /** One fetch request from first attempt to response; the first completion wins. */
    private final class PendingFetch implements Runnable {
        private final FetchRequestData data;
        private final boolean byId;
        private final List<Target> targets = new ArrayList<>();
        private final CompletableFuture<FetchResponseData> result = new CompletableFuture<>();
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicBoolean wakePending = new AtomicBoolean();
        /** The tiered read of each target that needs one, by target index, started by the first attempt. */
        private final AtomicReferenceArray<CompletableFuture<LogReadResult>> tieredReads;
        private volatile ScheduledFuture<?> timeout;

        PendingFetch(FetchRequestData data, boolean byId) {
            this.data = data;
            this.byId = byId;
            MetadataImage metadata = image.get();
            for (FetchTopic topic : data.topics()) {
                Optional<TopicImage> topicImage = byId ? metadata.topic(topic.topicId()) : metadata.topic(topic.topic());
                for (FetchPartition partition : topic.partitions()) {
                    Optional<Partition> local = topicImage.flatMap(t ->
                            partitions.partition(new TopicPartition(t.name(), partition.partition())));
                    Errors unknown = byId && topicImage.isEmpty() ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    targets.add(new Target(targets.size(), topic, partition, local.orElse(null), unknown));
                }
            }
            this.tieredReads = new AtomicReferenceArray<>(targets.size());
        }

        /** Reads every partition; completes when there is enough to send, or when {@code force}. */
        boolean tryComplete(boolean force) {
            if (done.get()) {
                return true;
            }
            FetchResponseData response;
            try {
                response = read(force);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Fetch failed");
                response = new FetchResponseData().setErrorCode(Errors.forException(e).code());
            }
            if (response == null || !done.compareAndSet(false, true)) {
                return done.get();
            }
            cancelWaiting();
            countBytesFetched(response);
            result.complete(response);
            return true;
        }

        /** The response's partitions are the targets, in order. */
        private void countBytesFetched(FetchResponseData response) {
            int index = 0;
            for (FetchableTopicResponse topic : response.responses()) {
                for (PartitionData partitionData : topic.partitions()) {
                    Partition partition = targets.get(index++).partition;
                    if (partition != null && partitionData.records() != null) {
                        partition.addBytesFetched(partitionData.records().sizeInBytes());
                    }
                }
            }
        }

        private FetchResponseData read(boolean force) {
            int remaining = data.maxBytes();
            int bytes = 0;
            boolean anyError = false;
            boolean tieredIncluded = false;
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
                anyError |= partitionData.errorCode() != Errors.NONE.code();
                tieredIncluded |= tieredReads.get(target.index) != null && tieredReads.get(target.index).isDone();
                current.partitions().add(partitionData);
            }
            boolean ready = force || anyError
                    || !tieredPending() && (tieredIncluded || data.maxWaitMs() <= 0 || bytes >= data.minBytes()
                    || targets.isEmpty());
            return ready ? new FetchResponseData().setSessionId(0).setResponses(responses) : null;
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
                return error(response, target.unknownError, -1, -1);
            }
            Errors epochError = partition.checkLeaderEpoch(target.fetch.currentLeaderEpoch());
            if (epochError != Errors.NONE) {
                return error(response, epochError, partition.log().highWatermark(), partition.logStartOffset());
            }
            long offset = target.fetch.fetchOffset();
            try {
                LogReadResult read = partition.isTiered(offset)
                        ? readTiered(target, maxBytes, minOneMessage)
                        : partition.log().read(offset, maxBytes, minOneMessage);
                if (read == null) {
                    return response.setHighWatermark(partition.log().highWatermark())
                            .setLastStableOffset(partition.log().highWatermark())
                            .setLogStartOffset(partition.logStartOffset());
                }
                return response.setHighWatermark(read.highWatermark())
                        .setLastStableOffset(read.highWatermark())
                        .setLogStartOffset(partition.logStartOffset())
                        .setRecords(read.records());
            } catch (RuntimeException e) {
                return error(response, readError(partition, offset, e), partition.log().highWatermark(),
                        partition.logStartOffset());
            }
        }

        private boolean tieredPending() {
            for (int i = 0; i < tieredReads.length(); i++) {
                CompletableFuture<LogReadResult> read = tieredReads.get(i);
                if (read != null && !read.isDone()) {
                    return true;
                }
            }
            return false;
        }

        private boolean anyTieredRead() {
            for (int i = 0; i < tieredReads.length(); i++) {
                if (tieredReads.get(i) != null) {
                    return true;
                }
            }
            return false;
        }

        /** The tiered read of {@code target}, started here if it has none yet; {@code null} while it runs. */
        private LogReadResult readTiered(Target target, int maxBytes, boolean minOneMessage) {
            CompletableFuture<LogReadResult> started = new CompletableFuture<>();
            if (tieredReads.compareAndSet(target.index, null, started)) {
                target.partition.readTiered(target.fetch.fetchOffset(), maxBytes, minOneMessage)
                        .whenComplete((read, failure) -> {
                            if (failure == null) {
                                started.complete(read);
                            } else {
                                started.completeExceptionally(failure);
                            }
                            run();
                        });
            }
            CompletableFuture<LogReadResult> current = tieredReads.get(target.index);
            if (!current.isDone()) {
                return null;
            }
            try {
                return current.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }

        private Errors readError(Partition partition, long offset, RuntimeException e) {
            Errors error = Errors.forException(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR && partition.isTiered(offset)) {
                // The object store failed or the segment was swapped meanwhile: worth a retry.
                LOG.warnf("Tiered read of %s at offset %d failed: %s", partition.topicPartition(), offset, e.toString());
                return Errors.KAFKA_STORAGE_ERROR;
            }
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.errorf(e, "Read of %s at offset %d failed", partition.topicPartition(), offset);
            }
            return error;
        }

        private PartitionData error(PartitionData response, Errors error, long highWatermark, long logStartOffset) {
            return response.setErrorCode(error.code())
                    .setHighWatermark(highWatermark)
                    .setLastStableOffset(highWatermark)
                    .setLogStartOffset(logStartOffset);
        }

        void await() {
            for (Target target : targets) {
                if (target.partition != null) {
                    target.partition.addAppendWaiter(this);
                }
            }
            long wait = anyTieredRead() ? Math.max(data.maxWaitMs(), TIERED_READ_MAX_WAIT_MS) : data.maxWaitMs();
            timeout = timer.schedule(() -> tryComplete(true), wait, TimeUnit.MILLISECONDS);
            // An append that landed between the first read and the registration would otherwise be missed.
            tryComplete(false);
            // A completion on another thread while this loop registered cannot have removed the
            // waiters registered after it; removal is idempotent, so remove them all again.
            if (done.get()) {
                cancelWaiting();
            }
        }

        /**
         * Called on the appending thread after an append to one of the partitions: the re-read is
         * handed to the fetch timer's thread, once however many appends arrive meanwhile, so a
         * produce never pays for the reads of the fetches it wakes.
         */
        @Override
        public void run() {
            if (!done.get() && wakePending.compareAndSet(false, true)) {
                try {
                    timer.execute(() -> {
                        wakePending.set(false);
                        tryComplete(false);
                    });
                } catch (RejectedExecutionException e) {
                    // The broker is stopping; its listener closes this fetch's connection.
                }
            }
        }

        private void cancelWaiting() {
            for (Target target : targets) {
                if (target.partition != null) {
                    target.partition.removeAppendWaiter(this);
                }
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
        }
    }

    private record Target(int index, FetchTopic topic, FetchPartition fetch, Partition partition, Errors unknownError) {
    }

}
