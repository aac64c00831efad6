package io.strata.broker.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.group.ClientContext;
import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.group.GroupCoordinator.PartitionLag;
import io.strata.broker.group.GroupState;
import io.strata.broker.log.TimestampOffset;
import io.strata.broker.partition.Partition;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Consumer groups: list, describe, members with their assignments, lag per partition and in sum,
 * delete, and reset committed offsets. Everything goes through the broker's group coordinator, as
 * the Kafka APIs do; these methods wait for it and so run on worker threads.
 */
@Path("/v3/clusters/{cluster}/consumer-groups")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Consumer groups")
public class ConsumerGroupsResource {

    /** The highest OffsetCommit version the coordinator serves; its commits address topics by name. */
    private static final short OFFSET_COMMIT_VERSION = 9;
    private static final long COORDINATOR_TIMEOUT_MS = 30_000;

    private final BrokerAccess access;
    private final RestAuthorization authorization;

    public ConsumerGroupsResource(BrokerAccess access, RestAuthorization authorization) {
        this.access = access;
        this.authorization = authorization;
    }

    @GET
    public ResourceList<GroupData> list(@RestPath String cluster) {
        Broker broker = access.broker(cluster);
        // As ListGroups: the groups the principal may not describe are left out.
        List<String> ids = authorization.filter(await(broker.groupCoordinator().groupIds()), AclOperation.DESCRIBE,
                ResourceType.GROUP, id -> id);
        if (ids.isEmpty()) {
            return new ResourceList<>("KafkaConsumerGroupList", List.of());
        }
        return new ResourceList<>("KafkaConsumerGroupList", describe(broker, ids).stream()
                .filter(group -> group.errorCode() == Errors.NONE.code())
                .map(group -> groupData(broker, group))
                .toList());
    }

    @GET
    @Path("/{group}")
    public GroupData get(@RestPath String cluster, @RestPath String group) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE, ResourceType.GROUP, group);
        return groupData(broker, describeOne(broker, group));
    }

    @GET
    @Path("/{group}/consumers")
    public ResourceList<ConsumerData> consumers(@RestPath String cluster, @RestPath String group) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE, ResourceType.GROUP, group);
        DescribedGroup described = describeOne(broker, group);
        return new ResourceList<>("KafkaConsumerList", described.members().stream()
                .map(member -> new ConsumerData("KafkaConsumer", broker.identity().clusterId(), group, member.memberId(),
                        member.groupInstanceId(), member.clientId(), member.clientHost(),
                        assignment(described, member).stream()
                                .map(tp -> new AssignmentData(tp.topic(), tp.partition())).toList()))
                .toList());
    }

    /**
     * Per partition with a committed offset or assigned to a member: the committed offset, the log end
     * offset (high watermark) and the lag. A partition assigned but never committed has no committed
     * offset and so no lag (both null), as {@code kafka-consumer-groups --describe} shows them with {@code -}.
     */
    @GET
    @Path("/{group}/lags")
    public ResourceList<LagData> lags(@RestPath String cluster, @RestPath String group) {
        Broker broker = access.broker(cluster);
        return new ResourceList<>("KafkaConsumerLagList", lagData(broker, group));
    }

    @GET
    @Path("/{group}/lag-summary")
    public LagSummary lagSummary(@RestPath String cluster, @RestPath String group) {
        Broker broker = access.broker(cluster);
        List<LagData> lags = lagData(broker, group);
        LagData max = lags.stream().filter(lag -> lag.lag() != null).max(Comparator.comparingLong(LagData::lag))
                .orElse(null);
        long total = lags.stream().filter(lag -> lag.lag() != null).mapToLong(LagData::lag).sum();
        return new LagSummary("KafkaConsumerGroupLagSummary", broker.identity().clusterId(), group,
                max == null ? null : max.consumerId(), max == null ? null : max.clientId(),
                max == null ? null : max.topicName(), max == null ? null : max.partitionId(),
                max == null ? 0 : max.lag(), total);
    }

    /** Deletes a group without members, with its committed offsets (409 while it has members). */
    @DELETE
    @Path("/{group}")
    public Response delete(@RestPath String cluster, @RestPath String group) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DELETE, ResourceType.GROUP, group);
        DeletableGroupResult result = await(broker.groupCoordinator().deleteGroups(List.of(group))).get(0);
        Errors error = Errors.forCode(result.errorCode());
        if (error != Errors.NONE) {
            throw KafkaErrors.toRest(error, error == Errors.NON_EMPTY_GROUP
                    ? "Group " + group + " has active members; stop them first." : null);
        }
        return Response.noContent().build();
    }

    /**
     * Moves the group's committed offsets of a topic (all its partitions, or those listed) to the
     * earliest or latest offset, to the first offset at or after a timestamp, or to a given offset
     * (kept within the log, as kafka-consumer-groups does). Only while the group has no members (409
     * otherwise). Written as an offset commit, so it is recorded and replayed like any other; a group
     * that does not exist yet is created with these offsets.
     */
    @POST
    // The colon as sent, or percent-encoded as some clients send it: RESTEasy Reactive matches the raw path.
    @Path("/{group}/{reset: offsets(:|%3[aA])reset}")
    @Consumes(MediaType.APPLICATION_JSON)
    public ResetResult resetOffsets(@RestPath String cluster, @RestPath String group, JsonNode body) {
        Broker broker = access.broker(cluster);
        if (body == null || !body.isObject()) {
            throw RestException.badRequest("A JSON object {\"topic\", \"partitions\", \"to\", ...} is required.");
        }
        JsonNode topicNode = body.get("topic");
        if (topicNode == null || !topicNode.isTextual()) {
            throw RestException.badRequest("topic is required.");
        }
        String topic = topicNode.textValue();
        // As OffsetCommit.
        authorization.require(AclOperation.READ, ResourceType.GROUP, group);
        authorization.require(AclOperation.READ, ResourceType.TOPIC, topic);
        List<Partition> partitions = partitions(cluster, topic, body.get("partitions"));
        Target target = target(body);

        DescribedGroup described = await(broker.groupCoordinator().describeGroups(List.of(group),
                ApiKeys.DESCRIBE_GROUPS.latestVersion())).get(0);
        if (described.errorCode() == Errors.NONE.code() && !described.groupState().equals(GroupState.EMPTY.toString())
                && !described.groupState().equals(GroupState.DEAD.toString())) {
            throw RestException.conflict("Group " + group + " is " + described.groupState()
                    + "; offsets can be reset only while it has no members.");
        }

        OffsetCommitRequestData.OffsetCommitRequestTopic commitTopic =
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic);
        List<ResetPartition> reset = new ArrayList<>();
        for (Partition partition : partitions) {
            long offset = target.offsetIn(partition);
            commitTopic.partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex(partition.topicPartition().partition())
                    .setCommittedOffset(offset));
            reset.add(new ResetPartition(partition.topicPartition().partition(), offset));
        }
        OffsetCommitRequestData request = new OffsetCommitRequestData()
                .setGroupId(group)
                .setGenerationIdOrMemberEpoch(-1)
                .setMemberId("")
                .setTopics(List.of(commitTopic));
        OffsetCommitResponseData response = await(broker.groupCoordinator()
                .commitOffsets(new ClientContext(OFFSET_COMMIT_VERSION, "strata-rest", "/rest"), request));
        response.topics().stream().flatMap(t -> t.partitions().stream())
                .map(p -> Errors.forCode(p.errorCode()))
                .filter(error -> error != Errors.NONE)
                .findFirst()
                .ifPresent(error -> {
                    // A member that joined since the check makes the commit fail as a commit without member id does.
                    throw error == Errors.UNKNOWN_MEMBER_ID || error == Errors.ILLEGAL_GENERATION
                            || error == Errors.REBALANCE_IN_PROGRESS
                            ? RestException.conflict("Group " + group + " has members; offsets can be reset only while it has none.")
                            : KafkaErrors.toRest(error, null);
                });
        return new ResetResult("KafkaConsumerGroupOffsetsReset", broker.identity().clusterId(), group, topic, reset);
    }

    private List<Partition> partitions(String cluster, String topic, JsonNode node) {
        List<Partition> partitions = new ArrayList<>();
        if (node == null || node.isNull()) {
            int count = access.topic(cluster, topic).partitions();
            for (int p = 0; p < count; p++) {
                partitions.add(access.partition(cluster, topic, p));
            }
            return partitions;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw RestException.badRequest("partitions must be a non-empty array of partition ids.");
        }
        for (JsonNode id : node) {
            if (!id.isInt()) {
                throw RestException.badRequest("partitions must be partition ids, found " + id + ".");
            }
            partitions.add(access.partition(cluster, topic, id.intValue()));
        }
        return partitions;
    }

    /** Where a reset moves each partition's offset. */
    private record Target(String to, long value) {

        long offsetIn(Partition partition) {
            return switch (to) {
                case "earliest" -> partition.logStartOffset();
                case "latest" -> partition.highWatermark();
                case "timestamp" -> await(partition.offsetForTimestamp(value)).map(TimestampOffset::offset)
                        .orElse(partition.highWatermark());
                default -> Math.max(partition.logStartOffset(), Math.min(value, partition.highWatermark()));
            };
        }
    }

    private static Target target(JsonNode body) {
        JsonNode toNode = body.get("to");
        String to = toNode == null || !toNode.isTextual() ? null : toNode.textValue().toLowerCase(Locale.ROOT);
        if (to == null) {
            throw RestException.badRequest("to is required: earliest, latest, timestamp or offset.");
        }
        return switch (to) {
            case "earliest", "latest" -> new Target(to, 0);
            case "timestamp" -> {
                Long timestamp = RecordPayloads.timestamp(body.get("timestamp"), "timestamp");
                if (timestamp == null) {
                    throw RestException.badRequest("timestamp is required with \"to\": \"timestamp\".");
                }
                yield new Target(to, timestamp);
            }
            case "offset" -> {
                JsonNode offset = body.get("offset");
                if (offset == null || !offset.canConvertToLong() || !offset.isIntegralNumber() || offset.longValue() < 0) {
                    throw RestException.badRequest("offset must be a non-negative integer with \"to\": \"offset\".");
                }
                yield new Target(to, offset.longValue());
            }
            default -> throw RestException.badRequest("to must be earliest, latest, timestamp or offset, was "
                    + toNode.textValue() + ".");
        };
    }

    /** As OffsetFetch: DESCRIBE on the group, and only the topics the principal may describe. */
    private List<LagData> lagData(Broker broker, String group) {
        authorization.require(AclOperation.DESCRIBE, ResourceType.GROUP, group);
        DescribedGroup described = describeOne(broker, group);
        Map<TopicPartition, DescribedGroupMember> owners = new HashMap<>();
        for (DescribedGroupMember member : described.members()) {
            assignment(described, member).forEach(tp -> owners.put(tp, member));
        }
        Map<TopicPartition, LagData> rows = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        for (PartitionLag lag : await(broker.groupCoordinator().lag(group))) {
            rows.put(lag.partition(), lagData(broker, group, lag.partition(), lag.committedOffset(), lag.endOffset(),
                    lag.lag(), owners.get(lag.partition())));
        }
        owners.forEach((tp, owner) -> {
            if (!rows.containsKey(tp)) {
                broker.partitions().partition(tp).ifPresent(partition -> rows.put(tp, lagData(broker, group, tp, null,
                        partition.highWatermark(), null, owner)));
            }
        });
        return authorization.filter(rows.values(), AclOperation.DESCRIBE, ResourceType.TOPIC, LagData::topicName);
    }

    private static LagData lagData(Broker broker, String group, TopicPartition tp, Long committed, long endOffset,
                                   Long lag, DescribedGroupMember owner) {
        return new LagData("KafkaConsumerLag", broker.identity().clusterId(), group, tp.topic(), tp.partition(),
                committed, endOffset, lag, owner == null ? null : owner.memberId(),
                owner == null ? null : owner.groupInstanceId(), owner == null ? null : owner.clientId());
    }

    /** The partitions assigned to a member of a Stable consumer group; empty otherwise or when unreadable. */
    private static List<TopicPartition> assignment(DescribedGroup group, DescribedGroupMember member) {
        byte[] bytes = member.memberAssignment();
        if (!ConsumerProtocol.PROTOCOL_TYPE.equals(group.protocolType()) || bytes == null || bytes.length == 0) {
            return List.of();
        }
        try {
            return ConsumerProtocol.deserializeAssignment(ByteBuffer.wrap(bytes)).partitions();
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    private DescribedGroup describeOne(Broker broker, String group) {
        DescribedGroup described = describe(broker, List.of(group)).get(0);
        if (described.errorCode() != Errors.NONE.code()) {
            Errors error = Errors.forCode(described.errorCode());
            throw KafkaErrors.toRest(error, error == Errors.GROUP_ID_NOT_FOUND ? "Consumer group " + group + " not found." : null);
        }
        return described;
    }

    private static List<DescribedGroup> describe(Broker broker, List<String> groups) {
        return await(broker.groupCoordinator().describeGroups(groups, ApiKeys.DESCRIBE_GROUPS.latestVersion()));
    }

    private static GroupData groupData(Broker broker, DescribedGroup group) {
        boolean simple = group.protocolType() == null || group.protocolType().isEmpty();
        return new GroupData("KafkaConsumerGroup", broker.identity().clusterId(), group.groupId(), simple,
                group.protocolData() == null || group.protocolData().isEmpty() ? null : group.protocolData(),
                group.protocolType(), group.groupState(), new Coordinator(broker.identity().nodeId(),
                broker.groupCoordinator().partitionFor(group.groupId())), group.members().size());
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(COORDINATOR_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw KafkaErrors.toRest(e.getCause());
        } catch (TimeoutException e) {
            throw new RestException(503, "The group coordinator did not answer within " + COORDINATOR_TIMEOUT_MS + " ms.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RestException(503, "Interrupted while waiting for the group coordinator.");
        }
    }

    /**
     * @param partitionAssignor the assignor the members agreed on, while the group is Stable
     * @param protocolType      {@code consumer} for consumer groups; empty for groups that only commit offsets
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GroupData(String kind, String clusterId, String consumerGroupId, boolean isSimple,
                            String partitionAssignor, String protocolType, String state, Coordinator coordinator,
                            int consumersCount) {
    }

    /** The broker coordinating the group and the partition of {@code __consumer_offsets} holding it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Coordinator(int brokerId, int offsetsPartition) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ConsumerData(String kind, String clusterId, String consumerGroupId, String consumerId,
                               String instanceId, String clientId, String host, List<AssignmentData> assignments) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AssignmentData(String topicName, int partitionId) {
    }

    /**
     * The owner fields are those of the member the partition is assigned to, null when none is;
     * {@code currentOffset} and {@code lag} are null while the group has committed no offset for it.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LagData(String kind, String clusterId, String consumerGroupId, String topicName, int partitionId,
                          Long currentOffset, long logEndOffset, Long lag, String consumerId, String instanceId,
                          String clientId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LagSummary(String kind, String clusterId, String consumerGroupId, String maxLagConsumerId,
                             String maxLagClientId, String maxLagTopicName, Integer maxLagPartitionId, long maxLag,
                             long totalLag) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ResetResult(String kind, String clusterId, String consumerGroupId, String topicName,
                              List<ResetPartition> data) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ResetPartition(int partitionId, long offset) {
    }
}
