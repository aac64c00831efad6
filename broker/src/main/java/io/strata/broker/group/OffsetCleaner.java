package io.strata.broker.group;

import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.group.GroupRecords.CoordinatorRecord;
import io.strata.broker.group.GroupRecords.GroupKey;
import io.strata.broker.group.GroupRecords.OffsetKey;
import io.strata.broker.group.GroupRecords.OffsetValue;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Removes the committed offsets that no longer count, and then every group left Empty without
 * offsets, as Kafka's group metadata clean-up does. Each removal is a tombstone written through
 * {@link CoordinatorRuntime#write}, the path of every other change, so a restart replays the same
 * outcome. Coordinator thread only.
 *
 * <p>Offsets no longer count when:
 * <ul>
 *   <li>their topic is gone, or was re-created under the same name (a different topic id);</li>
 *   <li>they expired (KIP-211, {@code offsets.retention.minutes}). For a group without a protocol
 *   (a standalone consumer that only stores offsets), an offset expires once the retention has
 *   passed since its commit. For an Empty group with a protocol, once it has passed both since its
 *   commit and since the group became Empty. Offsets of a group with members never expire here:
 *   Kafka's rule for those (offsets of topics the group no longer subscribes to) is not applied, and
 *   neither is the explicit retention time of OffsetCommit v2-v4, which the records do not runtime.store().</li>
 * </ul>
 */
record OffsetCleaner(CoordinatorRuntime runtime, Rebalancer rebalancer) {

    private static final Logger LOG = Logger.getLogger(OffsetCleaner.class);
    private static final String TIMER = "offset-expiry";

    /** Removes the offsets of topics that are not in {@code image}, and the empty groups left without offsets. */
    void removeOffsetsOfDeletedTopics(MetadataImage image) {
        cleanUp("deleted topics", (group, tp, offset) -> !OffsetManager.isCurrent(image, tp.topic(), offset));
    }

    /**
     * Removes expired offsets now and then every {@code offsets.retention.check.interval.ms}, as Kafka
     * schedules its first pass at once: a broker restarted more often than the interval still expires
     * offsets. A pass that fails is logged and the next one still runs.
     */
    void expireNowAndSchedule() {
        try {
            expireOffsets();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Expiring committed offsets failed; the next pass is in %d ms",
                    runtime.config().offsetsRetentionCheckIntervalMs());
        } finally {
            runtime.schedule(TIMER, runtime.config().offsetsRetentionCheckIntervalMs(), this::expireNowAndSchedule);
        }
    }

    void expireOffsets() {
        long now = runtime.now();
        long retentionMs = runtime.config().offsetsRetentionMs();
        cleanUp("expiry", (group, tp, offset) -> isExpired(group, offset, now, retentionMs));
    }

    private static boolean isExpired(ClassicGroup group, OffsetValue offset, long now, long retentionMs) {
        if (group.protocolType() == null) {
            return now - offset.commitTimestamp() >= retentionMs;
        }
        if (!group.isInState(GroupState.EMPTY)) {
            return false;
        }
        return now - Math.max(offset.commitTimestamp(), group.stateTimestamp()) >= retentionMs;
    }

    private void cleanUp(String reason, Removable removable) {
        for (ClassicGroup group : List.copyOf(runtime.store().groups())) {
            if (group.isInState(GroupState.DEAD)) {
                continue;
            }
            String groupId = group.groupId();
            Map<TopicPartition, OffsetValue> offsets = runtime.store().offsets(groupId);
            List<CoordinatorRecord> tombstones = new ArrayList<>();
            offsets.forEach((tp, offset) -> {
                if (removable.test(group, tp, offset)) {
                    tombstones.add(CoordinatorRecord.tombstone(new OffsetKey(groupId, tp.topic(), tp.partition())));
                }
            });
            int removedOffsets = tombstones.size();
            boolean removeGroup = group.isInState(GroupState.EMPTY) && removedOffsets == offsets.size();
            if (removeGroup) {
                tombstones.add(CoordinatorRecord.tombstone(new GroupKey(groupId)));
            }
            if (tombstones.isEmpty()) {
                continue;
            }
            try {
                runtime.write(groupId, tombstones);
            } catch (RuntimeException e) {
                LOG.warnf("Removing %d committed offset(s) of group %s (%s) failed; the next clean-up tries again: %s",
                        removedOffsets, groupId, reason, e.getMessage());
                continue;
            }
            if (removedOffsets > 0) {
                LOG.infof("Removed %d committed offset(s) of group %s (%s)", removedOffsets, groupId, reason);
            }
            if (removeGroup) {
                rebalancer.onDeleted(group);
                LOG.infof("Removed group %s: it is Empty and has no committed offsets left", groupId);
            }
        }
    }

    /** Whether an offset of a group no longer counts. */
    @FunctionalInterface
    private interface Removable {
        boolean test(ClassicGroup group, TopicPartition tp, OffsetValue offset);
    }
}
