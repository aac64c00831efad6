package io.strata.broker.server;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.partition.PartitionManager;
import org.jboss.logging.Logger;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This broker's place in the cluster's metadata. It registers the broker's endpoints at start (which also
 * unfences a broker that comes back), asks to be unfenced again when the controller fenced it while it kept
 * running (cut off from the quorum, or paused, for longer than the controller waited), and, closed at a clean
 * stop, fences the broker itself first: the partitions it leads move to in-sync followers, in a new epoch,
 * before it stops answering, so a rolling restart loses no produce request (Kafka's controlled shutdown).
 */
final class BrokerRegistration implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BrokerRegistration.class);
    private static final long SHUTDOWN_TIMEOUT_MS = 5_000;

    private final RaftMetadataLog metadata;
    private final PartitionManager partitions;
    private final BrokerImage endpoint;
    private final AtomicBoolean unfencing = new AtomicBoolean();
    /** Set once the registration is in the metadata: from then on, a registration gone was unregistered. */
    private volatile boolean registered;
    private volatile boolean stopping;

    BrokerRegistration(RaftMetadataLog metadata, PartitionManager partitions, BrokerImage endpoint) {
        this.metadata = metadata;
        this.partitions = partitions;
        this.endpoint = endpoint;
    }

    /** Records the endpoints in the metadata, unless they are there unchanged and unfenced; waits for the commit. */
    void register() {
        if (metadata.image().broker(endpoint.nodeId()).filter(endpoint::equals).isPresent()) {
            registered = true;
            return;
        }
        MetadataResult result = metadata.submit(registration()).join();
        if (result.isError()) {
            throw new IllegalStateException("Registering broker " + endpoint.nodeId() + " failed: " + result.message());
        }
        registered = true;
    }

    /**
     * Follows the metadata: a running broker found fenced, or unregistered (fenced first, while cut off from the
     * quorum), registers again, as Kafka's does at its next heartbeat. Called on the metadata applier thread.
     */
    void onImage(MetadataImage image) {
        boolean fenced = image.broker(endpoint.nodeId()).map(BrokerImage::fenced).orElse(registered);
        if (!fenced || stopping || !unfencing.compareAndSet(false, true)) {
            return;
        }
        LOG.infof("Broker %d was fenced or unregistered while it kept running: registering again", endpoint.nodeId());
        metadata.submit(registration()).whenComplete((result, error) -> {
            unfencing.set(false);
            if (error != null || result.isError()) {
                LOG.warnf("Broker %d could not register again: %s", endpoint.nodeId(),
                        error != null ? error.toString() : result.message());
            }
        });
    }

    private MetadataCommand.RegisterBroker registration() {
        return new MetadataCommand.RegisterBroker(endpoint.nodeId(), endpoint.endpoints(), endpoint.rack());
    }

    /**
     * The controlled shutdown: fences this broker and waits, {@value #SHUTDOWN_TIMEOUT_MS} ms at most, until its
     * partitions followed. Skipped when no other broker is up to take over (a single node, or the last broker of
     * a cluster going down, which would wait for a quorum that is gone).
     */
    @Override
    public void close() {
        stopping = true;
        MetadataImage image = metadata.image();
        if (image.liveBrokers().stream().noneMatch(broker -> broker.nodeId() != endpoint.nodeId())) {
            return;
        }
        long begin = System.nanoTime();
        try {
            MetadataResult result = metadata.submit(new MetadataCommand.SetBrokerFenced(endpoint.nodeId(), true))
                    .get(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (result.isError()) {
                LOG.warnf("Controlled shutdown of broker %d refused: %s", endpoint.nodeId(), result.message());
                return;
            }
            long left = SHUTDOWN_TIMEOUT_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            while (!metadata.image().broker(endpoint.nodeId()).map(BrokerImage::fenced).orElse(true) && left > 0) {
                Thread.sleep(5);
                left = SHUTDOWN_TIMEOUT_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            }
            partitions.reconciled(metadata.image().version()).get(Math.max(left, 1), TimeUnit.MILLISECONDS);
            LOG.infof("Controlled shutdown of broker %d: its partitions moved to other brokers in %d ms",
                    endpoint.nodeId(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("Controlled shutdown of broker %d did not complete within %d ms, stopping anyway: %s",
                    endpoint.nodeId(), SHUTDOWN_TIMEOUT_MS, e.toString());
        }
    }
}
