package io.strata.broker.group;

import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.GroupKey;
import io.strata.broker.group.GroupRecords.GroupValue;
import io.strata.broker.group.GroupRecords.OffsetKey;
import io.strata.broker.group.GroupRecords.OffsetValue;
import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The groups and committed offsets the coordinator holds, built only by replaying records: at start-up
 * from the records of {@code __consumer_offsets}, and afterwards from each record the coordinator
 * has just appended there. Offsets committed within a transaction (TxnOffsetCommit) are held apart, by
 * producer id, until the transaction's marker commits them into the committed offsets or aborts them.
 * Confined to the coordinator thread.
 */
final class GroupStore {

    private final Map<String, ClassicGroup> groups = new HashMap<>();
    private final Map<String, Map<TopicPartition, OffsetValue>> offsets = new HashMap<>();
    /** Offsets of open transactions: producer id, then group, then partition. */
    private final Map<Long, Map<String, Map<TopicPartition, OffsetValue>>> pendingOffsets = new HashMap<>();
    private final LongSupplier clock;

    GroupStore(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Applies one record. An offset commit for a group that does not exist creates it as an empty
     * group without a protocol (a "simple" group, as Kafka does for consumers that only commit).
     */
    void replay(CoordinatorRecord record) {
        long now = clock.getAsLong();
        if (record.key() instanceof OffsetKey key) {
            TopicPartition tp = new TopicPartition(key.topic(), key.partition());
            // A later commit or deletion outranks an open transaction's earlier offset, as the later record wins.
            dropPending(key.groupId(), pending -> pending.remove(tp));
            applyOffset(key.groupId(), tp, (OffsetValue) record.value(), now);
        } else if (record.key() instanceof GroupKey key) {
            if (record.value() == null) {
                dropPending(key.groupId(), Map::clear);
                ClassicGroup removed = groups.remove(key.groupId());
                if (removed != null) {
                    removed.markDead(now);
                }
            } else {
                groups.computeIfAbsent(key.groupId(), id -> new ClassicGroup(id, now))
                        .apply((GroupValue) record.value(), now);
            }
        }
    }

    /** Commits {@code value} as the group's offset of {@code tp}; a null value deletes it. */
    private void applyOffset(String groupId, TopicPartition tp, OffsetValue value, long now) {
        if (value == null) {
            Map<TopicPartition, OffsetValue> groupOffsets = offsets.get(groupId);
            if (groupOffsets != null) {
                groupOffsets.remove(tp);
                if (groupOffsets.isEmpty()) {
                    offsets.remove(groupId);
                }
            }
        } else {
            groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, now));
            offsets.computeIfAbsent(groupId, id -> new HashMap<>()).put(tp, value);
        }
    }

    /** Applies {@code change} to the pending offsets of {@code groupId} of every open transaction. */
    private void dropPending(String groupId, Consumer<Map<TopicPartition, OffsetValue>> change) {
        pendingOffsets.values().forEach(byGroup -> {
            Map<TopicPartition, OffsetValue> pending = byGroup.get(groupId);
            if (pending != null) {
                change.accept(pending);
                if (pending.isEmpty()) {
                    byGroup.remove(groupId);
                }
            }
        });
        pendingOffsets.values().removeIf(Map::isEmpty);
    }

    /** Applies an offset record written within producer {@code producerId}'s transaction: pending until it ends. */
    void replayTransactional(long producerId, CoordinatorRecord record) {
        if (record.key() instanceof OffsetKey key && record.value() instanceof OffsetValue value) {
            pendingOffsets.computeIfAbsent(producerId, id -> new HashMap<>())
                    .computeIfAbsent(key.groupId(), id -> new HashMap<>())
                    .put(new TopicPartition(key.topic(), key.partition()), value);
        }
    }

    /**
     * Ends producer {@code producerId}'s transaction for the groups {@code inPartition} says are in the partition
     * whose marker this is: on commit its offsets become the committed ones, on abort they are dropped.
     */
    void completeTransaction(long producerId, boolean commit, Predicate<String> inPartition) {
        Map<String, Map<TopicPartition, OffsetValue>> byGroup = pendingOffsets.get(producerId);
        if (byGroup == null) {
            return;
        }
        long now = clock.getAsLong();
        byGroup.entrySet().removeIf(entry -> {
            if (!inPartition.test(entry.getKey())) {
                return false;
            }
            if (commit) {
                entry.getValue().forEach((tp, value) -> applyOffset(entry.getKey(), tp, value, now));
            }
            return true;
        });
        if (byGroup.isEmpty()) {
            pendingOffsets.remove(producerId);
        }
    }

    /** Whether an open transaction has an offset of {@code tp} for the group (OffsetFetch's requireStable). */
    boolean hasPendingOffset(String groupId, TopicPartition tp) {
        return pendingOffsets.values().stream()
                .anyMatch(byGroup -> byGroup.getOrDefault(groupId, Map.of()).containsKey(tp));
    }

    /**
     * Removes the groups and offsets {@code inPartition} says belong to a partition this broker stopped
     * leading, and returns the groups removed.
     */
    List<ClassicGroup> unload(Predicate<String> inPartition) {
        List<ClassicGroup> removed = new ArrayList<>();
        groups.values().removeIf(group -> inPartition.test(group.groupId()) && removed.add(group));
        offsets.keySet().removeIf(inPartition);
        pendingOffsets.values().forEach(byGroup -> byGroup.keySet().removeIf(inPartition));
        pendingOffsets.values().removeIf(Map::isEmpty);
        return removed;
    }

    /** The group, or {@code null}. */
    ClassicGroup group(String groupId) {
        return groups.get(groupId);
    }

    Collection<ClassicGroup> groups() {
        return groups.values();
    }

    /** The committed offset, or {@code null}. */
    OffsetValue offset(String groupId, TopicPartition tp) {
        Map<TopicPartition, OffsetValue> groupOffsets = offsets.get(groupId);
        return groupOffsets == null ? null : groupOffsets.get(tp);
    }

    /** The group's committed offsets ordered by topic and partition; empty if none. */
    Map<TopicPartition, OffsetValue> offsets(String groupId) {
        Map<TopicPartition, OffsetValue> sorted = new TreeMap<>(
                java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        sorted.putAll(offsets.getOrDefault(groupId, Map.of()));
        return sorted;
    }

    /** Every group id with committed offsets, with them. */
    Map<String, Map<TopicPartition, OffsetValue>> allOffsets() {
        return offsets;
    }

    int offsetCount() {
        return offsets.values().stream().mapToInt(Map::size).sum();
    }
}
