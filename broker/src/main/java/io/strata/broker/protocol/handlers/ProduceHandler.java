package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.log.AppendResult;
import io.strata.broker.log.RecordErrors;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.ConnectionClosingException;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.ProduceVerification.Target;
import io.strata.broker.txn.TransactionVerifier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.BatchIndexAndErrorMessage;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.resource.ResourceType;
import org.jboss.logging.Logger;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Produce: appends each partition's record batches as they came (or recompressed in the topic's
 * {@code compression.type}), with broker-assigned offsets; the partition log validates them (its
 * {@code LogValidator}), and a refusal is the partition's error code. acks=0 sends no response; acks=1 answers after
 * the leader's append; acks=-1 is refused with {@code NOT_ENOUGH_REPLICAS} while fewer are in sync than
 * {@code min.insync.replicas} requires (at most every replica), and answers once
 * every in-sync replica holds the records (the high watermark passed them) and, when the broker is set
 * to fsync before acknowledging, they are on the leader's disk. A transactional produce is first checked with
 * the transaction coordinator ({@link ProduceVerification}). As Kafka, each topic needs WRITE, else its partitions are
 * answered {@code TOPIC_AUTHORIZATION_FAILED} while the others are appended; transactional records need WRITE on their
 * transactional id, else every partition is answered {@code TRANSACTIONAL_ID_AUTHORIZATION_FAILED}.
 */
public final class ProduceHandler {

    private static final Logger LOG = Logger.getLogger(ProduceHandler.class);
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    /** Produce v10 added the new leader to NOT_LEADER_OR_FOLLOWER answers (KIP-951). */
    private static final short FIRST_LEADER_HINT_VERSION = 10;

    private final PartitionManager partitions;
    private final Supplier<MetadataImage> image;
    private final TransactionVerifier verifier;
    private final boolean fsyncBeforeAck;
    /**
     * The appends still to come of each connection's last produce that waits for a verification. A producer
     * pipelines its requests and relies on their batches reaching each partition's log in the order it sent
     * them, which requests handled at once on the connection's event loop do; one that waits holds back the
     * appends of the connection's later produces until its own are done. Empty while nothing waits.
     */
    private final Map<SocketAddress, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    public ProduceHandler(PartitionManager partitions, Supplier<MetadataImage> image, TransactionVerifier verifier,
                          boolean fsyncBeforeAck) {
        this.partitions = partitions;
        this.image = image;
        this.verifier = verifier;
        this.fsyncBeforeAck = fsyncBeforeAck;
    }

    public CompletionStage<ProduceResponseData> handle(RequestContext context, ProduceRequest request) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        if (acks != 0 && acks != 1 && acks != -1) {
            return CompletableFuture.completedFuture(allFailed(data, Errors.INVALID_REQUIRED_ACKS));
        }
        if (RequestUtils.hasTransactionalRecords(request) && (data.transactionalId() == null
                || !context.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, data.transactionalId()))) {
            // As Kafka: transactional records need the transactional id they are written for, and WRITE on it.
            return respond(allFailed(data, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED), acks, List.of());
        }
        boolean byId = context.apiVersion() >= FIRST_TOPIC_ID_VERSION;
        MetadataImage metadata = image.get();
        ProduceResponseData response = new ProduceResponseData();
        List<Append> appends = new ArrayList<>();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            Optional<TopicImage> topic = byId ? metadata.topic(topicData.topicId()) : metadata.topic(topicData.name());
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(byId ? "" : topicData.name())
                    .setTopicId(byId ? topicData.topicId() : Uuid.ZERO_UUID);
            // A topic id no topic has stays unknown; any named topic, existing or not, needs WRITE first.
            Optional<String> name = byId ? topic.map(TopicImage::name) : Optional.of(topicData.name());
            boolean denied = name.isPresent() && !context.allowed(AclOperation.WRITE, ResourceType.TOPIC, name.get());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse partitionResponse = new PartitionProduceResponse()
                        .setIndex(partitionData.index());
                Optional<Partition> partition = topic.flatMap(t ->
                        partitions.leading(new TopicPartition(t.name(), partitionData.index())));
                if (denied) {
                    fail(partitionResponse, Errors.TOPIC_AUTHORIZATION_FAILED, null);
                } else if (partition.isEmpty()) {
                    Errors error = NotHeld.error(topic, partitionData.index(), byId);
                    fail(partitionResponse, error, null);
                    if (error == Errors.NOT_LEADER_OR_FOLLOWER && context.apiVersion() >= FIRST_LEADER_HINT_VERSION) {
                        NotHeld.leader(metadata, topic, partitionData.index(), context.listener())
                                .ifPresent(leader -> hint(response, partitionResponse, leader));
                    }
                } else if (Topic.isInternal(partition.get().topicPartition().topic())) {
                    // Its records are replayed into broker state at start-up: only the broker writes them.
                    fail(partitionResponse, Errors.INVALID_TOPIC_EXCEPTION,
                            "Cannot append to internal topic " + partition.get().topicPartition().topic());
                } else {
                    try {
                        if (partitionData.records() != null) {
                            // As Kafka's broker, by kafka-clients' rules: from v3 exactly one batch, of magic v2, and
                            // zstd only from v7. Missing records are left for the append to refuse.
                            ProduceRequest.validateRecords(context.apiVersion(), partitionData.records());
                        }
                        appends.add(new Append(new Target(partition.get().topicPartition(), partition.get(),
                                (MemoryRecords) partitionData.records()), partitionResponse));
                    } catch (ApiException e) {
                        fail(partitionResponse, Errors.forException(e), e.getMessage());
                    } catch (IllegalArgumentException e) {
                        // A codec id kafka-clients does not know: the log's validator answers it the same way.
                        fail(partitionResponse, Errors.INVALID_RECORD, e.getMessage());
                    }
                }
                topicResponse.partitionResponses().add(partitionResponse);
            }
            response.responses().add(topicResponse);
        }
        ProduceVerification verification = ProduceVerification.start(data.transactionalId(),
                appends.stream().map(Append::target).toList());
        short version = context.apiVersion();
        // Handlers run on the connection's event loop, one request after another: this get and put of the
        // connection's entry never race with each other.
        SocketAddress connection = context.clientAddress();
        CompletableFuture<Void> previous = waiting.get(connection);
        if (previous == null && !verification.awaitsAny()) {
            return respond(response, acks, appendAll(appends, verification, version, acks, data.timeoutMs()));
        }
        CompletableFuture<Void> ready = verification.ask(verifier);
        if (previous != null) {
            ready = ready.thenCombine(previous.exceptionally(failure -> null), (verified, appended) -> null);
        }
        // Appended on the connection's event loop, as produces that do not wait are.
        CompletableFuture<List<CompletableFuture<Void>>> appended = ready.thenApplyAsync(
                ignored -> appendAll(appends, verification, version, acks, data.timeoutMs()), context.eventLoop());
        CompletableFuture<Void> done = appended.thenApply(ignored -> null);
        waiting.put(connection, done);
        done.whenComplete((ignored, failure) -> waiting.remove(connection, done));
        return appended.thenCompose(acknowledgements -> respond(response, acks, acknowledgements));
    }

    /** Appends every partition's batches in request order; the acks=all acknowledgements to wait for. */
    private List<CompletableFuture<Void>> appendAll(List<Append> appends, ProduceVerification verification,
                                                   short version, short acks, int timeoutMs) {
        List<CompletableFuture<Void>> acknowledgements = new ArrayList<>();
        for (Append append : appends) {
            append(append, verification, version, acks, timeoutMs).ifPresent(acknowledgements::add);
        }
        return acknowledgements;
    }

    /**
     * Appends one partition's batches unless their verification was refused, filling in its answer; the acks=all
     * acknowledgement to wait for, if any.
     */
    private Optional<CompletableFuture<Void>> append(Append append, ProduceVerification verification, short version,
                                                     short acks, int timeoutMs) {
        Optional<ApiException> refusal = verification.refusal(append.target(), version);
        if (refusal.isPresent()) {
            fail(append.response(), Errors.forException(refusal.get()), refusal.get().getMessage());
            return Optional.empty();
        }
        return append(append.target(), verification.guard(append.target()), acks == -1, append.response())
                .filter(appended -> acks == -1)
                .map(appended -> acknowledged(append.target().partition(), appended, timeoutMs, append.response()));
    }

    /** One partition's batches to append, and its answer. */
    private record Append(Target target, PartitionProduceResponse response) {
    }

    /**
     * The answer to the produce: none for acks=0 (a failure closes the connection instead, as Kafka does), else
     * {@code response} once every acks=all acknowledgement is in.
     */
    private static CompletableFuture<ProduceResponseData> respond(ProduceResponseData response, short acks,
                                                                  List<CompletableFuture<Void>> acknowledgements) {
        if (acks == 0) {
            Optional<String> failure = response.responses().stream()
                    .flatMap(topic -> topic.partitionResponses().stream()
                            .filter(partition -> partition.errorCode() != Errors.NONE.code())
                            // A client of Produce v13 on names topics by id alone.
                            .map(partition -> (topic.name().isEmpty() ? topic.topicId().toString() : topic.name())
                                    + "-" + partition.index() + ": " + Errors.forCode(partition.errorCode()).name()))
                    .findFirst();
            return failure.isPresent()
                    ? CompletableFuture.failedFuture(new ConnectionClosingException("acks=0 produce failed for " + failure.get()))
                    : CompletableFuture.completedFuture(null);
        }
        if (acknowledgements.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        return CompletableFuture.allOf(acknowledgements.toArray(CompletableFuture[]::new)).thenApply(ignored -> response);
    }

    /** Appends, filling in {@code response}; empty when it failed, which {@code response} then says. */
    private Optional<AppendResult> append(Target target, VerificationGuard verified, boolean allReplicas,
                                          PartitionProduceResponse response) {
        if (target.records() == null) {
            fail(response, Errors.INVALID_RECORD, "no records");
            return Optional.empty();
        }
        Optional<String> full = partitions.diskLimitReached();
        if (full.isPresent()) {
            // Retriable: producers keep their records and retry until space is freed or their delivery timeout.
            fail(response, Errors.KAFKA_STORAGE_ERROR, full.get());
            return Optional.empty();
        }
        Partition partition = target.partition();
        try {
            if (allReplicas) {
                partition.requireEnoughReplicas();
            }
            AppendResult result = partition.append(target.records(), verified);
            response.setBaseOffset(result.firstOffset())
                    .setLogAppendTimeMs(result.logAppendTime())
                    .setLogStartOffset(partition.logStartOffset());
            return Optional.of(result);
        } catch (RuntimeException e) {
            Errors error = Errors.forException(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                LOG.errorf(e, "Append to %s failed", partition.topicPartition());
            }
            fail(response, error, e.getMessage());
            RecordErrors.of(e).ifPresent(refused -> response.setRecordErrors(refused.errors().stream()
                    .map(record -> new BatchIndexAndErrorMessage().setBatchIndex(record.batchIndex)
                            .setBatchIndexErrorMessage(record.message)).toList()));
            return Optional.empty();
        }
    }

    /**
     * The acks=all acknowledgement of an append: once the in-sync replicas hold it (and, when the broker is
     * set to, it is fsynced here), or its failure in {@code response}; {@code REQUEST_TIMED_OUT} after the
     * request's timeout.
     */
    private CompletableFuture<Void> acknowledged(Partition partition, AppendResult appended, int timeoutMs,
                                                 PartitionProduceResponse response) {
        CompletableFuture<Void> done = partitions.acknowledged(partition, appended.lastOffset(), fsyncBeforeAck);
        if (done.isDone() && !done.isCompletedExceptionally()) {
            return done;
        }
        return done.orTimeout(Math.max(timeoutMs, 0), TimeUnit.MILLISECONDS).handle((ignored, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (cause instanceof TimeoutException) {
                    fail(response, Errors.REQUEST_TIMED_OUT, "The in-sync replicas of " + partition.topicPartition()
                            + " did not acknowledge offset " + appended.lastOffset() + " within " + timeoutMs + " ms.");
                } else {
                    fail(response, Errors.forException(cause), cause.getMessage());
                }
            }
            return null;
        });
    }

    private static void hint(ProduceResponseData response, PartitionProduceResponse partition, NotHeld.Leader leader) {
        partition.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch()
                .setLeaderId(leader.broker().nodeId()).setLeaderEpoch(leader.leaderEpoch()));
        if (response.nodeEndpoints().find(leader.broker().nodeId()) == null) {
            response.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint().setNodeId(leader.broker().nodeId())
                    .setHost(leader.endpoint().host()).setPort(leader.endpoint().port()).setRack(leader.broker().rack()));
        }
    }

    private static void fail(PartitionProduceResponse response, Errors error, String message) {
        response.setErrorCode(error.code())
                .setErrorMessage(message)
                .setBaseOffset(-1)
                .setLogAppendTimeMs(-1)
                .setLogStartOffset(-1);
    }

    private static ProduceResponseData allFailed(ProduceRequestData data, Errors error) {
        ProduceResponseData response = new ProduceResponseData();
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name()).setTopicId(topicData.topicId());
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse partitionResponse = new PartitionProduceResponse().setIndex(partitionData.index());
                fail(partitionResponse, error, null);
                topicResponse.partitionResponses().add(partitionResponse);
            }
            response.responses().add(topicResponse);
        }
        return response;
    }
}
