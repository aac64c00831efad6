package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.CoordinatorAuthorization.Split;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.split;
import static io.strata.broker.protocol.handlers.CoordinatorAuthorization.visible;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;

/**
 * OffsetFetch v1-9: one group before v8, several from v8; a null topic list (v2+) asks for every
 * committed offset of the group. With {@code requireStable} (v7+) a partition with an offset committed by an open
 * transaction is answered UNSTABLE_OFFSET_COMMIT, which the consumer retries. Version 10 (topic ids) is unstable in kafka-clients 4.1 and not advertised.
 */
record OffsetFetchHandler(GroupCoordinator coordinator) {

    static final short MAX_VERSION = 9;
    private static final short FIRST_TOP_LEVEL_ERROR_VERSION = 2;

    CompletionStage<OffsetFetchResponseData> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.apiVersion();
        OffsetFetchRequestData data = request.data();
        if (version >= OffsetFetchRequest.BATCH_MIN_VERSION) {
            List<CompletableFuture<OffsetFetchResponseGroup>> groups = new ArrayList<>();
            for (OffsetFetchRequestGroup group : data.groups()) {
                groups.add(fetch(context, group.groupId(), group.topics(), data.requireStable()));
            }
            return Futures.all(groups).thenApply(done -> {
                OffsetFetchResponseData response = new OffsetFetchResponseData();
                response.groups().addAll(done);
                return response;
            });
        }
        List<OffsetFetchRequestTopics> topics = null;
        if (data.topics() != null) {
            topics = new ArrayList<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopic topic : data.topics()) {
                topics.add(new OffsetFetchRequestTopics().setName(topic.name()).setPartitionIndexes(topic.partitionIndexes()));
            }
        }
        List<OffsetFetchRequestTopics> requested = topics;
        return fetch(context, data.groupId(), topics, data.requireStable())
                .thenApply(group -> singleGroup(group, requested, version));
    }

    /**
     * One group's offsets as the client may see them: none without DESCRIBE on the group
     * (GROUP_AUTHORIZATION_FAILED), and none of a topic it may not DESCRIBE: a requested one is answered
     * TOPIC_AUTHORIZATION_FAILED for each of its partitions, and all the group's offsets ({@code topics == null})
     * leave it out.
     */
    private CompletableFuture<OffsetFetchResponseGroup> fetch(RequestContext context, String groupId,
                                                              List<OffsetFetchRequestTopics> topics,
                                                              boolean requireStable) {
        if (!context.allowed(DESCRIBE, GROUP, groupId)) {
            return CompletableFuture.completedFuture(new OffsetFetchResponseGroup().setGroupId(groupId)
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        if (topics == null) {
            return coordinator.fetchOffsets(groupId, null, requireStable).thenApply(group ->
                    group.errorCode() != Errors.NONE.code() ? group : group.setTopics(
                            visible(context, DESCRIBE, TOPIC, group.topics(), OffsetFetchResponseTopics::name)));
        }
        Split<OffsetFetchRequestTopics> split = split(context, DESCRIBE, TOPIC, topics, OffsetFetchRequestTopics::name);
        return coordinator.fetchOffsets(groupId, split.allowed(), requireStable).thenApply(group -> {
            if (group.errorCode() == Errors.NONE.code()) {
                split.denied().forEach(topic -> group.topics().add(unauthorized(topic)));
            }
            return group;
        });
    }

    private static OffsetFetchResponseTopics unauthorized(OffsetFetchRequestTopics topic) {
        OffsetFetchResponseTopics answer = new OffsetFetchResponseTopics().setName(topic.name());
        topic.partitionIndexes().forEach(partition -> answer.partitions().add(new OffsetFetchResponsePartitions()
                .setPartitionIndex(partition).setCommittedOffset(-1)
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
        return answer;
    }

    /** The response layout of versions 1-7: the group's topics at the top, its error at the top (v2+) or per partition. */
    private static OffsetFetchResponseData singleGroup(OffsetFetchResponseGroup group, List<OffsetFetchRequestTopics> requested,
                                                      short version) {
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        boolean topLevelError = version >= FIRST_TOP_LEVEL_ERROR_VERSION;
        if (topLevelError) {
            response.setErrorCode(group.errorCode());
        } else if (group.errorCode() != Errors.NONE.code() && group.topics().isEmpty() && requested != null) {
            // Version 1 has nowhere else for a group error: every requested partition carries it.
            for (OffsetFetchRequestTopics topic : requested) {
                OffsetFetchResponseTopics failed = new OffsetFetchResponseTopics().setName(topic.name());
                topic.partitionIndexes().forEach(p -> failed.partitions().add(new OffsetFetchResponsePartitions()
                        .setPartitionIndex(p).setCommittedOffset(-1).setMetadata("").setErrorCode(group.errorCode())));
                group.topics().add(failed);
            }
        }
        for (OffsetFetchResponseTopics topic : group.topics()) {
            OffsetFetchResponseTopic topicResponse = new OffsetFetchResponseTopic().setName(topic.name());
            for (OffsetFetchResponsePartitions partition : topic.partitions()) {
                short error = partition.errorCode() != Errors.NONE.code() || topLevelError ? partition.errorCode() : group.errorCode();
                topicResponse.partitions().add(new OffsetFetchResponsePartition()
                        .setPartitionIndex(partition.partitionIndex())
                        .setCommittedOffset(partition.committedOffset())
                        .setCommittedLeaderEpoch(partition.committedLeaderEpoch())
                        .setMetadata(partition.metadata())
                        .setErrorCode(error));
            }
            response.topics().add(topicResponse);
        }
        return response;
    }
}
