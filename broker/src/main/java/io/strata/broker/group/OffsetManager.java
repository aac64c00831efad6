package io.strata.broker.group;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.coordinator.CoordinatorLog;
import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.OffsetKey;
import io.strata.broker.group.GroupRecords.OffsetValue;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.txn.TransactionVerifier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** OffsetCommit, TxnOffsetCommit, OffsetFetch and OffsetDelete, as Kafka's offset manager answers them. Coordinator thread only. */
record OffsetManager(CoordinatorRuntime runtime, Rebalancer rebalancer, TransactionVerifier verifier) {

    /** The committed offset a partition without one reports. */
    static final long INVALID_OFFSET = -1L;
    private static final short FIRST_GROUP_ID_NOT_FOUND_COMMIT_VERSION = 9;
    private static final short FIRST_ABORTABLE_TXN_COMMIT_VERSION = 4;

    // ---- OffsetCommit ----

    CompletableFuture<OffsetCommitResponseData> commit(ClientContext client, OffsetCommitRequestData request) {
        String groupId = request.groupId();
        Errors groupError = groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID : validateCommit(client, request);
        return commit(groupId, groupError, request.topics(), RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH,
                VerificationGuard.NONE);
    }

    /**
     * TxnOffsetCommit: offsets committed within the producer's transaction, written as its transactional batch
     * and applied when the transaction's marker commits them (dropped if it aborts). Checked as OffsetCommit is,
     * except that a producer that gives no member or generation (one outside the group's management) may commit.
     *
     * @param verified the verification that the producer's transaction includes the group's partition
     */
    CompletableFuture<TxnOffsetCommitResponseData> commitTransactional(TxnOffsetCommitRequestData request,
                                                                       VerificationGuard verified) {
        String groupId = request.groupId();
        Errors groupError = groupId == null || groupId.isEmpty() ? Errors.INVALID_GROUP_ID : validateTxnCommit(request);
        List<OffsetCommitRequestData.OffsetCommitRequestTopic> topics = request.topics().stream()
                .map(topic -> new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic.name())
                        .setPartitions(topic.partitions().stream()
                                .map(partition -> new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                        .setPartitionIndex(partition.partitionIndex())
                                        .setCommittedOffset(partition.committedOffset())
                                        .setCommittedLeaderEpoch(partition.committedLeaderEpoch())
                                        .setCommittedMetadata(partition.committedMetadata()))
                                .toList()))
                .toList();
        return commit(groupId, groupError, topics, request.producerId(), request.producerEpoch(), verified)
                .thenApply(committed -> new TxnOffsetCommitResponseData().setTopics(committed.topics().stream()
                        .map(topic -> new TxnOffsetCommitResponseTopic().setName(topic.name())
                                .setPartitions(topic.partitions().stream()
                                        .map(partition -> new TxnOffsetCommitResponsePartition()
                                                .setPartitionIndex(partition.partitionIndex())
                                                .setErrorCode(partition.errorCode()))
                                        .toList()))
                        .toList()));
    }

    /**
     * The verification the transactional batch of {@code request}'s offsets appends with: none needed while the
     * producer's transaction is open in the group's partition, else one its coordinator confirmed. Fails with the
     * error the producer acts on at TxnOffsetCommit {@code version} when the coordinator refused or could not
     * answer. Coordinator thread.
     */
    CompletableFuture<VerificationGuard> verifyTransaction(TxnOffsetCommitRequestData request, short version) {
        TopicPartition tp = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, runtime.partitionFor(request.groupId()));
        // A partition no longer led here is answered by the write. The coordinator assigns its batches' sequences.
        Map<TopicPartition, VerificationGuard> guards = runtime.partitions().leading(tp)
                .map(partition -> Map.of(tp, partition.log().producers().startVerification(request.producerId(),
                        RecordBatch.NO_SEQUENCE, request.producerEpoch())))
                .orElse(Map.of());
        return verifier.verify(request.transactionalId(), request.producerId(), request.producerEpoch(), guards)
                .thenApply(verification -> {
                    Optional<Errors> refusal = verification.refusal(tp);
                    if (refusal.isEmpty()) {
                        return verification.guard(tp);
                    }
                    if (TransactionVerifier.Verification.unanswered(refusal.get())) {
                        // The client retries this on the same group coordinator.
                        throw Errors.COORDINATOR_LOAD_IN_PROGRESS.exception("Cannot verify that the transaction of "
                                + "producer " + request.producerId() + " includes " + tp + " yet: "
                                + refusal.get().name());
                    }
                    throw switch (refusal.get()) {
                        // TxnOffsetCommit v4 on knows TRANSACTION_ABORTABLE, which Kafka answers from then on.
                        case INVALID_TXN_STATE -> (version >= FIRST_ABORTABLE_TXN_COMMIT_VERSION
                                ? Errors.TRANSACTION_ABORTABLE : Errors.INVALID_TXN_STATE).exception(
                                "The transaction of producer " + request.producerId() + " does not include " + tp
                                        + ": AddOffsetsToTxn first");
                        default -> refusal.get().exception();
                    };
                });
    }

    /** Kafka's checks of a transactional commit of a classic group. */
    private Errors validateTxnCommit(TxnOffsetCommitRequestData request) {
        ClassicGroup group = runtime.store().group(request.groupId());
        int generation = request.generationId();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (group == null || generation < 0 && memberId.isEmpty()) {
            return group == null && generation >= 0 ? Errors.ILLEGAL_GENERATION : Errors.NONE;
        }
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        try {
            group.validateMember(memberId, request.groupInstanceId());
        } catch (ApiException e) {
            return Errors.forException(e);
        }
        return generation == group.generationId() ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    private CompletableFuture<OffsetCommitResponseData> commit(String groupId, Errors groupError,
                                                               List<OffsetCommitRequestData.OffsetCommitRequestTopic> topics,
                                                               long producerId, short producerEpoch,
                                                               VerificationGuard verified) {
        MetadataImage image = runtime.image();
        int maxMetadata = runtime.config().offsetMetadataMaxBytes();
        long now = runtime.now();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<OffsetCommitResponsePartition> written = new ArrayList<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic topic : topics) {
            OffsetCommitResponseTopic topicResponse = new OffsetCommitResponseTopic().setName(topic.name());
            response.topics().add(topicResponse);
            Optional<TopicImage> topicImage = image.topic(topic.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions()) {
                OffsetCommitResponsePartition partitionResponse = new OffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex());
                topicResponse.partitions().add(partitionResponse);
                Errors error;
                if (!exists(topicImage, partition.partitionIndex())) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (groupError != Errors.NONE) {
                    error = groupError;
                } else if (partition.committedMetadata() != null && partition.committedMetadata().length() > maxMetadata) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                } else {
                    error = Errors.NONE;
                    String metadata = partition.committedMetadata() == null ? "" : partition.committedMetadata();
                    records.add(new CoordinatorRecord(new OffsetKey(groupId, topic.name(), partition.partitionIndex()),
                            new OffsetValue(partition.committedOffset(), partition.committedLeaderEpoch(), metadata, now,
                                    topicImage.get().topicId())));
                    written.add(partitionResponse);
                }
                partitionResponse.setErrorCode(error.code());
            }
        }
        CompletableFuture<Void> stored;
        try {
            stored = runtime.write(groupId, records, producerId, producerEpoch, verified);
        } catch (RuntimeException e) {
            Errors error = commitError(e);
            written.forEach(p -> p.setErrorCode(error.code()));
            return CompletableFuture.completedFuture(response);
        }
        return stored.handle((ignored, error) -> {
            if (error != null) {
                Errors mapped = commitError(error);
                written.forEach(p -> p.setErrorCode(mapped.code()));
            }
            return response;
        });
    }

    /** Kafka's generation and member checks of a commit. */
    private Errors validateCommit(ClientContext client, OffsetCommitRequestData request) {
        ClassicGroup group = runtime.store().group(request.groupId());
        int generation = request.generationIdOrMemberEpoch();
        String memberId = request.memberId() == null ? "" : request.memberId();
        if (group == null) {
            if (generation < 0) {
                // A consumer that does not use group management (or the admin client): a simple group is made.
                return Errors.NONE;
            }
            return client.apiVersion() >= FIRST_GROUP_ID_NOT_FOUND_COMMIT_VERSION
                    ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
        }
        if (group.isInState(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (generation < 0 && group.isInState(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (generation >= 0 || !memberId.isEmpty() || request.groupInstanceId() != null) {
            try {
                group.validateMember(memberId, request.groupInstanceId());
            } catch (ApiException e) {
                return Errors.forException(e);
            }
            if (generation != group.generationId()) {
                return Errors.ILLEGAL_GENERATION;
            }
        } else if (!group.isInState(GroupState.EMPTY)) {
            // No member id and no generation: only an empty group accepts that.
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (group.isInState(GroupState.COMPLETING_REBALANCE)) {
            // A member of the new generation that has not got its assignment yet.
            return Errors.REBALANCE_IN_PROGRESS;
        }
        rebalancer.onCommit(group, memberId);
        return Errors.NONE;
    }

    private static Errors commitError(Throwable error) {
        Errors cause = Errors.forException(error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error);
        return switch (cause) {
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.INVALID_COMMIT_OFFSET_SIZE;
            // A transactional commit the log refused for its producer: the producer must learn it was fenced.
            case INVALID_PRODUCER_EPOCH, PRODUCER_FENCED -> Errors.PRODUCER_FENCED;
            default -> CoordinatorLog.writeError(error);
        };
    }

    // ---- OffsetFetch ----

    /**
     * The committed offsets of a group: of the given partitions ({@code -1} where none is
     * committed), or of every partition with one when {@code topics} is {@code null}. With
     * {@code requireStable} (KIP-447: a read_committed consumer), a partition an open transaction has committed an
     * offset of is answered with the retriable UNSTABLE_OFFSET_COMMIT instead, among all or the given ones.
     */
    OffsetFetchResponseGroup fetch(String groupId, List<OffsetFetchRequestTopics> topics, boolean requireStable) {
        OffsetFetchResponseGroup response = new OffsetFetchResponseGroup().setGroupId(groupId);
        if (groupId == null || groupId.isEmpty()) {
            return response.setErrorCode(Errors.INVALID_GROUP_ID.code());
        }
        ClassicGroup group = runtime.store().group(groupId);
        boolean known = group != null && !group.isInState(GroupState.DEAD);
        MetadataImage image = runtime.image();
        if (topics == null) {
            if (!known) {
                return response;
            }
            Map<String, OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
            runtime.store().offsets(groupId).forEach((tp, offset) -> {
                if (isCurrent(image, tp.topic(), offset)) {
                    byTopic.computeIfAbsent(tp.topic(), name -> new OffsetFetchResponseTopics().setName(name))
                            .partitions().add(requireStable && runtime.store().hasPendingOffset(groupId, tp)
                                    ? unstable(tp.partition()) : partition(tp.partition(), offset));
                }
            });
            response.topics().addAll(byTopic.values());
            return response;
        }
        for (OffsetFetchRequestTopics topic : topics) {
            OffsetFetchResponseTopics topicResponse = new OffsetFetchResponseTopics().setName(topic.name());
            response.topics().add(topicResponse);
            for (int partition : topic.partitionIndexes()) {
                TopicPartition tp = new TopicPartition(topic.name(), partition);
                if (requireStable && runtime.store().hasPendingOffset(groupId, tp)) {
                    topicResponse.partitions().add(unstable(partition));
                    continue;
                }
                OffsetValue offset = known ? runtime.store().offset(groupId, tp) : null;
                topicResponse.partitions().add(offset != null && isCurrent(image, topic.name(), offset)
                        ? partition(partition, offset) : noOffset(partition));
            }
        }
        return response;
    }

    private static OffsetFetchResponsePartitions unstable(int partition) {
        return noOffset(partition).setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code());
    }

    /** An offset counts only for the topic it was committed to, not for a later topic of the same name. */
    static boolean isCurrent(MetadataImage image, String topic, OffsetValue offset) {
        if (Uuid.ZERO_UUID.equals(offset.topicId())) {
            return true;
        }
        return image.topic(topic).map(t -> t.topicId().equals(offset.topicId())).orElse(false);
    }

    private static OffsetFetchResponsePartitions partition(int partition, OffsetValue offset) {
        return new OffsetFetchResponsePartitions()
                .setPartitionIndex(partition)
                .setCommittedOffset(offset.offset())
                .setCommittedLeaderEpoch(offset.leaderEpoch() < 0 ? RecordBatch.NO_PARTITION_LEADER_EPOCH : offset.leaderEpoch())
                .setMetadata(offset.metadata());
    }

    private static OffsetFetchResponsePartitions noOffset(int partition) {
        return new OffsetFetchResponsePartitions()
                .setPartitionIndex(partition)
                .setCommittedOffset(INVALID_OFFSET)
                .setCommittedLeaderEpoch(RecordBatch.NO_PARTITION_LEADER_EPOCH)
                .setMetadata("");
    }

    // ---- OffsetDelete ----

    CompletableFuture<OffsetDeleteResponseData> delete(OffsetDeleteRequestData request) {
        String groupId = request.groupId();
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        if (groupId == null || groupId.isEmpty()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_GROUP_ID.code()));
        }
        ClassicGroup group = runtime.store().group(groupId);
        if (group == null || group.isInState(GroupState.DEAD)) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
        }
        if (!group.isInState(GroupState.EMPTY) && !group.usesConsumerProtocol()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.NON_EMPTY_GROUP.code()));
        }
        MetadataImage image = runtime.image();
        List<CoordinatorRecord> records = new ArrayList<>();
        List<OffsetDeleteResponsePartition> deleted = new ArrayList<>();
        for (OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseTopic topicResponse = new OffsetDeleteResponseTopic().setName(topic.name());
            response.topics().add(topicResponse);
            Optional<TopicImage> topicImage = image.topic(topic.name());
            boolean subscribed = group.isSubscribedToTopic(topic.name());
            for (OffsetDeleteRequestData.OffsetDeleteRequestPartition partition : topic.partitions()) {
                OffsetDeleteResponsePartition partitionResponse = new OffsetDeleteResponsePartition()
                        .setPartitionIndex(partition.partitionIndex());
                topicResponse.partitions().add(partitionResponse);
                if (!exists(topicImage, partition.partitionIndex())) {
                    partitionResponse.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (subscribed) {
                    partitionResponse.setErrorCode(Errors.GROUP_SUBSCRIBED_TO_TOPIC.code());
                } else {
                    OffsetKey key = new OffsetKey(groupId, topic.name(), partition.partitionIndex());
                    if (runtime.store().offset(groupId, new TopicPartition(topic.name(), partition.partitionIndex())) != null) {
                        records.add(CoordinatorRecord.tombstone(key));
                        deleted.add(partitionResponse);
                    }
                }
            }
        }
        CompletableFuture<Void> stored;
        try {
            stored = runtime.write(groupId, records);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new OffsetDeleteResponseData()
                    .setErrorCode(CoordinatorLog.writeError(e).code()));
        }
        return stored.handle((ignored, error) -> error == null ? response
                : new OffsetDeleteResponseData().setErrorCode(CoordinatorLog.writeError(error).code()));
    }

    private static boolean exists(Optional<TopicImage> topic, int partition) {
        return topic.isPresent() && partition >= 0 && partition < topic.get().partitions();
    }
}
