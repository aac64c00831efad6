package io.strata.broker.partition;

import io.strata.broker.log.LogConfig;
import io.strata.broker.log.LogSegment;
import io.strata.broker.log.PartitionLog;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.utils.ThreadUtils;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deletes old data, every round for every partition, as Kafka's {@code log.retention.check.interval.ms}
 * task does, over both tiers:
 * <ul>
 *   <li><b>Retention</b> ({@code cleanup.policy} with {@code delete}): the oldest segments, tiered
 *       or local, go while their newest record is older than {@code retention.ms}, or while the log
 *       without them still holds {@code retention.bytes}. The partition's start moves past them in both
 *       tiers (see {@link Partition#moveLogStartTo}); the active segment always stays.</li>
 *   <li><b>Local retention</b> (tiered topics): local segments that are already tiered go from the
 *       disk while older than {@code local.retention.ms} or beyond {@code local.retention.bytes} of
 *       local data; the partition keeps them in the bucket. Nothing that is not yet tiered is ever
 *       deleted locally this way, however full the disk.</li>
 * </ul>
 * Each round also deletes the files of segments removed from the local log once their delay has passed
 * (see {@link PartitionLog#deleteRetiredDue}), and forgets the producers idle for {@code producer.id.expiration.ms}
 * (see {@link io.strata.broker.log.LogProducers#removeExpired}), on leaders and followers alike. Runs on one
 * thread of its own; a failure on one partition is logged in one line and the others go on.
 */
public final class RetentionService implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RetentionService.class);
    private static final long COMMIT_TIMEOUT_SECONDS = 30;

    private final PartitionManager partitions;
    private final Duration interval;
    private final long producerIdExpirationMs;
    private final Time time;
    private volatile boolean closed;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            ThreadUtils.createThreadFactory("strata-retention", true));

    public RetentionService(PartitionManager partitions, Duration interval, long producerIdExpirationMs, Time time) {
        this.partitions = partitions;
        this.interval = interval;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.time = time;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::round, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
        for (Partition partition : partitions.partitions()) {
            if (closed) {
                return;
            }
            try {
                enforce(partition);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                LOG.warnf("Retention of %s failed, retrying next round: %s", partition.topicPartition(),
                        e instanceof ExecutionException ? e.getCause() : e);
            }
        }
    }

    private void enforce(Partition partition) throws InterruptedException, ExecutionException, TimeoutException {
        // Segments removed earlier (by retention, DeleteRecords or compaction) otherwise wait for the
        // partition's next append to leave the disk, which an idle partition never gets.
        partition.log().deleteRetiredDue();
        int expired = partition.log().producers().removeExpired(producerIdExpirationMs);
        if (expired > 0) {
            LOG.debugf("%s forgot %d producers idle for %d ms", partition.topicPartition(), expired,
                    producerIdExpirationMs);
        }
        LogConfig config = partition.log().config();
        long now = time.milliseconds();
        if (config.deleteRetention()) {
            long start = partition.logStartOffset();
            long retained = retainedFrom(spans(partition), start, now, config.retentionMs(), config.retentionBytes());
            if (retained > start) {
                partition.moveLogStartTo(retained).get(COMMIT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                LOG.infof("Retention moved the start of %s from offset %d to %d", partition.topicPartition(), start,
                        retained);
            }
        }
        if (config.remoteStorageEnable()) {
            PartitionLog log = partition.log();
            long start = log.logStartOffset();
            long retained = retainedFrom(tieredLocalSpans(partition), start, now, config.effectiveLocalRetentionMs(),
                    config.effectiveLocalRetentionBytes());
            if (retained > start) {
                log.deleteRecordsBefore(retained);
                LOG.debugf("Local retention moved the local start of %s from offset %d to %d (tiered below)",
                        partition.topicPartition(), start, retained);
            }
        }
    }

    /** A run of offsets that retention deletes whole: a segment, tiered or local. */
    private record Span(long baseOffset, long nextOffset, long maxTimestamp, long sizeInBytes) {
    }

    /**
     * The offset the log must start at for the deletable spans (all but the last, active one) to
     * satisfy the limits; {@code start} if nothing goes. {@code spans} are oldest first and hold every
     * byte counted against {@code retentionBytes}.
     */
    private static long retainedFrom(List<Span> spans, long start, long now, long retentionMs, long retentionBytes) {
        long size = spans.stream().mapToLong(Span::sizeInBytes).sum();
        long retained = start;
        for (Span span : spans.subList(0, Math.max(0, spans.size() - 1))) {
            boolean expired = retentionMs >= 0 && span.maxTimestamp() >= 0 && span.maxTimestamp() < now - retentionMs;
            boolean beyondSize = retentionBytes >= 0 && size - span.sizeInBytes() >= retentionBytes;
            if (!expired && !beyondSize) {
                break;
            }
            size -= span.sizeInBytes();
            retained = Math.max(retained, span.nextOffset());
        }
        return retained;
    }

    /** The whole log's segments from the start, oldest first: tiered ones, then the local ones above them. */
    private static List<Span> spans(Partition partition) {
        RemoteManifest remote = partition.tiered().manifest();
        List<Span> spans = new ArrayList<>();
        for (RemoteSegment segment : remote.segments()) {
            spans.add(new Span(segment.baseOffset(), segment.lastOffset() + 1, segment.maxTimestamp(),
                    segment.sizeInBytes()));
        }
        spans.addAll(localSpans(partition.log(), remote.endOffset()));
        return spans;
    }

    /** The local segments already tiered, then the rest of the local log as one span that stays. */
    private static List<Span> tieredLocalSpans(Partition partition) {
        long tieredEnd = partition.tiered().manifest().endOffset();
        List<Span> spans = new ArrayList<>();
        long rest = 0;
        for (Span span : localSpans(partition.log(), 0)) {
            if (span.nextOffset() <= tieredEnd && rest == 0) {
                spans.add(span);
            } else {
                rest += span.sizeInBytes();
            }
        }
        spans.add(new Span(-1, -1, -1, rest));
        return spans;
    }

    /** The local segments whose base offset is at least {@code from}, oldest first, the active one last. */
    private static List<Span> localSpans(PartitionLog log, long from) {
        List<LogSegment> segments = log.segments();
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            LogSegment segment = segments.get(i);
            if (segment.baseOffset() < from) {
                continue;
            }
            long next = i + 1 < segments.size() ? segments.get(i + 1).baseOffset() : log.logEndOffset();
            spans.add(new Span(segment.baseOffset(), next, segment.maxTimestampSoFar().timestamp(), segment.size()));
        }
        return spans;
    }

    /** Stops after the partition being worked on, without interrupting its file operations. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.shutdown();
        thread.awaitTermination(COMMIT_TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
    }
}
