package io.strata.broker.txn;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.log.VerificationGuard;
import io.strata.broker.protocol.RequestForwarder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A partition leader's question to a transaction coordinator before it appends the first transactional batch of a
 * transaction (KIP-890), for a produce or for a TxnOffsetCommit: does the producer's open transaction include these
 * partitions? Asked of this broker's {@link TransactionCoordinator} when it coordinates the transactional id, else
 * with a verify-only AddPartitionsToTxn (v4+) sent to the broker that does. Answers complete on the coordinator's
 * or the forwarder's thread: callers move to their own before they append.
 */
public final class TransactionVerifier {

    private final int nodeId;
    private final Supplier<MetadataImage> image;
    private final Coordinator local;
    private final RequestForwarder forwarder;

    /** This broker's transaction coordinator, as the verifier asks it: {@link TransactionCoordinator#addPartitions}. */
    @FunctionalInterface
    public interface Coordinator {
        CompletableFuture<Map<TopicPartition, Errors>> verify(String transactionalId, long producerId,
                                                              short producerEpoch, Set<TopicPartition> partitions);
    }

    /**
     * @param local this broker's coordinator, asked only once requests are served: the group coordinator, which
     *              verifies TxnOffsetCommit, is built before the transaction coordinator, whose markers it follows
     */
    public TransactionVerifier(int nodeId, Supplier<MetadataImage> image, Coordinator local,
                               RequestForwarder forwarder) {
        this.nodeId = nodeId;
        this.image = image;
        this.local = local;
        this.forwarder = forwarder;
    }

    /**
     * What a verification found: the guard each partition's append carries, and the partitions the coordinator did
     * not confirm, with its answer.
     */
    public record Verification(Map<TopicPartition, VerificationGuard> guards, Map<TopicPartition, Errors> refused) {

        /** {@link VerificationGuard#NONE} for a partition that needed no verification or was not asked about. */
        public VerificationGuard guard(TopicPartition tp) {
            return guards.getOrDefault(tp, VerificationGuard.NONE);
        }

        public Optional<Errors> refusal(TopicPartition tp) {
            return Optional.ofNullable(refused.get(tp));
        }

        /**
         * Whether {@code refusal} says the coordinator could not answer yet (it is moving, loading, busy ending the
         * transaction, or out of reach), rather than that the transaction does not include the partition: the
         * producer should try again.
         */
        public static boolean unanswered(Errors refusal) {
            return switch (refusal) {
                case CONCURRENT_TRANSACTIONS, NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS,
                     COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR -> true;
                default -> false;
            };
        }
    }

    /**
     * Asks the coordinator of {@code transactionalId} about each partition of {@code guards} (this broker leads them;
     * each guard from {@link io.strata.broker.log.LogProducers#startVerification}) whose guard is not
     * {@link VerificationGuard#NONE}, that is where the producer's transaction is not open yet. A partition is
     * refused with INVALID_TXN_STATE if the open transaction of the producer at {@code producerEpoch} does not
     * include it, with the producer's refusal (PRODUCER_FENCED, INVALID_PRODUCER_ID_MAPPING...), or with an error
     * that {@link Verification#unanswered} recognises when the coordinator could not answer yet.
     */
    public CompletableFuture<Verification> verify(String transactionalId, long producerId, short producerEpoch,
                                                  Map<TopicPartition, VerificationGuard> guards) {
        Set<TopicPartition> unverified = new HashSet<>();
        guards.forEach((tp, guard) -> {
            if (guard != VerificationGuard.NONE) {
                unverified.add(tp);
            }
        });
        if (unverified.isEmpty()) {
            return CompletableFuture.completedFuture(new Verification(guards, Map.of()));
        }
        return ask(transactionalId, producerId, producerEpoch, unverified).thenApply(answered -> {
            Map<TopicPartition, Errors> refused = new HashMap<>();
            answered.forEach((tp, error) -> {
                if (error != Errors.NONE) {
                    refused.put(tp, error);
                }
            });
            return new Verification(guards, refused);
        });
    }

    /** The coordinator's answer for each of {@code partitions}. */
    private CompletableFuture<Map<TopicPartition, Errors>> ask(String transactionalId, long producerId,
                                                               short producerEpoch, Set<TopicPartition> partitions) {
        MetadataImage current = image.get();
        Optional<TopicImage> stateTopic = current.topic(Topic.TRANSACTION_STATE_TOPIC_NAME);
        if (stateTopic.isEmpty()) {
            // No transaction was ever opened in this cluster, so none includes these partitions.
            return CompletableFuture.completedFuture(
                    TransactionCoordinator.sameError(partitions, Errors.INVALID_TXN_STATE));
        }
        int leaderId = stateTopic.get().partition(TransactionCoordinator.partitionFor(transactionalId,
                stateTopic.get().partitions())).leader();
        Optional<BrokerImage> leader = current.liveBroker(leaderId);
        if (leader.isEmpty()) {
            return CompletableFuture.completedFuture(
                    TransactionCoordinator.sameError(partitions, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        if (leaderId == nodeId) {
            return local.verify(transactionalId, producerId, producerEpoch, partitions);
        }
        return forwarder.send(leader.get(),
                        AddPartitionsToTxnRequest.Builder.forBroker(request(transactionalId, producerId,
                                producerEpoch, partitions)), ApiKeys.ADD_PARTITIONS_TO_TXN.latestVersion())
                .thenApply(response -> errors((AddPartitionsToTxnResponse) response, transactionalId, partitions))
                .exceptionally(failure -> TransactionCoordinator.sameError(partitions, Errors.NETWORK_EXCEPTION));
    }

    private static AddPartitionsToTxnTransactionCollection request(String transactionalId, long producerId,
                                                                   short producerEpoch,
                                                                   Set<TopicPartition> partitions) {
        Map<String, List<Integer>> byTopic = new HashMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), topic -> new ArrayList<>()).add(tp.partition()));
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        byTopic.forEach((topic, indexes) -> topics.add(new AddPartitionsToTxnTopic().setName(topic)
                .setPartitions(indexes)));
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction()
                .setTransactionalId(transactionalId)
                .setProducerId(producerId)
                .setProducerEpoch(producerEpoch)
                .setVerifyOnly(true)
                .setTopics(topics));
        return transactions;
    }

    /** The answer for each partition; a request refused as a whole answers every partition with its error. */
    private static Map<TopicPartition, Errors> errors(AddPartitionsToTxnResponse response, String transactionalId,
                                                      Set<TopicPartition> partitions) {
        Errors whole = Errors.forCode(response.data().errorCode());
        if (whole != Errors.NONE) {
            return TransactionCoordinator.sameError(partitions, whole);
        }
        Map<TopicPartition, Errors> answered = response.errors().getOrDefault(transactionalId, Map.of());
        Map<TopicPartition, Errors> errors = new HashMap<>();
        // A partition the answer leaves out is one the coordinator did not confirm.
        partitions.forEach(tp -> errors.put(tp, answered.getOrDefault(tp, Errors.INVALID_TXN_STATE)));
        return errors;
    }
}
