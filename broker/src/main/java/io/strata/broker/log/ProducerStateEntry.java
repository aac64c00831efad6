package io.strata.broker.log;

import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of one producer in one partition: its current epoch, its last {@value #NUM_BATCHES_TO_RETAIN} data
 * batches, oldest first, and, for a transactional producer, the epoch of the coordinator that wrote its last
 * transaction marker and the first offset of the transaction it has open here. Immutable: an append builds a new
 * entry, which makes staging an append's changes and throwing them away on failure trivial.
 *
 * <p>An entry may hold no batch: a producer whose only batch here is a transaction marker (its data batches went
 * with retention, or its transaction wrote nothing to this partition) is still known by its epochs.
 *
 * @param coordinatorEpoch      the epoch of the transaction coordinator that wrote the producer's last marker here,
 *                              or {@link #NO_COORDINATOR_EPOCH}
 * @param currentTxnFirstOffset the offset of the first batch of the producer's open transaction, or {@link #NO_TXN}
 * @param lastTimestamp         the largest timestamp of the producer's last batch here, data or marker, or
 *                              {@link RecordBatch#NO_TIMESTAMP}: what {@code producer.id.expiration.ms} counts from
 */
public record ProducerStateEntry(long producerId, short producerEpoch, List<BatchMetadata> batches,
                                 int coordinatorEpoch, long currentTxnFirstOffset, long lastTimestamp) {

    /** As many batches as a producer may have in flight (max.in.flight.requests.per.connection for idempotence). */
    public static final int NUM_BATCHES_TO_RETAIN = 5;
    public static final int NO_COORDINATOR_EPOCH = -1;
    public static final long NO_TXN = -1;

    public ProducerStateEntry {
        if (batches.size() > NUM_BATCHES_TO_RETAIN) {
            throw new IllegalArgumentException("A producer entry holds at most " + NUM_BATCHES_TO_RETAIN
                    + " batches, not " + batches.size());
        }
        batches = List.copyOf(batches);
    }

    /** The last data batch's last sequence, or {@link RecordBatch#NO_SEQUENCE} without one. */
    public int lastSeq() {
        return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.get(batches.size() - 1).lastSeq();
    }

    /** The last data batch's last offset, or -1 without one. */
    public long lastOffset() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastOffset();
    }

    /** Whether the producer has a transaction open in this partition. */
    public boolean hasOpenTxn() {
        return currentTxnFirstOffset != NO_TXN;
    }

    /**
     * Whether the producer may be forgotten at {@code now}: no transaction open here and nothing written for
     * {@code expirationMs} ({@code producer.id.expiration.ms}), as Kafka's {@code isProducerExpired} decides.
     */
    public boolean expired(long now, long expirationMs) {
        return !hasOpenTxn() && now - lastTimestamp >= expirationMs;
    }

    /** The retained batch that {@code batch} is a retry of: same epoch, same first and last sequence. */
    public Optional<BatchMetadata> findDuplicate(RecordBatch batch) {
        if (batch.producerEpoch() != producerEpoch) {
            return Optional.empty();
        }
        for (BatchMetadata retained : batches) {
            if (retained.firstSeq() == batch.baseSequence() && retained.lastSeq() == batch.lastSequence()) {
                return Optional.of(retained);
            }
        }
        return Optional.empty();
    }

    /** A first entry for a producer, with no batch and no transaction. */
    public static ProducerStateEntry empty(long producerId, short epoch) {
        return new ProducerStateEntry(producerId, epoch, List.of(), NO_COORDINATOR_EPOCH, NO_TXN,
                RecordBatch.NO_TIMESTAMP);
    }

    /**
     * This entry after the data batch {@code batch} of {@code epoch}; a new epoch forgets the old epoch's batches.
     * A transactional batch opens a transaction at its first offset unless one is open.
     */
    public ProducerStateEntry withBatch(short epoch, BatchMetadata batch, boolean transactional) {
        List<BatchMetadata> kept = new ArrayList<>(NUM_BATCHES_TO_RETAIN);
        if (epoch == producerEpoch) {
            int skip = Math.max(0, batches.size() + 1 - NUM_BATCHES_TO_RETAIN);
            kept.addAll(batches.subList(skip, batches.size()));
        }
        kept.add(batch);
        long txnFirstOffset = transactional && !hasOpenTxn() ? batch.firstOffset() : currentTxnFirstOffset;
        return new ProducerStateEntry(producerId, epoch, kept, coordinatorEpoch, txnFirstOffset, batch.timestamp());
    }

    /**
     * This entry after a transaction marker of {@code epoch} written by a coordinator of {@code coordinatorEpoch}
     * at {@code timestamp}: no transaction is open any more; a new epoch forgets the old epoch's batches.
     */
    public ProducerStateEntry withMarker(short epoch, int coordinatorEpoch, long timestamp) {
        List<BatchMetadata> kept = epoch == producerEpoch ? batches : List.of();
        return new ProducerStateEntry(producerId, epoch, kept, coordinatorEpoch, NO_TXN, timestamp);
    }
}
