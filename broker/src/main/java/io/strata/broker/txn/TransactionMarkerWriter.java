package io.strata.broker.txn;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.log.AppendResult;
import io.strata.broker.partition.NotHeld;
import io.strata.broker.partition.Partition;
import io.strata.broker.partition.PartitionManager;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.ControlRecordType;
import org.apache.kafka.common.record.EndTransactionMarker;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Appends the commit or abort marker of each producer's transaction to the partitions this broker leads, which
 * ends the transaction there for read_committed readers: what WriteTxnMarkers asks of a partition leader, from a
 * transaction coordinator or from {@code kafka-transactions abort}. Each marker is answered once the in-sync
 * replicas hold it (and, when the broker fsyncs before acknowledging, once it is on disk), as an acks=all produce
 * is; a marker of an older producer epoch is refused with {@code INVALID_PRODUCER_EPOCH}, one from an older
 * coordinator with {@code TRANSACTION_COORDINATOR_FENCED}, one for a partition another broker leads with
 * {@code NOT_LEADER_OR_FOLLOWER}.
 */
public record TransactionMarkerWriter(PartitionManager partitions, Supplier<MetadataImage> image,
                                      boolean fsyncBeforeAck, MarkerListener listener) {

    /** Told of each marker once acknowledged: how the group coordinator applies transactional offsets. */
    @FunctionalInterface
    public interface MarkerListener {
        void onMarker(TopicPartition tp, long producerId, boolean commit);
    }

    private static final Logger LOG = Logger.getLogger(TransactionMarkerWriter.class);
    /** How long a marker may wait for the in-sync replicas: Kafka's default request.timeout.ms. */
    static final long REPLICATION_TIMEOUT_MS = 30_000;

    /** Writes every marker of {@code request}; completes once each is acknowledged or failed, as its result says. */
    public CompletableFuture<WriteTxnMarkersResponseData> write(WriteTxnMarkersRequestData request) {
        WriteTxnMarkersResponseData response = new WriteTxnMarkersResponseData();
        List<CompletableFuture<Void>> acknowledgements = new ArrayList<>();
        for (WritableTxnMarker marker : request.markers()) {
            WritableTxnMarkerResult result = new WritableTxnMarkerResult().setProducerId(marker.producerId());
            EndTransactionMarker endMarker = new EndTransactionMarker(
                    marker.transactionResult() ? ControlRecordType.COMMIT : ControlRecordType.ABORT,
                    marker.coordinatorEpoch());
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                WritableTxnMarkerTopicResult topicResult = new WritableTxnMarkerTopicResult().setName(topic.name());
                for (int index : topic.partitionIndexes()) {
                    WritableTxnMarkerPartitionResult partitionResult =
                            new WritableTxnMarkerPartitionResult().setPartitionIndex(index);
                    topicResult.partitions().add(partitionResult);
                    write(new TopicPartition(topic.name(), index), marker, endMarker, partitionResult)
                            .ifPresent(acknowledgements::add);
                }
                result.topics().add(topicResult);
            }
            response.markers().add(result);
        }
        return CompletableFuture.allOf(acknowledgements.toArray(CompletableFuture[]::new)).thenApply(ignored -> response);
    }

    /** Appends one marker; its acknowledgement by the in-sync replicas, or empty if it failed, as {@code result} says. */
    private Optional<CompletableFuture<Void>> write(TopicPartition tp, WritableTxnMarker marker,
                                                    EndTransactionMarker endMarker,
                                                    WritableTxnMarkerPartitionResult result) {
        Optional<Partition> leading = partitions.leading(tp);
        if (leading.isEmpty()) {
            result.setErrorCode(NotHeld.error(image.get().topic(tp.topic()), tp.partition(), false).code());
            return Optional.empty();
        }
        Partition partition = leading.get();
        AppendResult appended;
        try {
            partition.requireEnoughReplicas();
            appended = partition.appendMarker(marker.producerId(), marker.producerEpoch(), endMarker);
        } catch (RuntimeException e) {
            result.setErrorCode(errorOf(tp, e).code());
            return Optional.empty();
        }
        return Optional.of(partitions.acknowledged(partition, appended.lastOffset(), fsyncBeforeAck)
                .orTimeout(REPLICATION_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .handle((ignored, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        result.setErrorCode(errorOf(tp, cause).code());
                    } else {
                        listener.onMarker(tp, marker.producerId(), marker.transactionResult());
                    }
                    return null;
                }));
    }

    private static Errors errorOf(TopicPartition tp, Throwable failure) {
        Errors error = failure instanceof TimeoutException
                ? Errors.REQUEST_TIMED_OUT : Errors.forException(failure);
        if (error == Errors.UNKNOWN_SERVER_ERROR) {
            LOG.errorf(failure, "Writing a transaction marker to %s failed", tp);
        }
        return error;
    }
}
