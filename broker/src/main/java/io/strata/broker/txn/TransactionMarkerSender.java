package io.strata.broker.txn;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.protocol.RequestForwarder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Writes the markers that end a transaction to the leaders of its partitions, as Kafka's transaction marker channel
 * does: the partitions this broker leads through {@link TransactionMarkerWriter}, the others with a WriteTxnMarkers
 * request to their leader. A partition whose leader is unknown, moving or too short of in-sync replicas is tried
 * again every {@value #RETRY_BACKOFF_MS} ms until its marker is written, for as long as this broker coordinates the
 * transaction; a partition of a deleted topic needs none. A leader refusing a marker as fenced ends the sending.
 */
final class TransactionMarkerSender {

    private static final Logger LOG = Logger.getLogger(TransactionMarkerSender.class);
    static final long RETRY_BACKOFF_MS = 100;

    private final int nodeId;
    private final Supplier<MetadataImage> image;
    private final TransactionMarkerWriter local;
    private final RequestForwarder forwarder;
    private final ScheduledExecutorService retries;

    TransactionMarkerSender(int nodeId, Supplier<MetadataImage> image, TransactionMarkerWriter local,
                            RequestForwarder forwarder, ScheduledExecutorService retries) {
        this.nodeId = nodeId;
        this.image = image;
        this.local = local;
        this.forwarder = forwarder;
        this.retries = retries;
    }

    /**
     * Writes {@code txn}'s commit or abort marker to each of its partitions. Completes once every one is written
     * (or its topic deleted); completes exceptionally if {@code stillCoordinator} turns false first, leaving the rest
     * to the broker that coordinates the transaction now, which writes them again when it loads it.
     */
    CompletableFuture<Void> send(TransactionMetadata txn, boolean commit, int coordinatorEpoch,
                                 BooleanSupplier stillCoordinator) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(txn, commit, coordinatorEpoch, new HashSet<>(txn.partitions()), stillCoordinator, done);
        return done;
    }

    private void attempt(TransactionMetadata txn, boolean commit, int coordinatorEpoch, Set<TopicPartition> remaining,
                         BooleanSupplier stillCoordinator, CompletableFuture<Void> done) {
        if (!stillCoordinator.getAsBoolean()) {
            done.completeExceptionally(new IllegalStateException("No longer the coordinator of transactional id "
                    + txn.transactionalId()));
            return;
        }
        MetadataImage current = image.get();
        Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
        for (TopicPartition tp : List.copyOf(remaining)) {
            Optional<TopicImage> topic = current.topic(tp.topic());
            if (topic.isEmpty() || tp.partition() >= topic.get().partitions()) {
                remaining.remove(tp);
            } else {
                byLeader.computeIfAbsent(topic.get().partition(tp.partition()).leader(), leader -> new ArrayList<>())
                        .add(tp);
            }
        }
        List<CompletableFuture<Void>> requests = new ArrayList<>();
        for (Map.Entry<Integer, List<TopicPartition>> entry : byLeader.entrySet()) {
            Optional<BrokerImage> leader = current.liveBroker(entry.getKey());
            if (leader.isEmpty()) {
                continue;
            }
            WriteTxnMarkersRequestData request = request(txn, commit, coordinatorEpoch, entry.getValue());
            CompletableFuture<WriteTxnMarkersResponseData> response = leader.get().nodeId() == nodeId
                    ? local.write(request)
                    : forwarder.send(leader.get(), new WriteTxnMarkersRequest.Builder(request),
                            ApiKeys.WRITE_TXN_MARKERS.latestVersion())
                    .thenApply(answer -> ((WriteTxnMarkersResponse) answer).data());
            requests.add(response.handle((answer, failure) -> {
                if (failure != null) {
                    LOG.debugf("Writing markers of %s to broker %d failed, retrying: %s", txn.transactionalId(),
                            entry.getKey(), failure.getMessage());
                    return null;
                }
                synchronized (remaining) {
                    if (!written(txn, answer, remaining)) {
                        done.completeExceptionally(new IllegalStateException("The markers of transactional id "
                                + txn.transactionalId() + " were refused as fenced"));
                    }
                }
                return null;
            }));
        }
        CompletableFuture.allOf(requests.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) -> {
            boolean finished;
            synchronized (remaining) {
                finished = remaining.isEmpty();
            }
            if (done.isDone()) {
                return;
            }
            if (finished) {
                done.complete(null);
            } else {
                retries.schedule(() -> attempt(txn, commit, coordinatorEpoch, remaining, stillCoordinator, done),
                        RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS);
            }
        });
    }

    private static WriteTxnMarkersRequestData request(TransactionMetadata txn, boolean commit, int coordinatorEpoch,
                                                      List<TopicPartition> partitions) {
        Map<String, List<Integer>> byTopic = new HashMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp.partition()));
        WritableTxnMarker marker = new WritableTxnMarker()
                .setProducerId(txn.producerId())
                .setProducerEpoch(txn.producerEpoch())
                .setTransactionResult(commit)
                .setCoordinatorEpoch(coordinatorEpoch);
        byTopic.forEach((topic, indexes) -> marker.topics().add(new WritableTxnMarkerTopic()
                .setName(topic).setPartitionIndexes(indexes)));
        return new WriteTxnMarkersRequestData().setMarkers(List.of(marker));
    }

    /**
     * Takes the partitions whose marker is written out of {@code remaining}; those refused for a retriable reason
     * stay. Returns false if a leader refused the marker as written by a fenced coordinator or for an older producer
     * epoch: a newer coordinator ends the transaction, and this one must not record it complete.
     */
    private static boolean written(TransactionMetadata txn, WriteTxnMarkersResponseData answer,
                                   Set<TopicPartition> remaining) {
        boolean fenced = false;
        for (var marker : answer.markers()) {
            for (var topic : marker.topics()) {
                for (var partition : topic.partitions()) {
                    TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                    Errors error = Errors.forCode(partition.errorCode());
                    if (error == Errors.NONE) {
                        remaining.remove(tp);
                    } else if (error == Errors.INVALID_PRODUCER_EPOCH || error == Errors.TRANSACTION_COORDINATOR_FENCED) {
                        LOG.warnf("The %s marker of transactional id %s was refused by %s: %s; leaving it to the newer "
                                + "coordinator", txn.state(), txn.transactionalId(), tp, error.name());
                        fenced = true;
                    }
                    // Anything else (a leader moving, too few in-sync replicas, a deleted topic the leader already
                    // forgot) is tried again; a deleted topic leaves the transaction by this broker's metadata.
                }
            }
        }
        return !fenced;
    }
}
