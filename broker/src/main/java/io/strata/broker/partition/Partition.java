package io.strata.broker.partition;

import io.strata.broker.log.AppendResult;
import io.strata.broker.log.PartitionLog;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A partition this broker leads: its log, its leader epoch, and the fetches waiting for its next
 * append. Thread-safe: the log serialises appends, waiters are a concurrent set.
 */
public final class Partition {

    /** A single node is the only leader a partition ever has, so its epoch never moves. */
    public static final int LEADER_EPOCH = 0;

    private final Uuid topicId;
    private final TopicPartition topicPartition;
    private final PartitionLog log;
    private final Set<Runnable> appendWaiters = ConcurrentHashMap.newKeySet();

    Partition(Uuid topicId, TopicPartition topicPartition, PartitionLog log) {
        this.topicId = topicId;
        this.topicPartition = topicPartition;
        this.log = log;
    }

    public Uuid topicId() {
        return topicId;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public PartitionLog log() {
        return log;
    }

    public int leaderEpoch() {
        return LEADER_EPOCH;
    }

    /**
     * Checks the leader epoch a client believes current: -1 skips the check, an older one is
     * fenced, a newer one is not known here yet.
     */
    public Errors checkLeaderEpoch(int currentLeaderEpoch) {
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == LEADER_EPOCH) {
            return Errors.NONE;
        }
        return currentLeaderEpoch < LEADER_EPOCH ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    /** Appends and wakes the fetches waiting for new records. */
    public AppendResult append(MemoryRecords records) {
        AppendResult result = log.append(records, LEADER_EPOCH);
        if (!result.duplicate()) {
            for (Runnable waiter : appendWaiters) {
                waiter.run();
            }
        }
        return result;
    }

    /** Runs {@code waiter} after each later append until {@link #removeAppendWaiter} is called. */
    public void addAppendWaiter(Runnable waiter) {
        appendWaiters.add(waiter);
    }

    public void removeAppendWaiter(Runnable waiter) {
        appendWaiters.remove(waiter);
    }
}
