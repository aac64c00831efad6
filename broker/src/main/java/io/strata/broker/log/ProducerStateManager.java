package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.RecordBatch;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and its last
 * {@value ProducerStateEntry#NUM_BATCHES_TO_RETAIN} batches, reflecting the log up to
 * {@link #mapEndOffset()}. Validates the epoch and sequence of each appended batch and spots retries.
 *
 * <p>Persisted as snapshot files {@code <20-digit offset>.snapshot} in the partition directory,
 * holding the state as of that offset (every batch below it applied). Format, big-endian:
 * <pre>
 *   version:int8 (=1) | crc32c:int32 (of every byte after it) | offset:int64 | producerCount:int32
 *   per producer: producerId:int64 | epoch:int16 | batchCount:int8
 *     per batch, oldest first: firstSeq:int32 | lastSeq:int32 | firstOffset:int64 | lastOffset:int64 | timestamp:int64
 * </pre>
 * Written atomically; the newest {@value #SNAPSHOTS_TO_KEEP} are kept. A corrupt snapshot is deleted
 * and the state rebuilt from an older one plus the log.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its append lock.
 */
public final class ProducerStateManager {

    private static final Logger LOG = Logger.getLogger(ProducerStateManager.class);
    private static final byte SNAPSHOT_VERSION = 1;
    private static final int SNAPSHOTS_TO_KEEP = 2;
    private static final int HEADER_SIZE = 1 + 4 + 8 + 4;
    private static final int PRODUCER_SIZE = 8 + 2 + 1;
    private static final int BATCH_SIZE = 4 + 4 + 8 + 8 + 8;

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Map<Long, ProducerStateEntry> producers = new HashMap<>();
    private long mapEndOffset;
    /** The offset of the snapshot on disk that holds the current state, or -1 if none is known to. */
    private long snapshotAt = -1;

    public ProducerStateManager(Path dir, TopicPartition topicPartition) {
        this.dir = dir;
        this.topicPartition = topicPartition;
    }

    /** The state reflects every batch below this offset. */
    public long mapEndOffset() {
        return mapEndOffset;
    }

    public void updateMapEndOffset(long offset) {
        mapEndOffset = offset;
    }

    public Optional<ProducerStateEntry> lastEntry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    /** A copy of the state, by producer id. */
    public Map<Long, ProducerStateEntry> activeProducers() {
        return Map.copyOf(producers);
    }

    /** The retained batch {@code batch} is a retry of, if any. */
    public Optional<BatchMetadata> findDuplicate(RecordBatch batch) {
        ProducerStateEntry entry = producers.get(batch.producerId());
        return entry == null ? Optional.empty() : entry.findDuplicate(batch);
    }

    /** Starts validating the batches of one append; nothing changes until {@link #commit}. */
    public PendingAppend prepareAppend() {
        return new PendingAppend();
    }

    /** Applies a validated append whose batches are now in the log, ending before {@code nextOffset}. */
    public void commit(PendingAppend pending, long nextOffset) {
        producers.putAll(pending.updates);
        mapEndOffset = nextOffset;
    }

    /** Applies a batch read back from the log, without validation: the log is the truth. */
    public void replay(RecordBatch batch) {
        if (batch.hasProducerId()) {
            ProducerStateEntry entry = producers.get(batch.producerId());
            BatchMetadata metadata = BatchMetadata.of(batch);
            producers.put(batch.producerId(), entry == null
                    ? ProducerStateEntry.first(batch.producerId(), batch.producerEpoch(), metadata)
                    : entry.withBatch(batch.producerEpoch(), metadata));
        }
        mapEndOffset = batch.nextOffset();
    }

    /** The changes one append makes, checked batch by batch in log order. */
    public final class PendingAppend {
        private final Map<Long, ProducerStateEntry> updates = new HashMap<>();

        private PendingAppend() {
        }

        /**
         * Checks {@code batch} (which has a producer id) against the state so far and stages it.
         *
         * @param firstOffset offset the batch will get
         * @param lastOffset  last offset the batch will get
         * @param timestamp   the batch max timestamp as it will be stored
         * @throws InvalidProducerEpochException if the epoch is older than the producer's current one
         * @throws OutOfOrderSequenceException   if a new epoch does not start at sequence 0, or the
         *                                       sequence does not follow the previous batch's
         */
        public void append(RecordBatch batch, long firstOffset, long lastOffset, long timestamp) {
            long producerId = batch.producerId();
            short epoch = batch.producerEpoch();
            int firstSeq = batch.baseSequence();
            ProducerStateEntry current = updates.containsKey(producerId) ? updates.get(producerId) : producers.get(producerId);
            // A producer without state (new, or its batches were deleted) may start at any sequence, as in Kafka.
            if (current != null) {
                if (epoch < current.producerEpoch()) {
                    throw new InvalidProducerEpochException("Epoch " + epoch + " of producer " + producerId + " in "
                            + topicPartition + " is older than its current epoch " + current.producerEpoch());
                }
                if (epoch > current.producerEpoch()) {
                    if (firstSeq != 0) {
                        throw new OutOfOrderSequenceException("New epoch " + epoch + " of producer " + producerId
                                + " in " + topicPartition + " starts at sequence " + firstSeq + " instead of 0");
                    }
                } else if (!inSequence(current.lastSeq(), firstSeq)) {
                    throw new OutOfOrderSequenceException("Out of order sequence for producer " + producerId + " in "
                            + topicPartition + ": " + firstSeq + " does not follow " + current.lastSeq());
                }
            }
            BatchMetadata metadata = new BatchMetadata(firstSeq, batch.lastSequence(), firstOffset, lastOffset, timestamp);
            updates.put(producerId, current == null
                    ? ProducerStateEntry.first(producerId, epoch, metadata)
                    : current.withBatch(epoch, metadata));
        }
    }

    private static boolean inSequence(int lastSeq, int nextSeq) {
        // Sequences wrap from Integer.MAX_VALUE to 0.
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    // ---- snapshots ----

    /** Offsets of the snapshot files in the directory, ascending. */
    public List<Long> snapshotOffsets() throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + LogFiles.SNAPSHOT_SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (LogFiles.hasOffsetName(name, LogFiles.SNAPSHOT_SUFFIX)) {
                    offsets.add(LogFiles.offsetFromFileName(name, LogFiles.SNAPSHOT_SUFFIX));
                }
            }
        }
        Collections.sort(offsets);
        return offsets;
    }

    /**
     * Replaces the state with the newest valid snapshot at or below {@code logEndOffset}, deleting
     * newer and corrupt ones. The caller then replays the log from the returned offset.
     *
     * @return the offset of the snapshot loaded, or empty if none was (the state is then empty)
     */
    public OptionalLong loadLatestSnapshot(long logEndOffset) throws IOException {
        producers.clear();
        mapEndOffset = 0;
        snapshotAt = -1;
        List<Long> offsets = snapshotOffsets();
        Collections.reverse(offsets);
        for (long offset : offsets) {
            Path file = LogFiles.snapshotFile(dir, offset);
            if (offset > logEndOffset) {
                // The log was cut below it by recovery: the snapshot describes batches that are gone.
                Files.deleteIfExists(file);
                continue;
            }
            Optional<Map<Long, ProducerStateEntry>> loaded = readSnapshot(file, offset);
            if (loaded.isPresent()) {
                producers.putAll(loaded.get());
                mapEndOffset = offset;
                snapshotAt = offset;
                return OptionalLong.of(offset);
            }
            LOG.warnf("Deleting corrupt producer state snapshot %s; the state is rebuilt from the log", file);
            Files.deleteIfExists(file);
        }
        return OptionalLong.empty();
    }

    /**
     * Rebuilds the state of the log in {@code segments} up to {@code logEndOffset}: loads the newest snapshot at or
     * below it ({@link #loadLatestSnapshot}) and replays the batch headers after it; no record is decoded. At an
     * open, and after a follower cut the log.
     */
    void rebuild(LogSegments segments, long logEndOffset) throws IOException {
        OptionalLong snapshot = loadLatestSnapshot(logEndOffset);
        for (RecordBatch batch : segments.batchesFrom(snapshot.orElse(0L))) {
            if (batch.baseOffset() >= logEndOffset) {
                break;
            }
            replay(batch);
        }
        mapEndOffset = logEndOffset;
    }

    /** Empties the state and deletes every snapshot: the log now starts afresh at {@code offset}. */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        producers.clear();
        for (long snapshot : snapshotOffsets()) {
            Files.deleteIfExists(LogFiles.snapshotFile(dir, snapshot));
        }
        snapshotAt = -1;
        mapEndOffset = offset;
    }

    /**
     * Writes the state as of {@link #mapEndOffset()} and deletes all but the newest snapshots; does nothing
     * if the newest snapshot already holds this state, as for a partition with no append since the last one.
     */
    public void takeSnapshot() throws IOException {
        if (snapshotAt == mapEndOffset && Files.exists(LogFiles.snapshotFile(dir, mapEndOffset))) {
            return;
        }
        int size = HEADER_SIZE;
        for (ProducerStateEntry entry : producers.values()) {
            size += PRODUCER_SIZE + entry.batches().size() * BATCH_SIZE;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(SNAPSHOT_VERSION).putInt(0).putLong(mapEndOffset).putInt(producers.size());
        for (ProducerStateEntry entry : producers.values()) {
            buffer.putLong(entry.producerId()).putShort(entry.producerEpoch()).put((byte) entry.batches().size());
            for (BatchMetadata batch : entry.batches()) {
                buffer.putInt(batch.firstSeq()).putInt(batch.lastSeq())
                        .putLong(batch.firstOffset()).putLong(batch.lastOffset()).putLong(batch.timestamp());
            }
        }
        buffer.putInt(1, (int) crc(buffer.array(), 5, size - 5));
        buffer.flip();
        // Not fsynced: a snapshot a power cut tore fails its checksum on load and the state is rebuilt from the
        // log, so only recovery time depends on it, while a clean stop writes one for each of thousands of partitions.
        AtomicFiles.writeUnsynced(LogFiles.snapshotFile(dir, mapEndOffset), buffer);
        snapshotAt = mapEndOffset;

        List<Long> offsets = snapshotOffsets();
        for (int i = 0; i < offsets.size() - SNAPSHOTS_TO_KEEP; i++) {
            Files.deleteIfExists(LogFiles.snapshotFile(dir, offsets.get(i)));
        }
    }

    private Optional<Map<Long, ProducerStateEntry>> readSnapshot(Path file, long expectedOffset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            if (buffer.get() != SNAPSHOT_VERSION) {
                return Optional.empty();
            }
            int storedCrc = buffer.getInt();
            if (storedCrc != (int) crc(bytes, 5, bytes.length - 5) || buffer.getLong() != expectedOffset) {
                return Optional.empty();
            }
            int count = buffer.getInt();
            Map<Long, ProducerStateEntry> state = new HashMap<>();
            for (int i = 0; i < count; i++) {
                long producerId = buffer.getLong();
                short epoch = buffer.getShort();
                int batchCount = buffer.get();
                List<BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int b = 0; b < batchCount; b++) {
                    batches.add(new BatchMetadata(buffer.getInt(), buffer.getInt(), buffer.getLong(), buffer.getLong(),
                            buffer.getLong()));
                }
                state.put(producerId, new ProducerStateEntry(producerId, epoch, batches));
            }
            return buffer.hasRemaining() ? Optional.empty() : Optional.of(state);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }
}
