package io.strata.broker.log;

import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of one idempotent producer in one partition: its current epoch and its last
 * {@value #NUM_BATCHES_TO_RETAIN} batches, oldest first. Immutable: an append builds a new entry,
 * which makes staging an append's changes and throwing them away on failure trivial.
 */
public record ProducerStateEntry(long producerId, short producerEpoch, List<BatchMetadata> batches) {

    /** As many batches as a producer may have in flight (max.in.flight.requests.per.connection for idempotence). */
    public static final int NUM_BATCHES_TO_RETAIN = 5;

    public ProducerStateEntry {
        if (batches.isEmpty() || batches.size() > NUM_BATCHES_TO_RETAIN) {
            throw new IllegalArgumentException("A producer entry holds 1 to " + NUM_BATCHES_TO_RETAIN
                    + " batches, not " + batches.size());
        }
        batches = List.copyOf(batches);
    }

    public BatchMetadata lastBatch() {
        return batches.get(batches.size() - 1);
    }

    public int lastSeq() {
        return lastBatch().lastSeq();
    }

    public long lastOffset() {
        return lastBatch().lastOffset();
    }

    public long lastTimestamp() {
        return lastBatch().timestamp();
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

    /** A first entry for a producer. */
    public static ProducerStateEntry first(long producerId, short epoch, BatchMetadata batch) {
        return new ProducerStateEntry(producerId, epoch, List.of(batch));
    }

    /** This entry after {@code batch} of {@code epoch}; a new epoch forgets the old epoch's batches. */
    public ProducerStateEntry withBatch(short epoch, BatchMetadata batch) {
        if (epoch != producerEpoch) {
            return first(producerId, epoch, batch);
        }
        List<BatchMetadata> kept = new ArrayList<>(NUM_BATCHES_TO_RETAIN);
        int skip = Math.max(0, batches.size() + 1 - NUM_BATCHES_TO_RETAIN);
        kept.addAll(batches.subList(skip, batches.size()));
        kept.add(batch);
        return new ProducerStateEntry(producerId, epoch, kept);
    }
}
