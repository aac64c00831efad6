package io.strata.broker.txn;

import io.strata.broker.admin.TopicAdmin;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.coordinator.InternalTopic;
import io.strata.broker.coordinator.SharedAttempt;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.RequestForwarder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The transaction coordinator of this broker: it hands transactional producers their producer id and epoch
 * (InitProducerId, fencing an older instance of the same transactional id), records the partitions each transaction
 * writes to (AddPartitionsToTxn, AddOffsetsToTxn), and ends transactions (EndTxn) by writing commit or abort markers
 * to those partitions. It coordinates the transactional ids whose partition of {@code __transaction_state} this
 * broker leads, as Kafka's coordinator does, so another broker takes over when leadership moves.
 *
 * <p>State changes by records: each change of a transactional id is appended to its partition of
 * {@code __transaction_state} and applied once the in-sync replicas hold it; a broker that starts leading a
 * partition replays it, and writes the markers of the transactions it finds half ended. While a change of an id is
 * being written, or its markers are, requests about it are answered with the retriable CONCURRENT_TRANSACTIONS.
 * Transactions open longer than their timeout are aborted with the producer's epoch bumped, which fences the
 * producer; ids idle longer than {@code transactional.id.expiration.ms} are removed.
 *
 * <p>All state belongs to one coordinator thread; every public method hands its work to it.
 */
public final class TransactionCoordinator implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(TransactionCoordinator.class);
    /** Kafka's {@code transaction.state.log.segment.bytes}. */
    private static final String STATE_LOG_SEGMENT_BYTES = "104857600";
    /** Kafka's {@code transaction.state.log.min.isr}: a decision survives the loss of its leader's disk. */
    private static final int STATE_LOG_MIN_ISR = 2;

    private final TransactionConfig config;
    private final PartitionManager partitions;
    private final TopicAdmin topicAdmin;
    private final ProducerIdManager producerIds;
    private final boolean fsyncBeforeAck;
    private final Time time;
    private final ScheduledThreadPoolExecutor thread;
    private final TransactionMarkerSender markers;
    private final SharedAttempt<Void> topicCreation = new SharedAttempt<>();
    /** The partitions of {@code __transaction_state} loaded, with the leader epoch they were loaded in. */
    private final Map<Integer, Integer> loaded = new ConcurrentHashMap<>();
    // Confined to the coordinator thread.
    private final Map<String, TransactionMetadata> transactions = new HashMap<>();
    private final TransactionStateLoader loader;
    /** Writes in flight per transactional id: while any is, requests about the id wait. */
    private final Map<String, Integer> writing = new HashMap<>();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    /** Transactions open or ending among the ids loaded: recounted on the coordinator thread after each change. */
    private volatile int open;

    public TransactionCoordinator(TransactionConfig config, PartitionManager partitions, TopicAdmin topicAdmin,
                                  ProducerIdManager producerIds, TransactionMarkerWriter markerWriter,
                                  RequestForwarder forwarder, boolean fsyncBeforeAck,
                                  Time time) {
        this.config = config;
        this.partitions = partitions;
        this.topicAdmin = topicAdmin;
        this.producerIds = producerIds;
        this.fsyncBeforeAck = fsyncBeforeAck;
        this.time = time;
        this.thread = new ScheduledThreadPoolExecutor(1,
                ThreadUtils.createThreadFactory("strata-transaction-coordinator", true));
        thread.setRemoveOnCancelPolicy(true);
        this.markers = new TransactionMarkerSender(partitions.nodeId(), topicAdmin::image, markerWriter, forwarder,
                thread);
        this.loader = new TransactionStateLoader(partitions, transactions, loaded, this::writeMarkers);
    }

    /**
     * Loads the partitions of {@code __transaction_state} this broker leads once {@code partitionsOpen} completes,
     * and starts the timer that aborts timed-out transactions and removes expired ids.
     */
    public void start(CompletionStage<Void> partitionsOpen) {
        partitionsOpen.whenComplete((ignored, error) -> followLeadership(topicAdmin.image()));
        thread.scheduleWithFixedDelay(this::abortTimedOutAndExpire, config.abortTimedOutIntervalMs(),
                config.abortTimedOutIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /**
     * Completes once {@code __transaction_state} exists, creating it on the first call that finds it missing, as
     * FindCoordinator does for a transactional id; fails with COORDINATOR_NOT_AVAILABLE if creating it failed (the
     * next call tries again).
     */
    public CompletableFuture<Void> stateTopicCreated() {
        if (topicAdmin.image().topic(Topic.TRANSACTION_STATE_TOPIC_NAME).isPresent()) {
            return CompletableFuture.completedFuture(null);
        }
        return topicCreation.get(mine -> InternalTopic.create(topicAdmin, partitions, Topic.TRANSACTION_STATE_TOPIC_NAME,
                        config.stateLogPartitions(), config.stateLogReplicationFactor(),
                        Map.of("segment.bytes", STATE_LOG_SEGMENT_BYTES), STATE_LOG_MIN_ISR)
                .whenComplete((topic, error) -> {
                    if (error != null) {
                        mine.completeExceptionally(error);
                    } else {
                        followLeadership(topicAdmin.image());
                        mine.complete(null);
                    }
                }));
    }

    /** The partition of {@code __transaction_state} that holds {@code transactionalId}, as Kafka maps it. */
    public static int partitionFor(String transactionalId, int partitionCount) {
        return Utils.abs(transactionalId.hashCode()) % partitionCount;
    }

    /**
     * Follows the leadership of {@code __transaction_state} once the partitions have applied {@code image}: the
     * partitions this broker started leading (or leads in a new epoch) are loaded, those it stopped leading unloaded.
     */
    public void followLeadership(MetadataImage image) {
        if (image.topic(Topic.TRANSACTION_STATE_TOPIC_NAME).isEmpty()) {
            return;
        }
        run(() -> topicAdmin.image().topic(Topic.TRANSACTION_STATE_TOPIC_NAME).ifPresent(topic -> {
            loader.follow(topic);
            recount();
        }));
    }

    // ---- requests ----

    /** What InitProducerId answers. */
    public record ProducerIdAndEpoch(Errors error, long producerId, short producerEpoch) {

        static ProducerIdAndEpoch failed(Errors error) {
            return new ProducerIdAndEpoch(error, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
        }
    }

    /**
     * InitProducerId with a transactional id: a new producer id at epoch 0 for an id seen first, else the id's
     * producer id with its epoch bumped, which fences every older producer of the id. An open transaction is aborted
     * first (answered CONCURRENT_TRANSACTIONS: the producer retries). With {@code expectedProducerId} set (KIP-360,
     * a producer bumping its own epoch) the producer must be the current one, or is fenced.
     */
    public CompletableFuture<ProducerIdAndEpoch> initProducerId(String transactionalId, int timeoutMs,
                                                                long expectedProducerId, short expectedEpoch) {
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(ProducerIdAndEpoch.failed(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return call(transactionalId, ProducerIdAndEpoch::failed, () -> {
            if (writing.containsKey(transactionalId)) {
                return completed(ProducerIdAndEpoch.failed(Errors.CONCURRENT_TRANSACTIONS));
            }
            TransactionMetadata txn = transactions.get(transactionalId);
            if (txn == null) {
                return producerIds.nextProducerId().thenComposeAsync(producerId -> {
                    if (transactions.containsKey(transactionalId) || writing.containsKey(transactionalId)) {
                        return completed(ProducerIdAndEpoch.failed(Errors.CONCURRENT_TRANSACTIONS));
                    }
                    TransactionMetadata next = TransactionMetadata.fresh(transactionalId, producerId, timeoutMs, now())
                            .initialized(producerId, (short) 0, timeoutMs, false, now());
                    return answered(write(next), next);
                }, thread);
            }
            if (txn.state().isPreparing()) {
                return completed(ProducerIdAndEpoch.failed(Errors.CONCURRENT_TRANSACTIONS));
            }
            if (txn.state() == TransactionState.ONGOING) {
                fenceAndAbort(txn);
                return completed(ProducerIdAndEpoch.failed(Errors.CONCURRENT_TRANSACTIONS));
            }
            if (expectedProducerId != RecordBatch.NO_PRODUCER_ID) {
                boolean current = txn.producerId() == expectedProducerId && txn.producerEpoch() == expectedEpoch;
                boolean retried = (txn.producerId() == expectedProducerId || txn.previousProducerId() == expectedProducerId)
                        && txn.lastProducerEpoch() == expectedEpoch;
                if (retried && !current) {
                    return completed(new ProducerIdAndEpoch(Errors.NONE, txn.producerId(), txn.producerEpoch()));
                }
                if (!current) {
                    return completed(ProducerIdAndEpoch.failed(Errors.PRODUCER_FENCED));
                }
            }
            boolean byItsProducer = expectedProducerId != RecordBatch.NO_PRODUCER_ID;
            if (txn.producerEpoch() >= Short.MAX_VALUE - 1) {
                // The epoch is exhausted: the id goes on with a new producer id.
                return producerIds.nextProducerId().thenComposeAsync(producerId -> {
                    TransactionMetadata next = txn.initialized(producerId, (short) 0, timeoutMs, byItsProducer, now());
                    return answered(write(next), next);
                }, thread);
            }
            TransactionMetadata next = txn.initialized(txn.producerId(), (short) (txn.producerEpoch() + 1), timeoutMs,
                    byItsProducer, now());
            return answered(write(next), next);
        });
    }

    private static CompletableFuture<ProducerIdAndEpoch> answered(CompletableFuture<Errors> written,
                                                                  TransactionMetadata next) {
        return written.thenApply(error -> error == Errors.NONE
                ? new ProducerIdAndEpoch(Errors.NONE, next.producerId(), next.producerEpoch())
                : ProducerIdAndEpoch.failed(error));
    }

    /**
     * AddPartitionsToTxn and AddOffsetsToTxn: adds {@code added} to the producer's transaction, opening it if none
     * is. With {@code verifyOnly} (a partition leader checking a transactional produce, KIP-890) nothing is added:
     * each partition is answered as {@link TransactionMetadata#verification} says.
     */
    public CompletableFuture<Map<TopicPartition, Errors>> addPartitions(String transactionalId, long producerId,
                                                                        short producerEpoch, Set<TopicPartition> added,
                                                                        boolean verifyOnly) {
        Function<Errors, Map<TopicPartition, Errors>> all = error -> sameError(added, error);
        return call(transactionalId, all, () -> {
            TransactionMetadata txn = transactions.get(transactionalId);
            if (verifyOnly) {
                // From the stored state: a write under way only adds partitions to those already in.
                Errors refused = refusal(txn, producerId, producerEpoch);
                Map<TopicPartition, Errors> verified = new HashMap<>();
                added.forEach(tp -> verified.put(tp, refused != Errors.NONE ? refused : txn.verification(tp)));
                return completed(verified);
            }
            Errors refused = checkProducer(txn, producerId, producerEpoch);
            if (refused != Errors.NONE) {
                return completed(all.apply(refused));
            }
            if (txn.state().isPreparing()) {
                return completed(all.apply(Errors.CONCURRENT_TRANSACTIONS));
            }
            if (txn.state() == TransactionState.ONGOING && txn.partitions().containsAll(added)) {
                return completed(all.apply(Errors.NONE));
            }
            return write(txn.withPartitions(added, now())).thenApply(all);
        });
    }

    /**
     * EndTxn: commits or aborts the producer's open transaction. Answered once the decision is stored
     * (PrepareCommit or PrepareAbort); the markers are written after, and until they all are the id's next
     * requests are answered CONCURRENT_TRANSACTIONS. A retried EndTxn of an ended transaction is answered NONE.
     */
    public CompletableFuture<Errors> endTransaction(String transactionalId, long producerId, short producerEpoch,
                                                    boolean commit) {
        return call(transactionalId, Function.identity(), () -> {
            TransactionMetadata txn = transactions.get(transactionalId);
            Errors refused = checkProducer(txn, producerId, producerEpoch);
            if (refused != Errors.NONE) {
                return completed(refused);
            }
            TransactionState wanted = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
            TransactionState done = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            if (txn.state() == TransactionState.ONGOING) {
                TransactionMetadata prepared = txn.transitionTo(wanted, txn.producerEpoch(), now());
                return write(prepared).thenApply(error -> {
                    if (error == Errors.NONE) {
                        writeMarkers(prepared);
                    }
                    return error;
                });
            }
            if (txn.state() == wanted) {
                return completed(Errors.CONCURRENT_TRANSACTIONS);
            }
            return completed(txn.state() == done ? Errors.NONE : Errors.INVALID_TXN_STATE);
        });
    }

    /** Why the producer may not act on the id's transaction, or NONE. */
    private Errors checkProducer(TransactionMetadata txn, long producerId, short producerEpoch) {
        Errors refused = refusal(txn, producerId, producerEpoch);
        if (refused != Errors.NONE) {
            return refused;
        }
        return writing.containsKey(txn.transactionalId()) ? Errors.CONCURRENT_TRANSACTIONS : Errors.NONE;
    }

    private static Errors refusal(TransactionMetadata txn, long producerId, short producerEpoch) {
        return txn == null ? Errors.INVALID_PRODUCER_ID_MAPPING : txn.refusal(producerId, producerEpoch);
    }

    /** DescribeTransactions: the state of each id, or why this broker cannot tell. */
    public CompletableFuture<List<Described>> describe(List<String> transactionalIds) {
        return onThread(() -> transactionalIds.stream().map(id -> {
            Errors error = whyNotCoordinating(id);
            TransactionMetadata txn = transactions.get(id);
            if (error == Errors.NONE && txn == null) {
                error = Errors.TRANSACTIONAL_ID_NOT_FOUND;
            }
            return new Described(id, error, error == Errors.NONE ? txn : null);
        }).toList());
    }

    /** An id's state as DescribeTransactions answers it; {@code transaction} is null unless {@code error} is NONE. */
    public record Described(String transactionalId, Errors error, TransactionMetadata transaction) {
    }

    /**
     * ListTransactions: the transactions of the ids this broker coordinates, filtered by state, producer id, how
     * long they have been open and a pattern of their id; an empty filter takes all.
     */
    public CompletableFuture<List<TransactionMetadata>> list(Set<TransactionState> states, Set<Long> producerIds,
                                                             long minDurationMs,
                                                             Pattern idPattern) {
        return onThread(() -> {
            long now = now();
            return transactions.values().stream()
                    .filter(txn -> states.isEmpty() || states.contains(txn.state()))
                    .filter(txn -> producerIds.isEmpty() || producerIds.contains(txn.producerId()))
                    .filter(txn -> minDurationMs < 0
                            || (txn.startTimestamp() >= 0 && now - txn.startTimestamp() >= minDurationMs))
                    .filter(txn -> idPattern == null || idPattern.matcher(txn.transactionalId()).matches())
                    .toList();
        });
    }

    // ---- ending transactions ----

    /** Writes the markers of a transaction in a prepare state, then its completion. */
    private void writeMarkers(TransactionMetadata prepared) {
        Optional<Integer> stateCount = stateTopicPartitions();
        if (stateCount.isEmpty()) {
            return;
        }
        int partition = partitionFor(prepared.transactionalId(), stateCount.get());
        Integer coordinatorEpoch = loaded.get(partition);
        if (coordinatorEpoch == null) {
            return;
        }
        boolean commit = prepared.state() == TransactionState.PREPARE_COMMIT;
        markers.send(prepared, commit, coordinatorEpoch, () -> coordinatorEpoch.equals(loaded.get(partition)))
                .thenRunAsync(() -> complete(prepared, commit), thread)
                .exceptionally(error -> {
                    LOG.debugf("Left the markers of transactional id %s to its new coordinator: %s",
                            prepared.transactionalId(), error.getMessage());
                    return null;
                });
    }

    /** Records that the markers of {@code prepared} are written, retrying while the write fails. */
    private void complete(TransactionMetadata prepared, boolean commit) {
        if (!prepared.equals(transactions.get(prepared.transactionalId()))
                || writing.containsKey(prepared.transactionalId())) {
            return;
        }
        TransactionState done = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
        write(prepared.transitionTo(done, prepared.producerEpoch(), now())).thenAccept(error -> {
            if (error != Errors.NONE && error != Errors.NOT_COORDINATOR) {
                LOG.warnf("Completing the transaction of %s failed (%s); trying again", prepared.transactionalId(),
                        error.name());
                thread.schedule(() -> complete(prepared, commit), TransactionMarkerSender.RETRY_BACKOFF_MS,
                        TimeUnit.MILLISECONDS);
            }
        });
    }

    /**
     * Aborts an open transaction with the producer's epoch bumped, so the producer that opened it is fenced:
     * how a timed-out transaction ends, and an open one when its id is initialised again.
     */
    private void fenceAndAbort(TransactionMetadata txn) {
        short epoch = txn.producerEpoch() < Short.MAX_VALUE - 1 ? (short) (txn.producerEpoch() + 1) : txn.producerEpoch();
        TransactionMetadata prepared = txn.transitionTo(TransactionState.PREPARE_ABORT, epoch, now());
        write(prepared).thenAccept(error -> {
            if (error == Errors.NONE) {
                writeMarkers(prepared);
            } else {
                LOG.warnf("Aborting the transaction of %s failed: %s", txn.transactionalId(), error.name());
            }
        });
    }

    private void abortTimedOutAndExpire() {
        try {
            abortTimedOut(now());
        } catch (RuntimeException e) {
            // Not rethrown: that would end the timer.
            LOG.errorf(e, "Aborting timed-out transactions failed");
        }
    }

    private void abortTimedOut(long now) {
        for (TransactionMetadata txn : List.copyOf(transactions.values())) {
            if (writing.containsKey(txn.transactionalId())) {
                continue;
            }
            if (txn.timedOut(now)) {
                LOG.infof("Aborting the transaction of %s (producer id %d, epoch %d): open for %d ms, longer than "
                                + "its timeout of %d ms", txn.transactionalId(), txn.producerId(), txn.producerEpoch(),
                        now - txn.startTimestamp(), txn.timeoutMs());
                fenceAndAbort(txn);
            } else if (txn.state().isIdle() && now - txn.lastUpdateTimestamp() > config.idExpirationMs()) {
                LOG.infof("Removing transactional id %s: unused for %d ms", txn.transactionalId(),
                        now - txn.lastUpdateTimestamp());
                write(txn.transactionalId(), null);
            }
        }
    }

    // ---- writes ----

    private CompletableFuture<Errors> write(TransactionMetadata next) {
        return write(next.transactionalId(), next);
    }

    /**
     * Appends {@code next} (null: a tombstone) to the id's partition of {@code __transaction_state} and applies it
     * once durable, unless this broker stopped coordinating the id meanwhile. Runs on the coordinator thread.
     */
    private CompletableFuture<Errors> write(String transactionalId, TransactionMetadata next) {
        Optional<Integer> stateCount = stateTopicPartitions();
        if (stateCount.isEmpty()) {
            return completed(Errors.NOT_COORDINATOR);
        }
        int index = partitionFor(transactionalId, stateCount.get());
        TopicPartition tp = new TopicPartition(Topic.TRANSACTION_STATE_TOPIC_NAME, index);
        Integer epoch = loaded.get(index);
        Optional<Partition> partition = partitions.leading(tp);
        // Leadership lost and won again since the load: the state in memory may miss what happened meanwhile.
        if (epoch == null || partition.isEmpty() || partition.get().leaderEpoch() != epoch) {
            return completed(Errors.NOT_COORDINATOR);
        }
        SimpleRecord record = new SimpleRecord(now(), TransactionRecords.encodeKey(transactionalId),
                next == null ? null : TransactionRecords.encodeValue(next));
        CompletableFuture<Void> durable;
        try {
            durable = CoordinatorLog.append(partitions, partition.get(),
                    MemoryRecords.withRecords(Compression.NONE, record), VerificationGuard.NONE, fsyncBeforeAck);
        } catch (ApiException e) {
            LOG.warnf("Writing the state of transactional id %s to %s failed: %s", transactionalId, tp, e.getMessage());
            return completed(CoordinatorLog.writeError(e));
        }
        writing.merge(transactionalId, 1, Integer::sum);
        return durable.handleAsync((ignored, error) -> {
            writing.computeIfPresent(transactionalId, (id, count) -> count > 1 ? count - 1 : null);
            if (error != null) {
                LOG.warnf("Writing the state of transactional id %s to %s failed: %s", transactionalId, tp, error);
                return CoordinatorLog.writeError(error);
            }
            if (!epoch.equals(loaded.get(index))) {
                return Errors.NOT_COORDINATOR;
            }
            if (next == null) {
                transactions.remove(transactionalId);
            } else {
                transactions.put(transactionalId, next);
                if (next.state() == TransactionState.COMPLETE_COMMIT) {
                    committed.incrementAndGet();
                } else if (next.state() == TransactionState.COMPLETE_ABORT) {
                    aborted.incrementAndGet();
                }
            }
            recount();
            return Errors.NONE;
        }, thread);
    }

    // ---- metrics ----

    /** What the coordinator's meters read: open transactions now, and transactions ended since start. */
    public record Stats(int open, long committed, long aborted) {
    }

    public Stats stats() {
        return new Stats(open, committed.get(), aborted.get());
    }

    private void recount() {
        open = (int) transactions.values().stream().filter(txn -> !txn.state().isIdle()).count();
    }

    // ---- threading and ownership ----

    /**
     * Runs a request about {@code transactionalId} on the coordinator thread if this broker coordinates the id and
     * has loaded it; otherwise answers {@code failed} of NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
     */
    private <T> CompletableFuture<T> call(String transactionalId, Function<Errors, T> failed,
                                          Supplier<CompletableFuture<T>> task) {
        return onThread(() -> {
            Errors error = whyNotCoordinating(transactionalId);
            return error == Errors.NONE ? task.get() : completed(failed.apply(error));
        }).thenCompose(Function.identity());
    }

    private Errors whyNotCoordinating(String transactionalId) {
        Optional<TopicImage> topic = topicAdmin.image().topic(Topic.TRANSACTION_STATE_TOPIC_NAME);
        if (topic.isEmpty()) {
            return Errors.NOT_COORDINATOR;
        }
        int partition = partitionFor(transactionalId, topic.get().partitions());
        if (topic.get().partition(partition).leader() != partitions.nodeId()) {
            return Errors.NOT_COORDINATOR;
        }
        return loaded.containsKey(partition) ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    private Optional<Integer> stateTopicPartitions() {
        return topicAdmin.image().topic(Topic.TRANSACTION_STATE_TOPIC_NAME).map(TopicImage::partitions);
    }

    private <T> CompletableFuture<T> onThread(Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, thread);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void run(Runnable task) {
        try {
            thread.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.errorf(e, "The transaction coordinator failed");
                }
            });
        } catch (RuntimeException e) {
            LOG.debugf("The transaction coordinator is shut down: %s", e.getMessage());
        }
    }

    private static <T> CompletableFuture<T> completed(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** {@code error} for each of {@code partitions}. */
    static Map<TopicPartition, Errors> sameError(Set<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        partitions.forEach(tp -> errors.put(tp, error));
        return errors;
    }

    private long now() {
        return time.milliseconds();
    }

    @Override
    public void close() {
        thread.shutdownNow();
        ThreadUtils.shutdownExecutorServiceQuietly(thread, 5, TimeUnit.SECONDS);
    }
}
