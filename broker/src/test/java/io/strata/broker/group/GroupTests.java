package io.strata.broker.group;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Settings and helpers shared by the group tests. */
final class GroupTests {

    static final int SESSION_TIMEOUT_MS = 6000;

    private GroupTests() {
    }

    /** A consumer of a group with short timeouts and no auto-commit: tests commit after processing. */
    static Map<String, Object> consumerProps(String clientId, String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        props.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        return props;
    }

    /**
     * The members' assignments by client id when the group is Stable and every member has one
     * reported, else {@code null}.
     */
    static Map<String, Set<TopicPartition>> stableAssignments(Admin admin, String groupId) throws Exception {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(groupId))
                .describedGroups().get(groupId).get();
        if (description.groupState() != GroupState.STABLE) {
            return null;
        }
        Map<String, Set<TopicPartition>> result = new HashMap<>();
        for (MemberDescription member : description.members()) {
            result.put(member.clientId(), Set.copyOf(member.assignment().topicPartitions()));
        }
        return result;
    }

    /** Whether the assignments are disjoint and together cover exactly {@code partitions}. */
    static boolean isFullAndDisjoint(Iterable<Set<TopicPartition>> assignments, Set<TopicPartition> partitions) {
        Set<TopicPartition> seen = new HashSet<>();
        for (Set<TopicPartition> assignment : assignments) {
            for (TopicPartition tp : assignment) {
                if (!seen.add(tp)) {
                    return false;
                }
            }
        }
        return seen.equals(partitions);
    }

    static Set<TopicPartition> partitions(String topic, int count) {
        Set<TopicPartition> result = new HashSet<>();
        for (int p = 0; p < count; p++) {
            result.add(new TopicPartition(topic, p));
        }
        return result;
    }
}
