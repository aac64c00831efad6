package io.strata.broker.tiering;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.log.LogSegment;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.tiered.LocalSegmentFiles;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.RemoteSegment;
import io.strata.tiered.SegmentUploader;
import org.apache.kafka.common.Uuid;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The upload loop of tiering: each round, for each partition of a tiered topic, uploads the closed
 * segments above the partition's remote manifest, oldest first, and commits each with an
 * {@link AddRemoteSegment}. A round is skipped while the store does not answer its probe.
 *
 * <p>Runs on the tiering thread, which waits for each upload and commit: one upload at a time keeps
 * the store's and the disk's load bounded. A failure is logged in one line and the partition is tried
 * again next round; since every attempt uploads under a new segment id, a retry never overwrites
 * anything. The counters may be read from any thread.
 */
final class ClosedSegmentUploads {

    private static final Logger LOG = Logger.getLogger(ClosedSegmentUploads.class);

    private final ObjectStore store;
    private final PartitionManager partitions;
    private final RaftMetadataLog metadata;
    private final ObjectStoreProbe probe;
    private final SegmentUploader uploader;
    private final SnapshotStaging staging;
    private final LongAdder uploadedSegments = new LongAdder();
    private final LongAdder uploadedBytes = new LongAdder();
    private final LongAdder failures = new LongAdder();

    ClosedSegmentUploads(ObjectStore store, PartitionManager partitions, RaftMetadataLog metadata,
                         ObjectStoreProbe probe, SegmentUploader uploader, SnapshotStaging staging) {
        this.store = store;
        this.partitions = partitions;
        this.metadata = metadata;
        this.probe = probe;
        this.uploader = uploader;
        this.staging = staging;
    }

    /** One round over every tiered partition. */
    void round() throws InterruptedException {
        if (!probe.probe()) {
            failures.increment();
            return;
        }
        for (TieredPartition tiered : TieredPartition.all(partitions, metadata.image())) {
            uploadClosedSegments(tiered);
        }
    }

    /** Counters of uploads so far and the upload lag now. */
    TieringService.UploadStats stats() {
        long lag = 0;
        for (Partition partition : partitions.partitions()) {
            if (TieredPartition.isTiered(partition)) {
                lag += bytesToUpload(partition);
            }
        }
        return new TieringService.UploadStats(uploadedSegments.sum(), uploadedBytes.sum(), failures.sum(), lag);
    }

    /** Bytes of the partition's closed local segments not tiered yet. */
    private static long bytesToUpload(Partition partition) {
        long tieredUpTo = partition.tiered().manifest().lastOffset();
        List<LogSegment> segments = partition.log().segments();
        long bytes = 0;
        for (LogSegment segment : segments.subList(0, segments.size() - 1)) {
            if (segment.baseOffset() > tieredUpTo) {
                bytes += segment.size();
            }
        }
        return bytes;
    }

    private void uploadClosedSegments(TieredPartition tiered) throws InterruptedException {
        Uuid topicId = tiered.topic().topicId();
        int number = tiered.partition().topicPartition().partition();
        List<RemoteSegment> manifest = metadata.image().remoteManifest(topicId, number).segments();
        long uploadedUpTo = manifest.isEmpty() ? -1 : manifest.get(manifest.size() - 1).lastOffset();
        for (LocalSegmentFiles files : ClosedSegments.after(tiered.partition().log(), uploadedUpTo)) {
            LocalSegmentFiles pinned = null;
            try {
                pinned = staging.pin(files);
                RemoteSegment segment = uploader.upload(tiered.remote(), pinned).get();
                commit(topicId, number, segment);
                uploadedSegments.increment();
                uploadedBytes.add(segment.sizeInBytes());
            } catch (ExecutionException | IOException | RuntimeException e) {
                failures.increment();
                LOG.warnf("Tiering segment %d of %s failed, retrying next round: %s", files.baseOffset(), tiered.remote(),
                        e instanceof ExecutionException ? e.getCause() : e);
                return;
            } finally {
                release(pinned);
            }
        }
    }

    private void release(LocalSegmentFiles pinned) {
        try {
            if (pinned != null) {
                staging.release(pinned);
            }
        } catch (IOException e) {
            LOG.warnf("Cannot remove a staged producer snapshot: %s", e);
        }
    }

    /** Commits an uploaded segment; one the metadata refuses (its topic was deleted) is deleted again. */
    private void commit(Uuid topicId, int partition, RemoteSegment segment)
            throws IOException, ExecutionException, InterruptedException {
        MetadataResult result = metadata.submit(new AddRemoteSegment(topicId, partition, segment.toBytes())).get();
        if (result.isError()) {
            store.deleteAll(segment.keys()).get();
            throw new IOException("the metadata refused the segment: " + result.message());
        }
        LOG.debugf("Tiered offsets %d to %d of %s", segment.baseOffset(), segment.lastOffset(), segment.partition());
    }
}
