package io.strata.broker.tiering;

import io.strata.tiered.ObjectKey;
import io.strata.tiered.OrphanSweeper;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The orphan loop of tiering: each round, deletes the objects of each tiered partition that no
 * committed segment refers to and that are older than the grace period, the leftovers of uploads that
 * failed or whose commit was refused. Segments just taken out of a manifest are not orphans yet: their
 * objects are old, but reads may still use them until {@link TieredObjectDeletion} deletes them. Runs
 * on the tiering thread; a failure is logged in one line and the partition is swept again next round.
 */
record OrphanSweep(Supplier<List<TieredPartition>> tieredPartitions, OrphanSweeper sweeper,
                   TieredObjectDeletion deletion) {

    private static final Logger LOG = Logger.getLogger(OrphanSweep.class);

    /** One round over every tiered partition. */
    void round() throws InterruptedException {
        for (TieredPartition tiered : tieredPartitions.get()) {
            Set<UUID> kept = deletion.keptSegmentIds(tiered.topic().topicId(),
                    tiered.partition().topicPartition().partition());
            try {
                List<ObjectKey> deleted = sweeper.sweep(tiered.remote(), kept).get();
                if (!deleted.isEmpty()) {
                    LOG.infof("Deleted %d orphaned tiered objects of %s", deleted.size(), tiered.remote());
                }
            } catch (ExecutionException e) {
                LOG.warnf("Sweeping the orphaned tiered objects of %s failed: %s", tiered.remote(), e.getCause());
            }
        }
    }
}
