package io.strata.broker.log;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Producer state of one partition: for each producer id, its epoch, its last
 * {@value ProducerStateEntry#NUM_BATCHES_TO_RETAIN} batches and its open transaction, reflecting the log up to
 * {@link #mapEndOffset()}. Validates the epoch and sequence of each appended batch, spots retries, and knows the
 * first offset of the oldest open transaction: the log's first unstable offset, which read_committed readers
 * stop before. A transaction marker closes its producer's transaction; an abort is reported as an
 * {@link AbortedTxn} for the segment's transaction index.
 *
 * <p>Persisted as snapshot files {@code <20-digit offset>.snapshot} in the partition directory,
 * holding the state as of that offset (every batch below it applied). Format, big-endian:
 * <pre>
 *   version:int8 (=3) | crc32c:int32 (of every byte after it) | offset:int64 | producerCount:int32
 *   per producer: producerId:int64 | epoch:int16 | coordinatorEpoch:int32 | currentTxnFirstOffset:int64
 *                 | lastTimestamp:int64 | batchCount:int8
 *     per batch, oldest first: firstSeq:int32 | lastSeq:int32 | firstOffset:int64 | lastOffset:int64 | timestamp:int64
 * </pre>
 * Older versions are still read: version 2 lacks {@code lastTimestamp} (the file's modification time stands in,
 * which no write of a producer in it can be later than, so none expires early), and
 * version 1, written before transactions, the two transaction fields too. Written atomically;
 * the newest {@value #SNAPSHOTS_TO_KEEP} are kept. A corrupt snapshot is deleted and the state rebuilt from an
 * older one plus the log.
 *
 * <p>Not thread-safe: the owning {@link PartitionLog} calls it under its append lock.
 */
public final class ProducerStateManager {

    private static final Logger LOG = Logger.getLogger(ProducerStateManager.class);
    private static final byte SNAPSHOT_VERSION = 3;
    private static final byte SNAPSHOT_VERSION_WITHOUT_LAST_TIMESTAMP = 2;
    private static final byte SNAPSHOT_VERSION_WITHOUT_TXNS = 1;
    private static final int SNAPSHOTS_TO_KEEP = 2;
    private static final int HEADER_SIZE = 1 + 4 + 8 + 4;
    private static final int PRODUCER_SIZE = 8 + 2 + 4 + 8 + 8 + 1;
    private static final int BATCH_SIZE = 4 + 4 + 8 + 8 + 8;

    private final Path dir;
    private final TopicPartition topicPartition;
    private final Map<Long, ProducerStateEntry> producers = new HashMap<>();
    /** The producer of each open transaction, by the transaction's first offset. */
    private final TreeMap<Long, Long> openTxns = new TreeMap<>();
    /** The verification under way of each producer with no transaction open here, by producer id (KIP-890). */
    private final Map<Long, PendingVerification> verifications = new HashMap<>();
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

    /** The first offset of the oldest open transaction: read_committed readers see nothing from it on. */
    public OptionalLong firstUnstableOffset() {
        return openTxns.isEmpty() ? OptionalLong.empty() : OptionalLong.of(openTxns.firstKey());
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

    /**
     * The guard a transactional produce of {@code producerId} appends with: {@link VerificationGuard#NONE} when
     * its transaction is open here, else the guard of the verification under way, started now if none is.
     *
     * @param sequence the first sequence of the batch to verify, or {@link RecordBatch#NO_SEQUENCE} for a write of
     *                 the broker's own, whose sequences it assigns itself
     * @param now      when, from which a verification never finished expires as producers do
     */
    public VerificationGuard startVerification(long producerId, int sequence, short epoch, long now) {
        ProducerStateEntry entry = producers.get(producerId);
        if (entry != null && entry.hasOpenTxn()) {
            return VerificationGuard.NONE;
        }
        PendingVerification pending = verifications.computeIfAbsent(producerId,
                id -> new PendingVerification(sequence, epoch, now));
        pending.lowest(sequence, epoch);
        return pending.guard;
    }

    /**
     * A verification under way, with the lowest sequence of the producer's batches waiting for it. A failed
     * verification keeps it: the producer retries its batches, and until the lowest is in, a later one must not
     * overtake it (which would leave the lowest out of order for good), as in Kafka's VerificationStateEntry.
     */
    private static final class PendingVerification {
        private final VerificationGuard guard = new VerificationGuard();
        private final long startedAt;
        private int lowestSequence;
        private short epoch;

        private PendingVerification(int sequence, short epoch, long startedAt) {
            this.lowestSequence = sequence;
            this.epoch = epoch;
            this.startedAt = startedAt;
        }

        /** Takes a lower sequence of the same epoch, or any sequence of a newer epoch, whose sequences restart. */
        private void lowest(int sequence, short epoch) {
            if (epoch > this.epoch || (epoch == this.epoch && sequence < lowestSequence)) {
                this.epoch = epoch;
                this.lowestSequence = sequence;
            }
        }
    }

    /**
     * Starts validating the batches of one append, whose batches opening a transaction need {@code verified} to be
     * their producer's standing verification; nothing changes until {@link #commit}.
     */
    public PendingAppend prepareAppend(VerificationGuard verified) {
        return new PendingAppend(verified);
    }

    /**
     * Applies a validated append whose batches are now in the log, ending before {@code nextOffset}.
     *
     * @return the transactions its markers aborted, in log order
     */
    public List<AbortedTxn> commit(PendingAppend pending, long nextOffset) {
        pending.updates.values().forEach(this::put);
        // A transaction opened or ended: either way a verification started before no longer stands.
        pending.transactional.forEach(verifications::remove);
        mapEndOffset = nextOffset;
        return aborted(pending.completed);
    }

    /**
     * Applies a batch read back from the log, or a leader's batch a follower appends, without validation: the log
     * is the truth.
     *
     * @return the transaction it aborted, if it is an abort marker
     */
    public List<AbortedTxn> replay(RecordBatch batch) {
        List<CompletedTxn> completed = List.of();
        if (batch.hasProducerId()) {
            if (batch.isTransactional()) {
                // Its transaction reached this log through another path (the leader's, replayed here).
                verifications.remove(batch.producerId());
            }
            ProducerStateEntry entry = current(batch.producerId(), batch.producerEpoch(), producers);
            if (batch.isControlBatch()) {
                Optional<EndTransactionMarker> marker = TxnMarkers.read(batch);
                if (marker.isPresent()) {
                    completed = List.of(complete(entry, batch.baseOffset(), marker.get().controlType()));
                    entry = entry.withMarker(batch.producerEpoch(), marker.get().coordinatorEpoch(),
                            batch.maxTimestamp());
                }
            } else {
                entry = entry.withBatch(batch.producerEpoch(), BatchMetadata.of(batch), batch.isTransactional());
            }
            put(entry);
        }
        mapEndOffset = batch.nextOffset();
        return aborted(completed);
    }

    /**
     * Forgets the producers {@link ProducerStateEntry#expired} at {@code now}, and the verifications started
     * {@code expirationMs} or longer ago, as Kafka's {@code removeExpiredProducers} does: a producer that comes back
     * after that is new to this partition, and may start at any sequence.
     *
     * @return how many producers were forgotten
     */
    public int removeExpired(long now, long expirationMs) {
        verifications.values().removeIf(pending -> now - pending.startedAt >= expirationMs);
        int before = producers.size();
        producers.values().removeIf(entry -> entry.expired(now, expirationMs));
        int removed = before - producers.size();
        if (removed > 0) {
            snapshotAt = -1; // the snapshot at the map end offset still holds them
        }
        return removed;
    }

    /** The producer's entry in {@code state}, or an empty one at {@code epoch} for a producer not known yet. */
    private static ProducerStateEntry current(long producerId, short epoch, Map<Long, ProducerStateEntry> state) {
        ProducerStateEntry entry = state.get(producerId);
        return entry != null ? entry : ProducerStateEntry.empty(producerId, epoch);
    }

    /** Stores {@code entry}, moving its producer's open transaction in or out of {@link #openTxns}. */
    private void put(ProducerStateEntry entry) {
        ProducerStateEntry previous = producers.put(entry.producerId(), entry);
        if (previous != null && previous.hasOpenTxn() && previous.currentTxnFirstOffset() != entry.currentTxnFirstOffset()) {
            openTxns.remove(previous.currentTxnFirstOffset());
        }
        if (entry.hasOpenTxn()) {
            openTxns.put(entry.currentTxnFirstOffset(), entry.producerId());
        }
    }

    /** The transaction a marker at {@code markerOffset} ends: from the producer's open transaction, if any, to it. */
    private static CompletedTxn complete(ProducerStateEntry entry, long markerOffset, ControlRecordType type) {
        long firstOffset = entry.hasOpenTxn() ? entry.currentTxnFirstOffset() : markerOffset;
        return new CompletedTxn(entry.producerId(), firstOffset, markerOffset, type == ControlRecordType.ABORT);
    }

    /**
     * The aborted ones among {@code completed}, each with the last stable offset once it is closed: the oldest
     * transaction still open, or just past the marker.
     */
    private List<AbortedTxn> aborted(List<CompletedTxn> completed) {
        if (completed.isEmpty()) {
            return List.of();
        }
        List<AbortedTxn> aborted = new ArrayList<>();
        for (CompletedTxn txn : completed) {
            if (txn.aborted()) {
                aborted.add(new AbortedTxn(txn.producerId(), txn.firstOffset(), txn.lastOffset(),
                        firstUnstableOffset().orElse(txn.lastOffset() + 1)));
            }
        }
        return aborted;
    }

    /** A transaction a marker closed. */
    private record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean aborted) {
    }

    /** The changes one append makes, checked batch by batch in log order. */
    public final class PendingAppend {
        private final Map<Long, ProducerStateEntry> updates = new HashMap<>();
        private final List<CompletedTxn> completed = new ArrayList<>();
        /** The producers whose transactional batches or markers this append holds. */
        private final Set<Long> transactional = new HashSet<>();
        private final VerificationGuard verified;

        private PendingAppend(VerificationGuard verified) {
            this.verified = verified;
        }

        /**
         * Checks {@code batch} (which has a producer id) against the state so far and stages it.
         *
         * @param firstOffset offset the batch will get
         * @param lastOffset  last offset the batch will get
         * @param timestamp   the batch max timestamp as it will be stored
         * @throws InvalidProducerEpochException if the epoch is older than the producer's current one
         * @throws OutOfOrderSequenceException   if a new epoch does not start at sequence 0, the sequence does
         *                                       not follow the previous batch's, or it overtakes a lower one
         *                                       still awaiting its verification
         * @throws InvalidTxnStateException      if a non-transactional batch comes from a producer with a
         *                                       transaction open here, or a transactional batch opens a
         *                                       transaction without the producer's standing verification
         */
        public void append(RecordBatch batch, long firstOffset, long lastOffset, long timestamp) {
            long producerId = batch.producerId();
            short epoch = batch.producerEpoch();
            int firstSeq = batch.baseSequence();
            ProducerStateEntry current = staged(producerId);
            if (current != null && current.hasOpenTxn() && !batch.isTransactional()) {
                throw new InvalidTxnStateException("Producer " + producerId + " sent a non-transactional batch to "
                        + topicPartition + " while its transaction from offset " + current.currentTxnFirstOffset()
                        + " is open");
            }
            PendingVerification pending = verifications.get(producerId);
            // Batches after the first of this append follow it, which the sequence check below sees to.
            if (pending != null && pending.lowestSequence != RecordBatch.NO_SEQUENCE && epoch == pending.epoch
                    && firstSeq > pending.lowestSequence && !updates.containsKey(producerId)) {
                throw new OutOfOrderSequenceException("Sequence " + firstSeq + " of producer " + producerId + " in "
                        + topicPartition + " overtakes its batch from sequence " + pending.lowestSequence
                        + ", which awaits the verification of its transaction");
            }
            if (batch.isTransactional() && (current == null || !current.hasOpenTxn())
                    && (pending == null || pending.guard != verified)) {
                throw new InvalidTxnStateException("Producer " + producerId + " opens a transaction in "
                        + topicPartition + " that its coordinator has not confirmed includes this partition");
            }
            if (batch.isTransactional()) {
                transactional.add(producerId);
            }
            // A producer without state (new, or its batches were deleted) may start at any sequence, as in Kafka;
            // one known only by a marker must start its epoch at 0.
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
            ProducerStateEntry entry = current != null ? current : ProducerStateEntry.empty(producerId, epoch);
            updates.put(producerId, entry.withBatch(epoch, metadata, batch.isTransactional()));
        }

        /**
         * Checks a transaction marker a coordinator writes at {@code offset} and {@code timestamp} and stages it: the
         * producer's open transaction, if any, ends there.
         *
         * @throws InvalidProducerEpochException            if the epoch is older than the producer's current one
         * @throws TransactionCoordinatorFencedException     if a newer coordinator wrote this producer's last marker
         */
        public void appendMarker(long producerId, short epoch, EndTransactionMarker marker, long offset,
                                 long timestamp) {
            ProducerStateEntry current = staged(producerId);
            if (current != null && epoch < current.producerEpoch()) {
                throw new InvalidProducerEpochException("Marker epoch " + epoch + " of producer " + producerId + " in "
                        + topicPartition + " is older than its current epoch " + current.producerEpoch());
            }
            if (current != null && marker.coordinatorEpoch() < current.coordinatorEpoch()) {
                throw new TransactionCoordinatorFencedException("Marker of producer " + producerId + " in "
                        + topicPartition + " from coordinator epoch " + marker.coordinatorEpoch()
                        + ", older than the last marker's " + current.coordinatorEpoch());
            }
            ProducerStateEntry entry = current != null ? current : ProducerStateEntry.empty(producerId, epoch);
            completed.add(complete(entry, offset, marker.controlType()));
            transactional.add(producerId);
            updates.put(producerId, entry.withMarker(epoch, marker.coordinatorEpoch(), timestamp));
        }

        private ProducerStateEntry staged(long producerId) {
            return updates.containsKey(producerId) ? updates.get(producerId) : producers.get(producerId);
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
        return loadLatestSnapshot(logEndOffset, logEndOffset);
    }

    /** {@link #loadLatestSnapshot(long)}, taking none above {@code atMost}, which stay as they are. */
    private OptionalLong loadLatestSnapshot(long logEndOffset, long atMost) throws IOException {
        producers.clear();
        openTxns.clear();
        verifications.clear();
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
            if (offset > atMost) {
                continue;
            }
            Optional<Map<Long, ProducerStateEntry>> loaded = readSnapshot(file, offset);
            if (loaded.isPresent()) {
                loaded.get().values().forEach(this::put);
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
     * below it ({@link #loadLatestSnapshot}) and replays the batch headers after it; only transaction markers are
     * decoded. After a follower cut the log.
     */
    void rebuild(LogSegments segments, long logEndOffset) throws IOException {
        rebuild(segments, logEndOffset, logEndOffset);
    }

    /**
     * {@link #rebuild(LogSegments, long)} replaying at least from {@code replayFrom}, as an open does to find the
     * aborted transactions of segments it recovered, whose transaction indexes recovery emptied.
     *
     * @return the transactions the replayed markers aborted, in log order
     */
    List<AbortedTxn> rebuild(LogSegments segments, long logEndOffset, long replayFrom) throws IOException {
        OptionalLong snapshot = loadLatestSnapshot(logEndOffset, replayFrom);
        List<AbortedTxn> aborted = new ArrayList<>();
        for (RecordBatch batch : segments.batchesFrom(snapshot.orElse(0L))) {
            if (batch.baseOffset() >= logEndOffset) {
                break;
            }
            aborted.addAll(replay(batch));
        }
        mapEndOffset = logEndOffset;
        return aborted;
    }

    /** Writes {@code snapshot}, a snapshot file's bytes as of {@code offset}, and takes the state it holds. */
    void installSnapshot(long offset, ByteBuffer snapshot) throws IOException {
        AtomicFiles.write(LogFiles.snapshotFile(dir, offset), snapshot.duplicate());
        loadLatestSnapshot(offset);
    }

    /** Empties the state and deletes every snapshot: the log now starts afresh at {@code offset}. */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        producers.clear();
        openTxns.clear();
        verifications.clear();
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
            buffer.putLong(entry.producerId()).putShort(entry.producerEpoch()).putInt(entry.coordinatorEpoch())
                    .putLong(entry.currentTxnFirstOffset()).putLong(entry.lastTimestamp())
                    .put((byte) entry.batches().size());
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
            byte version = buffer.get();
            if (version < SNAPSHOT_VERSION_WITHOUT_TXNS || version > SNAPSHOT_VERSION) {
                return Optional.empty();
            }
            int storedCrc = buffer.getInt();
            if (storedCrc != (int) crc(bytes, 5, bytes.length - 5) || buffer.getLong() != expectedOffset) {
                return Optional.empty();
            }
            // Older snapshots record no last timestamps: a look at the file's time only for them.
            long written = version == SNAPSHOT_VERSION ? 0 : Files.getLastModifiedTime(file).toMillis();
            int count = buffer.getInt();
            Map<Long, ProducerStateEntry> state = new HashMap<>();
            for (int i = 0; i < count; i++) {
                long producerId = buffer.getLong();
                short epoch = buffer.getShort();
                boolean withTxns = version >= SNAPSHOT_VERSION_WITHOUT_LAST_TIMESTAMP;
                int coordinatorEpoch = withTxns ? buffer.getInt() : ProducerStateEntry.NO_COORDINATOR_EPOCH;
                long currentTxnFirstOffset = withTxns ? buffer.getLong() : ProducerStateEntry.NO_TXN;
                long lastTimestamp = version == SNAPSHOT_VERSION ? buffer.getLong() : written;
                int batchCount = buffer.get();
                List<BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int b = 0; b < batchCount; b++) {
                    batches.add(new BatchMetadata(buffer.getInt(), buffer.getInt(), buffer.getLong(), buffer.getLong(),
                            buffer.getLong()));
                }
                state.put(producerId, new ProducerStateEntry(producerId, epoch, batches, coordinatorEpoch,
                        currentTxnFirstOffset, lastTimestamp));
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
