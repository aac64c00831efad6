package io.strata.broker.replication;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.InterBrokerClients;
import org.apache.kafka.common.utils.Time;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps one {@link ReplicaFetcher} per leader this broker follows partitions of, in step with the partitions'
 * state: after every metadata change the partition manager applied, each followed partition goes to the
 * fetcher of its current leader, a fetcher left with nothing stops, and one whose leader moved to another
 * endpoint starts over. A partition whose leader is fenced or unknown, or has no endpoint on the inter-broker
 * listener, is followed by no one until it has one.
 */
public final class ReplicaFetcherManager implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReplicaFetcherManager.class);

    private final int localId;
    private final PartitionManager partitions;
    private final InterBrokerClients clients;
    private final ReplicationThrottle throttle;
    private final Time time;
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>(); // guarded by this
    /** Leaders found without an inter-broker endpoint, told once until they have one. */
    private final Set<Integer> unreachable = new HashSet<>(); // guarded by this
    private boolean closed; // guarded by this

    public ReplicaFetcherManager(int localId, PartitionManager partitions, InterBrokerClients clients,
                                 ReplicationThrottle throttle, Time time) {
        this.localId = localId;
        this.partitions = partitions;
        this.clients = clients;
        this.throttle = throttle;
        this.time = time;
    }

    /** Follows {@code image}, which the partitions have just applied; called on the partition reconciler's thread. */
    public synchronized void onReconciled(MetadataImage image) {
        if (closed) {
            return;
        }
        Map<Integer, List<Partition>> byLeader = new HashMap<>();
        for (Partition partition : partitions.partitions()) {
            PartitionImage state = partition.state();
            if (state.leader() != localId && state.leader() != PartitionImage.NO_LEADER && state.hasReplica(localId)
                    && image.liveBroker(state.leader()).isPresent()) {
                byLeader.computeIfAbsent(state.leader(), id -> new ArrayList<>()).add(partition);
            }
        }
        Map<Integer, Endpoint> endpoints = new HashMap<>();
        for (int leaderId : byLeader.keySet()) {
            BrokerImage leader = image.liveBroker(leaderId).orElseThrow();
            Optional<Endpoint> endpoint = clients.endpoint(leader);
            if (endpoint.isPresent()) {
                endpoints.put(leaderId, endpoint.get());
                unreachable.remove(leaderId);
            } else if (unreachable.add(leaderId)) {
                LOG.warnf("Broker %d leads partitions this broker follows but has no endpoint on %s, the listener the "
                        + "brokers reach each other on (it has %s): nothing is replicated from it until it has one; "
                        + "every broker needs the listener strata.kafka.inter-broker-listener-name names",
                        leaderId, clients.listener(), leader.endpoints());
            }
        }
        for (Iterator<Map.Entry<Integer, ReplicaFetcher>> it = fetchers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, ReplicaFetcher> entry = it.next();
            if (!entry.getValue().endpoint().equals(endpoints.get(entry.getKey()))) {
                entry.getValue().close();
                it.remove();
            }
        }
        endpoints.forEach((leaderId, endpoint) -> fetchers.computeIfAbsent(leaderId, id -> {
            ReplicaFetcher fetcher = new ReplicaFetcher(localId, id, endpoint, clients, throttle, time);
            fetcher.start();
            return fetcher;
        }).assign(byLeader.get(leaderId)));
    }

    @Override
    public synchronized void close() {
        closed = true;
        fetchers.values().forEach(ReplicaFetcher::close);
        fetchers.clear();
    }
}
