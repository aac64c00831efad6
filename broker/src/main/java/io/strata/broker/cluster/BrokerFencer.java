package io.strata.broker.cluster;

import org.apache.kafka.common.utils.ThreadUtils;
import org.jboss.logging.Logger;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The controller's watch over the brokers: on the metadata Raft leader, a registered broker that has left
 * the JGroups view is fenced, so partitions follow who is up. The view is looked at every
 * {@link #CHECK_INTERVAL_MS}; a broker is fenced when it is missing from two views in a row, so a view caught
 * in the middle of a change fences nobody. One change is committed at a time. Unfencing is the broker's own
 * request, as in Kafka: it registers again when it starts, or when it finds itself fenced while running
 * ({@code BrokerRegistration}); so a broker that fenced itself to stop cleanly stays fenced.
 */
public final class BrokerFencer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BrokerFencer.class);
    static final long CHECK_INTERVAL_MS = 100;

    private final RaftMetadataLog metadata;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean submitting = new AtomicBoolean();
    /** The brokers missing from the view at the last check. */
    private Set<Integer> missing = Set.of();

    public BrokerFencer(RaftMetadataLog metadata) {
        this.metadata = metadata;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                ThreadUtils.createThreadFactory("strata-broker-fencer", true));
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::check, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        if (!metadata.isLeader() || submitting.get()) {
            return;
        }
        Set<Integer> reachable = metadata.reachableNodeIds();
        Set<Integer> missingBefore = missing;
        missing = new HashSet<>();
        for (BrokerImage broker : metadata.image().brokers()) {
            boolean gone = !reachable.contains(broker.nodeId());
            if (gone) {
                missing.add(broker.nodeId());
            }
            if (gone && !broker.fenced() && missingBefore.contains(broker.nodeId())) {
                submit(new MetadataCommand.SetBrokerFenced(broker.nodeId(), true));
                return;
            }
        }
    }

    private void submit(MetadataCommand.SetBrokerFenced change) {
        submitting.set(true);
        LOG.infof("Broker %d left the metadata quorum's view: fencing it", change.nodeId());
        metadata.submit(change).whenComplete((result, error) -> {
            submitting.set(false);
            if (error != null || result.isError()) {
                LOG.warnf("Could not fence broker %d: %s", change.nodeId(), error != null ? error.getMessage()
                        : result.message());
            }
        });
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
