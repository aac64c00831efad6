package io.strata.broker.tiering;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * The compaction loop of tiering: each round, compacts the tiered segments of each partition of a
 * tiered, compacted topic in the bucket with the {@link RemoteLogCleaner}. A round is skipped while
 * the store did not answer its last probe. Runs on the tiering thread; a failure is logged in one
 * line and the partition is tried again next round.
 */
record TieredCompaction(Supplier<List<TieredPartition>> tieredPartitions, ObjectStoreProbe probe,
                        RemoteLogCleaner cleaner) {

    private static final Logger LOG = Logger.getLogger(TieredCompaction.class);

    /** One round over every tiered, compacted partition. */
    void round() throws InterruptedException {
        if (!probe.status().reachable()) {
            return;
        }
        for (TieredPartition tiered : tieredPartitions.get()) {
            if (!tiered.partition().log().config().compact()) {
                continue;
            }
            try {
                cleaner.clean(tiered.partition(), tiered.remote());
            } catch (IOException | ExecutionException | RuntimeException e) {
                LOG.warnf("Compacting the tiered segments of %s failed, retrying next round: %s",
                        tiered.partition().topicPartition(), e instanceof ExecutionException ? e.getCause() : e);
            }
        }
    }
}
