package io.strata.broker.txn;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;

import java.util.HashSet;
import java.util.Set;

/**
 * What the coordinator knows of one transactional id: the producer id and epoch it hands out, and the transaction
 * in progress. Immutable; each change is a new value written to {@code __transaction_state} first.
 *
 * @param previousProducerId the producer id before the last change of producer id, so that a retried InitProducerId
 *                           of that producer is answered again; {@link RecordBatch#NO_PRODUCER_ID} if none
 * @param lastProducerEpoch  the epoch before the last bump, for the same reason
 * @param timeoutMs          the producer's {@code transaction.timeout.ms}
 * @param partitions         the partitions the open (or ending) transaction wrote to
 * @param startTimestamp     when the open transaction began; -1 without one
 * @param lastUpdateTimestamp when this value was made
 */
public record TransactionMetadata(
        String transactionalId,
        long producerId,
        long previousProducerId,
        short producerEpoch,
        short lastProducerEpoch,
        int timeoutMs,
        TransactionState state,
        Set<TopicPartition> partitions,
        long startTimestamp,
        long lastUpdateTimestamp) {

    public TransactionMetadata {
        partitions = Set.copyOf(partitions);
    }

    /** A transactional id seen for the first time, before its first producer epoch. */
    static TransactionMetadata fresh(String transactionalId, long producerId, int timeoutMs, long now) {
        return new TransactionMetadata(transactionalId, producerId, RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_PRODUCER_EPOCH, timeoutMs, TransactionState.EMPTY,
                Set.of(), -1, now);
    }

    /**
     * This transactional id idle, with {@code producerId} at {@code epoch}, as InitProducerId leaves it. Only a bump
     * the producer asked for with its current epoch (KIP-360) records that epoch as the last one, so that its retry
     * is answered again; after any other bump no older epoch is honoured.
     */
    TransactionMetadata initialized(long newProducerId, short epoch, int newTimeoutMs, boolean byItsProducer,
                                    long now) {
        return new TransactionMetadata(transactionalId, newProducerId,
                newProducerId == producerId ? previousProducerId : producerId, epoch,
                byItsProducer ? producerEpoch : RecordBatch.NO_PRODUCER_EPOCH, newTimeoutMs, TransactionState.EMPTY,
                Set.of(), -1, now);
    }

    /** The transaction open with {@code more} partitions added to it. */
    TransactionMetadata withPartitions(Set<TopicPartition> more, long now) {
        Set<TopicPartition> all = new HashSet<>(state == TransactionState.ONGOING ? partitions : Set.of());
        all.addAll(more);
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, producerEpoch,
                lastProducerEpoch, timeoutMs, TransactionState.ONGOING, all,
                state == TransactionState.ONGOING ? startTimestamp : now, now);
    }

    /** The transaction in {@code next} state, at {@code epoch} (bumped when the coordinator fences the producer). */
    TransactionMetadata transitionTo(TransactionState next, short epoch, long now) {
        boolean complete = next == TransactionState.COMPLETE_COMMIT || next == TransactionState.COMPLETE_ABORT;
        // A fence (a bumped epoch) honours no older epoch, as Kafka's PrepareEpochFence.
        return new TransactionMetadata(transactionalId, producerId, previousProducerId, epoch,
                epoch == producerEpoch ? lastProducerEpoch : RecordBatch.NO_PRODUCER_EPOCH, timeoutMs, next,
                complete ? Set.of() : partitions, complete ? -1 : startTimestamp, now);
    }

    /** Why a request of {@code producerId} at {@code epoch} is refused for this id, or NONE. */
    Errors refusal(long producerId, short epoch) {
        if (this.producerId != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        return producerEpoch != epoch ? Errors.PRODUCER_FENCED : Errors.NONE;
    }

    /**
     * A partition leader's verification of {@code tp} (KIP-890): NONE if the open transaction includes it,
     * CONCURRENT_TRANSACTIONS while the transaction ends, as in Kafka, else INVALID_TXN_STATE.
     */
    Errors verification(TopicPartition tp) {
        if (state.isPreparing()) {
            return Errors.CONCURRENT_TRANSACTIONS;
        }
        return state == TransactionState.ONGOING && partitions.contains(tp) ? Errors.NONE : Errors.INVALID_TXN_STATE;
    }

    /** Whether the open transaction has outlived its timeout at {@code now}. */
    boolean timedOut(long now) {
        return state == TransactionState.ONGOING && startTimestamp >= 0 && now - startTimestamp > timeoutMs;
    }
}
