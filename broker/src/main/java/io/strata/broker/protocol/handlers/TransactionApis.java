package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.CoordinatorAuthorization.Split;
import io.strata.broker.txn.ProducerIdManager;
import io.strata.broker.txn.TransactionCoordinator;
import io.strata.broker.txn.TransactionMetadata;
import io.strata.broker.txn.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.ifAllowed;
import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.ifAllowedOnCluster;
import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.split;
import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.visible;
import static io.strata.broker.security.Authorizer.denied;
import static org.apache.kafka.common.acl.AclOperation.CLUSTER_ACTION;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

/**
 * The transaction APIs the transaction coordinator answers, and InitProducerId, which also hands idempotent
 * producers their id: the request, the authorization Kafka requires, the coordinator call and what the version
 * changes in the response.
 *
 * <p>Served as Kafka serves clients without transaction version 2 (KIP-890 part 2, whose feature this broker
 * does not advertise): EndTxn up to v4 and InitProducerId up to v5 (v6 is two-phase commit, KIP-939). Versions
 * older than the PRODUCER_FENCED error get INVALID_PRODUCER_EPOCH instead, as Kafka answers them.
 */
public record TransactionApis(TransactionCoordinator coordinator, ProducerIdManager producerIds,
                              Supplier<MetadataImage> image, int offsetsTopicPartitions) {

    static final short INIT_PRODUCER_ID_MAX_VERSION = 5;
    static final short END_TXN_MAX_VERSION = 4;
    /** The first versions of InitProducerId, and then the other transaction APIs, that know PRODUCER_FENCED. */
    private static final short FIRST_FENCED_INIT_VERSION = 4;
    private static final short FIRST_FENCED_VERSION = 2;
    private static final short FIRST_BATCHED_ADD_PARTITIONS_VERSION = 4;

    /** A handler for each API, in the order of their API keys. */
    public List<ApiHandler<?>> handlers() {
        return List.of(
                ApiHandler.<InitProducerIdRequest>of(ApiKeys.INIT_PRODUCER_ID, INIT_PRODUCER_ID_MAX_VERSION,
                        this::initProducerId),
                ApiHandler.<AddPartitionsToTxnRequest>of(ApiKeys.ADD_PARTITIONS_TO_TXN, this::addPartitions),
                ApiHandler.<AddOffsetsToTxnRequest>of(ApiKeys.ADD_OFFSETS_TO_TXN, this::addOffsets),
                ApiHandler.<EndTxnRequest>of(ApiKeys.END_TXN, END_TXN_MAX_VERSION, this::endTransaction),
                ApiHandler.<DescribeTransactionsRequest>of(ApiKeys.DESCRIBE_TRANSACTIONS, this::describe),
                ApiHandler.<ListTransactionsRequest>of(ApiKeys.LIST_TRANSACTIONS, this::list));
    }

    /**
     * InitProducerId: a fresh id at epoch 0 for an idempotent producer, the coordinator's answer for a transactional
     * one. A transactional producer needs WRITE on its transactional id. An idempotent one needs IDEMPOTENT_WRITE on
     * the cluster or, as Kafka accepts since KIP-679 made idempotence the default, WRITE on some topic.
     */
    private CompletionStage<InitProducerIdResponseData> initProducerId(RequestContext context,
                                                                      InitProducerIdRequest request) {
        String transactionalId = request.data().transactionalId();
        if (transactionalId == null) {
            if (!context.allowedOnAny(WRITE, TOPIC) && !context.allowedOnCluster(IDEMPOTENT_WRITE)) {
                return CompletableFuture.failedFuture(denied(CLUSTER).exception());
            }
            return producerIds.nextProducerId().thenApply(id -> new InitProducerIdResponseData()
                    .setProducerId(id)
                    .setProducerEpoch((short) 0));
        }
        return ifAllowed(context, WRITE, TRANSACTIONAL_ID, transactionalId,
                () -> initTransactionalProducerId(transactionalId, request, context.apiVersion()));
    }

    private CompletionStage<InitProducerIdResponseData> initTransactionalProducerId(String transactionalId,
                                                                                   InitProducerIdRequest request,
                                                                                   short version) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(new InitProducerIdResponseData()
                    .setErrorCode(Errors.INVALID_REQUEST.code())
                    .setProducerId(RecordBatch.NO_PRODUCER_ID)
                    .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH));
        }
        return coordinator.initProducerId(transactionalId, request.data().transactionTimeoutMs(),
                        request.data().producerId(), request.data().producerEpoch())
                .thenApply(answer -> new InitProducerIdResponseData()
                        .setErrorCode(fenced(answer.error(), version, FIRST_FENCED_INIT_VERSION).code())
                        .setProducerId(answer.producerId())
                        .setProducerEpoch(answer.producerEpoch()));
    }

    /**
     * AddPartitionsToTxn: one producer's partitions up to v3; from v4 (sent by partition leaders) a batch of
     * transactions, each of which may only be verified. A partition this broker does not know fails the request's
     * transaction with UNKNOWN_TOPIC_OR_PARTITION, and the others with OPERATION_NOT_ATTEMPTED.
     *
     * <p>A producer needs WRITE on its transactional id (else every partition fails with
     * TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and on each partition's topic (else the partition fails with
     * TOPIC_AUTHORIZATION_FAILED and the others with OPERATION_NOT_ATTEMPTED); an internal topic is never added
     * this way. The batched versions come from brokers, which need CLUSTER_ACTION on the cluster.
     */
    private CompletionStage<AddPartitionsToTxnResponseData> addPartitions(RequestContext context,
                                                                          AddPartitionsToTxnRequest request) {
        short version = context.apiVersion();
        if (version < FIRST_BATCHED_ADD_PARTITIONS_VERSION) {
            var data = request.data();
            return addPartitions(context, data.v3AndBelowTransactionalId(), data.v3AndBelowProducerId(),
                    data.v3AndBelowProducerEpoch(), AddPartitionsToTxnRequest.getPartitions(data.v3AndBelowTopics()),
                    false, version)
                    .thenApply(result -> new AddPartitionsToTxnResponseData()
                            .setResultsByTopicV3AndBelow(result.topicResults()));
        }
        return ifAllowedOnCluster(context, CLUSTER_ACTION, () -> {
            List<CompletableFuture<AddPartitionsToTxnResult>> results = new ArrayList<>();
            for (AddPartitionsToTxnTransaction txn : request.data().transactions()) {
                results.add(addPartitions(context, txn.transactionalId(), txn.producerId(), txn.producerEpoch(),
                        AddPartitionsToTxnRequest.getPartitions(txn.topics()), txn.verifyOnly(), version));
            }
            return Futures.all(results).thenApply(done -> {
                AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
                response.resultsByTransaction().addAll(done);
                return response;
            });
        });
    }

    private CompletableFuture<AddPartitionsToTxnResult> addPartitions(RequestContext context, String transactionalId,
                                                                      long producerId, short producerEpoch,
                                                                      List<TopicPartition> added, boolean verifyOnly,
                                                                      short version) {
        // The batched versions come from brokers, authorized for the cluster as a whole.
        boolean fromProducer = version < FIRST_BATCHED_ADD_PARTITIONS_VERSION;
        String resultId = fromProducer ? AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID : transactionalId;
        Map<TopicPartition, Errors> refused = new HashMap<>();
        if (fromProducer && !context.allowed(WRITE, TRANSACTIONAL_ID, transactionalId)) {
            added.forEach(tp -> refused.put(tp, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
            return CompletableFuture.completedFuture(AddPartitionsToTxnResponse.resultForTransaction(resultId, refused));
        }
        Predicate<String> writable = fromProducer ? writableTopics(context, added)::contains : topic -> true;
        MetadataImage current = image.get();
        for (TopicPartition tp : added) {
            Optional<TopicImage> topic = current.topic(tp.topic());
            if (!writable.test(tp.topic())) {
                refused.put(tp, Errors.TOPIC_AUTHORIZATION_FAILED);
            } else if (topic.isEmpty() || tp.partition() < 0 || tp.partition() >= topic.get().partitions()) {
                refused.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
            }
        }
        if (!refused.isEmpty()) {
            added.forEach(tp -> refused.putIfAbsent(tp, Errors.OPERATION_NOT_ATTEMPTED));
            return CompletableFuture.completedFuture(AddPartitionsToTxnResponse.resultForTransaction(resultId, refused));
        }
        return coordinator.addPartitions(transactionalId, producerId, producerEpoch, new HashSet<>(added), verifyOnly)
                .thenApply(errors -> {
                    errors.replaceAll((tp, error) -> fenced(error, version, FIRST_FENCED_VERSION));
                    return AddPartitionsToTxnResponse.resultForTransaction(resultId, errors);
                });
    }

    /**
     * The topics of {@code partitions} the producer may write to; never an internal one, whose partitions only
     * AddOffsetsToTxn adds.
     */
    private static Set<String> writableTopics(RequestContext context, List<TopicPartition> partitions) {
        List<String> topics = partitions.stream().map(TopicPartition::topic).distinct()
                .filter(topic -> !Topic.isInternal(topic)).toList();
        return new HashSet<>(split(context, WRITE, TOPIC, topics, Function.identity()).allowed());
    }

    /**
     * AddOffsetsToTxn: adds the group's partition of {@code __consumer_offsets} to the transaction; the producer
     * needs WRITE on its transactional id and READ on the group.
     */
    private CompletionStage<AddOffsetsToTxnResponseData> addOffsets(RequestContext context,
                                                                    AddOffsetsToTxnRequest request) {
        var data = request.data();
        // Before the group's coordinator created the topic, the count it will create it with, as Kafka maps it.
        int partitionCount = image.get().topic(Topic.GROUP_METADATA_TOPIC_NAME).map(TopicImage::partitions)
                .orElse(offsetsTopicPartitions);
        TopicPartition tp = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME,
                GroupCoordinator.partitionFor(data.groupId(), partitionCount));
        return ifAllowed(context, WRITE, TRANSACTIONAL_ID, data.transactionalId(), () ->
                ifAllowed(context, READ, GROUP, data.groupId(), () ->
                        coordinator.addPartitions(data.transactionalId(), data.producerId(), data.producerEpoch(),
                                        Set.of(tp), false)
                                .thenApply(errors -> new AddOffsetsToTxnResponseData().setErrorCode(
                                        fenced(errors.get(tp), context.apiVersion(), FIRST_FENCED_VERSION).code()))));
    }

    /** EndTxn: the producer needs WRITE on its transactional id. */
    private CompletionStage<EndTxnResponseData> endTransaction(RequestContext context, EndTxnRequest request) {
        var data = request.data();
        return ifAllowed(context, WRITE, TRANSACTIONAL_ID, data.transactionalId(), () ->
                coordinator.endTransaction(data.transactionalId(), data.producerId(), data.producerEpoch(),
                                data.committed())
                        .thenApply(error -> new EndTxnResponseData()
                                .setErrorCode(fenced(error, context.apiVersion(), FIRST_FENCED_VERSION).code())));
    }

    /**
     * DescribeTransactions: an id the client may not DESCRIBE is answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
     * and of the others only the partitions of topics it may DESCRIBE are listed.
     */
    private CompletionStage<DescribeTransactionsResponseData> describe(RequestContext context,
                                                                       DescribeTransactionsRequest request) {
        Split<String> ids = split(context, DESCRIBE, TRANSACTIONAL_ID,
                request.data().transactionalIds(), Function.identity());
        return coordinator.describe(ids.allowed()).thenApply(found -> {
            List<TransactionCoordinator.Described> described = new ArrayList<>(found);
            ids.denied().forEach(id -> described.add(new TransactionCoordinator.Described(id,
                    Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, null)));
            DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
            for (TransactionCoordinator.Described entry : described) {
                var state = new DescribeTransactionsResponseData.TransactionState()
                        .setTransactionalId(entry.transactionalId())
                        .setErrorCode(entry.error().code());
                TransactionMetadata txn = entry.transaction();
                if (txn != null) {
                    state.setTransactionState(txn.state().displayName())
                            .setTransactionTimeoutMs(txn.timeoutMs())
                            .setTransactionStartTimeMs(txn.startTimestamp())
                            .setProducerId(txn.producerId())
                            .setProducerEpoch(txn.producerEpoch());
                    Map<String, List<Integer>> byTopic = new HashMap<>();
                    txn.partitions().forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>())
                            .add(tp.partition()));
                    visible(context, DESCRIBE, TOPIC, byTopic.keySet(), Function.identity())
                            .forEach(topic -> state.topics().add(new TopicData()
                                    .setTopic(topic).setPartitions(byTopic.get(topic))));
                } else {
                    state.setTransactionState("").setProducerId(RecordBatch.NO_PRODUCER_ID)
                            .setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH).setTransactionStartTimeMs(-1);
                }
                response.transactionStates().add(state);
            }
            return response;
        });
    }

    /**
     * ListTransactions: the transactions this broker coordinates whose id the client may DESCRIBE; unknown state
     * names are listed back.
     */
    private CompletionStage<ListTransactionsResponseData> list(RequestContext context, ListTransactionsRequest request) {
        ListTransactionsRequestData data = request.data();
        ListTransactionsResponseData response = new ListTransactionsResponseData();
        Set<TransactionState> states = new HashSet<>();
        for (String name : data.stateFilters()) {
            TransactionState.ofName(name).ifPresentOrElse(states::add, () -> response.unknownStateFilters().add(name));
        }
        if (!response.unknownStateFilters().isEmpty() && states.isEmpty()) {
            // Filtering only by states none of which exists matches nothing.
            return CompletableFuture.completedFuture(response);
        }
        Pattern pattern;
        try {
            pattern = data.transactionalIdPattern() == null || data.transactionalIdPattern().isEmpty()
                    ? null : Pattern.compile(data.transactionalIdPattern());
        } catch (PatternSyntaxException e) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.INVALID_REGULAR_EXPRESSION.code()));
        }
        return coordinator.list(states, new HashSet<>(data.producerIdFilters()), data.durationFilter(), pattern)
                .thenApply(transactions -> {
                    visible(context, DESCRIBE, TRANSACTIONAL_ID, transactions,
                            TransactionMetadata::transactionalId).forEach(txn -> response.transactionStates().add(
                            new ListTransactionsResponseData.TransactionState()
                                    .setTransactionalId(txn.transactionalId())
                                    .setProducerId(txn.producerId())
                                    .setTransactionState(txn.state().displayName())));
                    return response;
                });
    }

    /** PRODUCER_FENCED as versions before {@code firstFencedVersion} know it: INVALID_PRODUCER_EPOCH. */
    private static Errors fenced(Errors error, short version, short firstFencedVersion) {
        return error == Errors.PRODUCER_FENCED && version < firstFencedVersion ? Errors.INVALID_PRODUCER_EPOCH : error;
    }
}
