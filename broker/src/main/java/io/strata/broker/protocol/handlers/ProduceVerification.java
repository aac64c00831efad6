package io.strata.broker.protocol.handlers;

import io.strata.broker.log.VerificationGuard;
import io.strata.broker.partition.Partition;
import io.strata.broker.txn.TransactionVerifier;
import io.strata.broker.txn.TransactionVerifier.Verification;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.TransactionAbortableException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The check of a transactional produce before its append (KIP-890): each partition led here whose batch would open
 * the producer's transaction in it is confirmed with the transaction coordinator to be part of that transaction
 * ({@link TransactionVerifier}) before it is appended, so that a batch the coordinator never heard of (a late retry
 * after an abort, a client that skipped AddPartitionsToTxn) cannot leave a transaction open that nobody will end.
 * Each append then carries its partition's {@link VerificationGuard}; the batches of a produce that names no
 * transactional id carry {@link VerificationGuard#NONE}, with which the log lets no batch open a transaction.
 */
final class ProduceVerification {

    /** The first Produce version whose clients take TRANSACTION_ABORTABLE (KIP-890). */
    private static final short FIRST_ABORTABLE_VERSION = 11;

    private final String transactionalId;
    private final long producerId;
    private final short producerEpoch;
    /** The guard of each partition whose batches open the producer's transaction here. */
    private final Map<TopicPartition, VerificationGuard> guards;
    private volatile Verification verification;

    private ProduceVerification(String transactionalId, long producerId, short producerEpoch,
                                Map<TopicPartition, VerificationGuard> guards) {
        this.transactionalId = transactionalId;
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.guards = guards;
        this.verification = new Verification(guards, Map.of());
    }

    /** A partition's batches to check: the partition leading it here, and what the request holds for it. */
    record Target(TopicPartition topicPartition, Partition partition, MemoryRecords records) {
    }

    /**
     * Starts a verification on every target whose first batch is transactional and from the producer of the first
     * such batch (a request holds one producer's batches; the log refuses the others), where the producer's
     * transaction is not open yet.
     */
    static ProduceVerification start(String transactionalId, Iterable<Target> targets) {
        long producerId = RecordBatch.NO_PRODUCER_ID;
        short producerEpoch = RecordBatch.NO_PRODUCER_EPOCH;
        Map<TopicPartition, VerificationGuard> guards = new HashMap<>();
        if (transactionalId != null) {
            for (Target target : targets) {
                Optional<RecordBatch> first = firstBatch(target.records());
                if (first.isEmpty() || !first.get().isTransactional() || !first.get().hasProducerId()
                        || (producerId != RecordBatch.NO_PRODUCER_ID && first.get().producerId() != producerId)) {
                    continue;
                }
                producerId = first.get().producerId();
                producerEpoch = first.get().producerEpoch();
                VerificationGuard guard = target.partition().log().producers().startVerification(producerId,
                        first.get().baseSequence(), producerEpoch);
                if (guard != VerificationGuard.NONE) {
                    guards.put(target.topicPartition(), guard);
                }
            }
        }
        return new ProduceVerification(transactionalId, producerId, producerEpoch, guards);
    }

    /** Whether any partition's append waits for the coordinator's answer. */
    boolean awaitsAny() {
        return !guards.isEmpty();
    }

    /** Asks the coordinator about the partitions where the transaction is not open yet; completes once it answered. */
    CompletableFuture<Void> ask(TransactionVerifier verifier) {
        return verifier.verify(transactionalId, producerId, producerEpoch, guards)
                .thenAccept(answer -> verification = answer);
    }

    /**
     * Why the coordinator did not confirm {@code target}, as the error the producer acts on at Produce
     * {@code version}; empty when the append may go ahead with {@link #guard}.
     */
    Optional<ApiException> refusal(Target target, short version) {
        TopicPartition tp = target.topicPartition();
        return verification.refusal(tp).map(error -> {
            if (Verification.unanswered(error)) {
                // Older clients do not retry these coordinator errors on a produce; NOT_ENOUGH_REPLICAS they do
                // retry, without refreshing metadata, as Kafka answers them.
                return new NotEnoughReplicasException("Cannot verify that the transaction of producer " + producerId
                        + " includes " + tp + " yet: " + error.name());
            }
            String excluded = "The transaction of producer " + producerId + " does not include " + tp
                    + ": add the partition to it first";
            return switch (error) {
                // Produce v11 on knows TRANSACTION_ABORTABLE, which Kafka answers from then on.
                case INVALID_TXN_STATE -> version >= FIRST_ABORTABLE_VERSION
                        ? new TransactionAbortableException(excluded) : new InvalidTxnStateException(excluded);
                case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH.exception("Producer " + producerId
                        + " is fenced by a newer epoch of its transactional id");
                default -> error.exception();
            };
        });
    }

    /** The guard {@code target}'s append carries. */
    VerificationGuard guard(Target target) {
        return verification.guard(target.topicPartition());
    }

    /** The first batch, if the records hold a readable one; the log's validation answers those that do not. */
    private static Optional<RecordBatch> firstBatch(MemoryRecords records) {
        try {
            return records == null ? Optional.empty() : Optional.ofNullable(records.firstBatch());
        } catch (RuntimeException unreadable) {
            return Optional.empty();
        }
    }
}
