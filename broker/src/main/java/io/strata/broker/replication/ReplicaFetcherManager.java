package io.strata.broker.replication;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import io.strata.broker.protocol.InterBrokerClients;
import org.apache.kafka.common.utils.Time;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps one {@link ReplicaFetcher} per leader this broker follows partitions of, in step with the partitions'
 * state: after every metadata change the partition manager applied, each followed partition goes to the
 * fetcher of its current leader, a fetcher left with nothing stops, and one whose leader moved to another
 * endpoint starts over. A partition whose leader is fenced or unknown is followed by no one until it has one.
 */
public final class ReplicaFetcherManager implements AutoCloseable {

    private final int localId;
    private final PartitionManager partitions;
    private final InterBrokerClients clients;
    private final ReplicationThrottle throttle;
    private final Time time;
    private final Map<Integer, ReplicaFetcher> fetchers = new HashMap<>(); // guarded by this
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
        for (Iterator<Map.Entry<Integer, ReplicaFetcher>> it = fetchers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, ReplicaFetcher> entry = it.next();
            Optional<BrokerImage> leader = image.liveBroker(entry.getKey());
            if (!byLeader.containsKey(entry.getKey()) || leader.isEmpty()
                    || !sameEndpoint(leader.get(), entry.getValue().leader())) {
                entry.getValue().close();
                it.remove();
            }
        }
        byLeader.forEach((leaderId, followed) -> fetchers.computeIfAbsent(leaderId, id -> {
            ReplicaFetcher fetcher = new ReplicaFetcher(localId, image.liveBroker(id).orElseThrow(), clients, throttle,
                    time);
            fetcher.start();
            return fetcher;
        }).assign(followed));
    }

    private static boolean sameEndpoint(BrokerImage a, BrokerImage b) {
        return a.host().equals(b.host()) && a.port() == b.port();
    }

    @Override
    public synchronized void close() {
        closed = true;
        fetchers.values().forEach(ReplicaFetcher::close);
        fetchers.clear();
    }
}
