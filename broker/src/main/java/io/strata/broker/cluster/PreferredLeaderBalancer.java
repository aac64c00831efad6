package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import org.apache.kafka.common.utils.ThreadUtils;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller's automatic preferred-leader rebalancing (Kafka's {@code auto.leader.rebalance.enable}): on
 * the metadata Raft leader, every check interval, each partition whose preferred replica (the first of its
 * assignment) is live and in sync but does not lead gets it back as leader, so leadership returns to where
 * placement spread it after failovers. Unlike Kafka there is no per-broker imbalance threshold: one
 * misplaced leader is enough, since an election costs one metadata command and a brief leader change.
 */
public final class PreferredLeaderBalancer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(PreferredLeaderBalancer.class);

    private final RaftMetadataLog metadata;
    private final Duration interval;
    private final ScheduledExecutorService thread;

    public PreferredLeaderBalancer(RaftMetadataLog metadata, Duration interval) {
        this.metadata = metadata;
        this.interval = interval;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                ThreadUtils.createThreadFactory("strata-leader-balancer", true));
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (!metadata.isLeader()) {
            return;
        }
        List<ElectLeader> elections = imbalanced(metadata.image());
        if (elections.isEmpty()) {
            return;
        }
        LOG.infof("%d partition(s) are led by another broker than their preferred, available leader: electing it",
                elections.size());
        // The next check waits for these: a partition never has two elections in flight.
        List<CompletableFuture<MetadataResult>> results = new ArrayList<>();
        elections.forEach(election -> results.add(metadata.submit(election)));
        for (int i = 0; i < results.size(); i++) {
            ElectLeader election = elections.get(i);
            try {
                MetadataResult result = results.get(i).join();
                if (result.isError()) {
                    LOG.debugf("Preferred leader election of partition %d of topic id %s: %s", election.partition(),
                            election.topicId(), result.message());
                }
            } catch (RuntimeException e) {
                LOG.warnf("Preferred leader election of partition %d of topic id %s failed: %s", election.partition(),
                        election.topicId(), e.getMessage());
            }
        }
    }

    /**
     * A preferred election for each partition whose first replica is live and in sync but does not lead. The
     * state machine decides each election on the image it applies to; this only spares the metadata log
     * commands bound to fail, such as one every check for each partition whose preferred broker is down.
     */
    static List<ElectLeader> imbalanced(MetadataImage image) {
        List<ElectLeader> elections = new ArrayList<>();
        for (TopicImage topic : image.topics()) {
            for (int p = 0; p < topic.partitions(); p++) {
                PartitionImage partition = topic.partition(p);
                if (partition.replicas().isEmpty()) {
                    continue;
                }
                int preferred = partition.replicas().get(0);
                if (partition.leader() != preferred && partition.isr().contains(preferred)
                        && image.liveBroker(preferred).isPresent()) {
                    elections.add(new ElectLeader(topic.topicId(), p, Election.PREFERRED));
                }
            }
        }
        return elections;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
