package io.strata.broker.log;

import org.apache.kafka.common.utils.Time;

import org.apache.kafka.common.errors.KafkaStorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * How far a partition log is on disk: the recovery point (every offset below it is fsynced), its checkpoint
 * file, and the time of the last fsync. Segments are fsynced in offset order from the recovery point on, then
 * the recovery point checkpointed. Also closes the segments, leaving the clean-shutdown marker.
 *
 * <p>Thread-safety: flushes, moves of the recovery point and closing are serialised on an internal lock, apart
 * from the owning {@link PartitionLog}'s, so that a flush does not block appends. Getters read volatile fields.
 */
final class LogDurability {

    private final LogSegments segments;
    private final OffsetCheckpointFile recoveryPointFile;
    private final Time time;
    private final StorageErrors errors;
    private final Object lock = new Object();

    private volatile long recoveryPoint; // written under lock
    private volatile long lastFlushTime;
    private boolean closed; // guarded by lock

    LogDurability(LogSegments segments, OffsetCheckpointFile recoveryPointFile, Time time, StorageErrors errors,
                  long recoveryPoint) {
        this.segments = segments;
        this.errors = errors;
        this.recoveryPointFile = recoveryPointFile;
        this.time = time;
        this.recoveryPoint = recoveryPoint;
        this.lastFlushTime = time.milliseconds();
    }

    /** Everything below this offset is on disk. */
    long recoveryPoint() {
        return recoveryPoint;
    }

    /** Time of the last fsync, or of the open. */
    long lastFlushTime() {
        return lastFlushTime;
    }

    /** After an append ending at {@code end}: whether {@code flush.messages} or {@code flush.ms} is reached. */
    boolean flushDue(long end, LogConfig config, long now) {
        return end - recoveryPoint >= config.flushMessages() || now - lastFlushTime >= config.flushMs();
    }

    /**
     * Fsyncs the segments holding offsets below {@code offset} and checkpoints the recovery point; not once closed.
     * {@code offset} is read under the lock, so that a flush racing a truncation never sets the recovery point
     * above the cut.
     */
    void flushUpTo(LongSupplier offset) throws IOException {
        synchronized (lock) {
            if (closed) {
                return;
            }
            long upTo = offset.getAsLong();
            if (flushSegmentsUpTo(upTo)) {
                recoveryPointFile.write(upTo);
            }
            lastFlushTime = time.milliseconds();
        }
    }

    /**
     * The log was cut at {@code offset}, its remaining bytes fsynced: lowers the recovery point to it, if above,
     * and checkpoints it, so that an open after a crash scans whatever is appended from there on.
     */
    void truncateTo(long offset) throws IOException {
        synchronized (lock) {
            if (recoveryPoint > offset) {
                recoveryPoint = offset;
                recoveryPointFile.write(offset);
            }
        }
    }

    /** The log starts afresh, empty, at {@code offset}: the recovery point is there. */
    void resetTo(long offset) throws IOException {
        synchronized (lock) {
            recoveryPoint = offset;
            recoveryPointFile.write(offset);
            lastFlushTime = time.milliseconds();
        }
    }

    /**
     * Closes the segments for good, under the lock, so that no flush runs during or after it. Unless {@code offline},
     * first fsyncs them up to {@code logEndOffset} and snapshots {@code producerState}; no recovery point checkpoint:
     * the marker supersedes it, and without the marker the older checkpoint only makes the next open recover more
     * than it needs to. Then closes every segment and, if {@code writeMarker} and all went well, leaves the
     * clean-shutdown marker, unsynced: all it vouches for was fsynced, so a marker on disk implies it, and a marker
     * lost to a power cut costs the next open a recovery. That saves two fsyncs a partition, most of a clean stop
     * with thousands of them.
     *
     * @throws KafkaStorageException the first failure, naming its file; every segment is closed anyway
     */
    void close(long logEndOffset, boolean offline, boolean writeMarker, ProducerStateManager producerState) {
        synchronized (lock) {
            closed = true;
            IOException failure = null;
            Path failedFile = errors.dir();
            if (!offline) {
                try {
                    flushSegmentsUpTo(logEndOffset);
                    producerState.takeSnapshot();
                } catch (IOException e) {
                    failure = e;
                }
            }
            for (LogSegment segment : segments.view()) {
                try {
                    segment.close();
                } catch (IOException | RuntimeException e) {
                    if (failure == null) {
                        failure = e instanceof IOException io ? io : new IOException(e);
                        failedFile = segment.log().file().toPath();
                    }
                }
            }
            if (failure == null && writeMarker && !offline) {
                try {
                    Files.write(errors.dir().resolve(LogFiles.CLEAN_SHUTDOWN_FILE), new byte[0]);
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) {
                throw errors.of("closing", failedFile, failure);
            }
        }
    }

    /**
     * Fsyncs the segments holding offsets below {@code offset} not yet flushed, without a checkpoint; returns
     * whether there were any. Under the lock.
     */
    private boolean flushSegmentsUpTo(long offset) throws IOException {
        if (offset <= recoveryPoint) {
            return false;
        }
        for (LogSegment segment : segments.holding(recoveryPoint, offset)) {
            segment.flush();
        }
        recoveryPoint = offset;
        return true;
    }
}
