package io.strata.broker.tiering;

import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.partition.PartitionManager;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.OrphanSweeper;
import io.strata.tiered.RemoteSegment;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/**
 * The orphan loop of tiering: each round, deletes the objects of each tiered partition that no
 * committed segment refers to and that are older than the grace period, the leftovers of uploads that
 * failed or whose commit was refused. Runs on the tiering thread; a failure is logged in one line and
 * the partition is swept again next round.
 */
final class OrphanSweep {

    private static final Logger LOG = Logger.getLogger(OrphanSweep.class);

    private final PartitionManager partitions;
    private final RaftMetadataLog metadata;
    private final OrphanSweeper sweeper;

    OrphanSweep(PartitionManager partitions, RaftMetadataLog metadata, OrphanSweeper sweeper) {
        this.partitions = partitions;
        this.metadata = metadata;
        this.sweeper = sweeper;
    }

    /** One round over every tiered partition. */
    void round() throws InterruptedException {
        for (TieredPartition tiered : TieredPartition.all(partitions, metadata.image())) {
            Set<UUID> committed = metadata.image()
                    .remoteManifest(tiered.topic().topicId(), tiered.partition().topicPartition().partition())
                    .segments().stream().map(RemoteSegment::segmentId).collect(Collectors.toSet());
            try {
                List<ObjectKey> deleted = sweeper.sweep(tiered.remote(), committed).get();
                if (!deleted.isEmpty()) {
                    LOG.infof("Deleted %d orphaned tiered objects of %s", deleted.size(), tiered.remote());
                }
            } catch (ExecutionException e) {
                LOG.warnf("Sweeping the orphaned tiered objects of %s failed: %s", tiered.remote(), e.getCause());
            }
        }
    }
}
