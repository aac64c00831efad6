package io.strata.broker.protocol.handlers;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.security.Authorizer;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.strata.broker.protocol.handlers.AuthorizedCalls.all;
import static io.strata.broker.protocol.handlers.AuthorizedCalls.denying;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The group APIs and FindCoordinator check what Kafka checks, with Kafka's error codes: a refused request changes
 * nothing, and the parts of a request the client may act on are served while the others are refused one by one.
 */
@Timeout(60)
class GroupApisAuthorizationTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    private static final String READABLE = "readable";
    private static final String SECRET = "secret";

    private static GroupCoordinator coordinator;
    private static AuthorizedCalls calls;

    @BeforeAll
    static void createTopics() {
        broker.createTopic(READABLE, 1, Map.of());
        broker.createTopic(SECRET, 1, Map.of());
        coordinator = broker.broker().groupCoordinator();
        calls = new AuthorizedCalls(new GroupApis(coordinator).handlers());
    }

    @Test
    void membershipNeedsReadOnTheGroup() throws Exception {
        String group = "members";
        Authorizer noRead = denying(READ, GROUP, group);

        assertThat(join(noRead, group).errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(members(group)).isZero();

        JoinGroupResponseData joined = join(Authorizer.ALLOW_ALL, group);
        assertThat(joined.errorCode()).isEqualTo(Errors.NONE.code());
        int generation = joined.generationId();
        String member = joined.memberId();

        SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setGenerationId(generation)
                .setMemberId(member).setAssignments(List.of(new SyncGroupRequestAssignment().setMemberId(member)
                        .setAssignment(new byte[0])));
        SyncGroupRequest syncRequest = new SyncGroupRequest.Builder(sync).build((short) 3);
        assertThat(calls.<SyncGroupResponseData>call(noRead, syncRequest).errorCode())
                .isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(calls.<SyncGroupResponseData>call(Authorizer.ALLOW_ALL, syncRequest).errorCode())
                .isEqualTo(Errors.NONE.code());

        HeartbeatRequest heartbeat = new HeartbeatRequest.Builder(new HeartbeatRequestData().setGroupId(group)
                .setGenerationId(generation).setMemberId(member)).build((short) 3);
        assertThat(calls.<HeartbeatResponseData>call(noRead, heartbeat).errorCode())
                .isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(calls.<HeartbeatResponseData>call(Authorizer.ALLOW_ALL, heartbeat).errorCode())
                .isEqualTo(Errors.NONE.code());

        LeaveGroupRequest leave = new LeaveGroupRequest.Builder(group,
                List.of(new MemberIdentity().setMemberId(member))).build((short) 3);
        assertThat(calls.<LeaveGroupResponseData>call(noRead, leave).errorCode())
                .isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(members(group)).isOne();
        assertThat(calls.<LeaveGroupResponseData>call(Authorizer.ALLOW_ALL, leave).errorCode())
                .isEqualTo(Errors.NONE.code());
        assertThat(members(group)).isZero();
    }

    @Test
    void offsetCommitNeedsReadOnTheGroupThenOnEachTopic() throws Exception {
        String group = "committer";

        OffsetCommitResponseData refused = commit(denying(READ, GROUP, group), group, 5);
        assertThat(errors(refused)).containsOnly(
                Map.entry(READABLE, Errors.GROUP_AUTHORIZATION_FAILED),
                Map.entry(SECRET, Errors.GROUP_AUTHORIZATION_FAILED));
        assertThat(committed(group)).isEmpty();

        OffsetCommitResponseData partly = commit(denying(READ, TOPIC, SECRET), group, 5);
        assertThat(errors(partly)).containsOnly(
                Map.entry(READABLE, Errors.NONE),
                Map.entry(SECRET, Errors.TOPIC_AUTHORIZATION_FAILED));
        assertThat(committed(group)).containsOnly(Map.entry(READABLE, 5L));
    }

    @Test
    void offsetFetchShowsOnlyWhatTheClientMayDescribe() throws Exception {
        String group = "fetched";
        String other = "fetched-elsewhere";
        commit(Authorizer.ALLOW_ALL, group, 7);
        commit(Authorizer.ALLOW_ALL, other, 8);
        Authorizer hidden = all(denying(DESCRIBE, GROUP, other), denying(DESCRIBE, TOPIC, SECRET));
        List<OffsetFetchRequestTopics> both = List.of(
                new OffsetFetchRequestTopics().setName(READABLE).setPartitionIndexes(List.of(0)),
                new OffsetFetchRequestTopics().setName(SECRET).setPartitionIndexes(List.of(0)));

        OffsetFetchResponseData batched = calls.call(hidden, OffsetFetchRequest.Builder.forTopicNames(
                new OffsetFetchRequestData().setGroups(List.of(
                        new OffsetFetchRequestGroup().setGroupId(group).setTopics(both),
                        new OffsetFetchRequestGroup().setGroupId(other).setTopics(both))), false).build((short) 8));
        Map<String, OffsetFetchResponseGroup> groups = batched.groups().stream()
                .collect(Collectors.toMap(OffsetFetchResponseGroup::groupId, g -> g));
        assertThat(groups.get(other).errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(groups.get(other).topics()).isEmpty();
        assertThat(groups.get(group).errorCode()).isEqualTo(Errors.NONE.code());
        Map<String, OffsetFetchResponsePartitions> partitions = groups.get(group).topics().stream()
                .collect(Collectors.toMap(OffsetFetchResponseTopics::name, t -> t.partitions().get(0)));
        assertThat(partitions.get(READABLE).committedOffset()).isEqualTo(7);
        assertThat(partitions.get(READABLE).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partitions.get(SECRET).committedOffset()).isEqualTo(-1);
        assertThat(partitions.get(SECRET).errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());

        // All of the group's offsets: a topic the client may not describe is left out.
        OffsetFetchResponseData all = calls.call(hidden, OffsetFetchRequest.Builder.forTopicNames(
                new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup().setGroupId(group)
                        .setTopics(null))), false).build((short) 8));
        assertThat(all.groups().get(0).topics()).extracting(OffsetFetchResponseTopics::name).containsExactly(READABLE);

        // One group, as versions before 8 ask: the group's error at the top.
        OffsetFetchResponseData single = calls.call(hidden, OffsetFetchRequest.Builder.forTopicNames(
                new OffsetFetchRequestData().setGroupId(other).setTopics(List.of(new OffsetFetchRequestTopic()
                        .setName(READABLE).setPartitionIndexes(List.of(0)))), false).build((short) 7));
        assertThat(single.errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(single.topics()).isEmpty();
    }

    @Test
    void describeListAndDeleteGroupsNeedTheirOperationOnEachGroup() throws Exception {
        String visible = "visible";
        String hidden = "hidden";
        commit(Authorizer.ALLOW_ALL, visible, 1);
        commit(Authorizer.ALLOW_ALL, hidden, 1);

        DescribeGroupsResponseData described = calls.call(denying(DESCRIBE, GROUP, hidden),
                new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData().setGroups(List.of(visible, hidden)))
                        .build((short) 5));
        assertThat(described.groups().stream().collect(Collectors.toMap(DescribedGroup::groupId,
                g -> Errors.forCode(g.errorCode())))).containsOnly(
                Map.entry(visible, Errors.NONE), Map.entry(hidden, Errors.GROUP_AUTHORIZATION_FAILED));

        // Without DESCRIBE on the cluster, only the groups the client may describe; with it, all of them.
        ListGroupsRequest list = new ListGroupsRequest.Builder(new ListGroupsRequestData()).build((short) 4);
        assertThat(calls.<ListGroupsResponseData>call(all(denying(DESCRIBE, CLUSTER, Authorizer.CLUSTER),
                denying(DESCRIBE, GROUP, hidden)), list).groups()).extracting(ListedGroup::groupId)
                .contains(visible).doesNotContain(hidden);
        assertThat(calls.<ListGroupsResponseData>call(denying(DESCRIBE, GROUP, hidden), list).groups())
                .extracting(ListedGroup::groupId).contains(visible, hidden);

        DeleteGroupsResponseData deleted = calls.call(denying(DELETE, GROUP, hidden), new DeleteGroupsRequest.Builder(
                new DeleteGroupsRequestData().setGroupsNames(List.of(visible, hidden))).build((short) 2));
        assertThat(deleted.results().find(visible).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(deleted.results().find(hidden).errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(committed(hidden)).containsOnly(Map.entry(READABLE, 1L), Map.entry(SECRET, 1L));
        assertThat(committed(visible)).isEmpty();
    }

    @Test
    void offsetDeleteNeedsDeleteOnTheGroupThenReadOnEachTopic() throws Exception {
        String group = "pruned";
        commit(Authorizer.ALLOW_ALL, group, 3);
        OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
        for (String topic : List.of(READABLE, SECRET)) {
            topics.add(new OffsetDeleteRequestTopic().setName(topic)
                    .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(0))));
        }
        OffsetDeleteRequest delete = new OffsetDeleteRequest.Builder(new OffsetDeleteRequestData().setGroupId(group)
                .setTopics(topics)).build((short) 0);

        assertThat(calls.<OffsetDeleteResponseData>call(denying(DELETE, GROUP, group), delete).errorCode())
                .isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(committed(group)).containsOnly(Map.entry(READABLE, 3L), Map.entry(SECRET, 3L));

        OffsetDeleteResponseData partly = calls.call(denying(READ, TOPIC, SECRET), delete);
        assertThat(partly.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partly.topics().find(READABLE).partitions().find(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partly.topics().find(SECRET).partitions().find(0).errorCode())
                .isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        assertThat(committed(group)).containsOnly(Map.entry(SECRET, 3L));
    }

    @Test
    void findCoordinatorNeedsDescribeOnEachKey() throws Exception {
        AuthorizedCalls find = new AuthorizedCalls(List.of(ApiHandler.of(ApiKeys.FIND_COORDINATOR,
                new FindCoordinatorHandler(coordinator, broker.broker().transactionCoordinator(),
                        broker.broker()::metadataImage)::handle)));

        FindCoordinatorResponseData groups = find.call(denying(DESCRIBE, GROUP, "undiscovered"),
                new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                        .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of("discovered", "undiscovered"))).build((short) 4));
        Map<String, Coordinator> found = groups.coordinators().stream()
                .collect(Collectors.toMap(Coordinator::key, c -> c));
        assertThat(found.get("discovered").errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(found.get("discovered").nodeId()).isEqualTo(broker.broker().identity().nodeId());
        assertThat(found.get("undiscovered").errorCode()).isEqualTo(Errors.GROUP_AUTHORIZATION_FAILED.code());
        assertThat(found.get("undiscovered").nodeId()).isEqualTo(-1);

        // A refused key creates no coordinator topic.
        FindCoordinatorResponseData transaction = find.call(denying(DESCRIBE, TRANSACTIONAL_ID, "undiscovered"),
                new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                        .setKeyType(CoordinatorType.TRANSACTION.id()).setKey("undiscovered")).build((short) 3));
        assertThat(transaction.errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        assertThat(broker.broker().metadataImage().topic(Topic.TRANSACTION_STATE_TOPIC_NAME)).isEmpty();
    }

    private static JoinGroupResponseData join(Authorizer authorizer, String group) throws Exception {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
        return calls.call(authorizer, new JoinGroupRequest.Builder(new JoinGroupRequestData().setGroupId(group)
                .setSessionTimeoutMs(30_000).setRebalanceTimeoutMs(30_000).setMemberId("")
                .setProtocolType("consumer").setProtocols(protocols)).build((short) 3));
    }

    private static int members(String group) throws Exception {
        return coordinator.describeGroups(List.of(group), (short) 5).get(10, TimeUnit.SECONDS).get(0).members().size();
    }

    /** Commits {@code offset} for partition 0 of both topics, as a client outside the group's generations. */
    private static OffsetCommitResponseData commit(Authorizer authorizer, String group, long offset) throws Exception {
        List<OffsetCommitRequestTopic> topics = List.of(READABLE, SECRET).stream()
                .map(topic -> new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))))
                .toList();
        return calls.call(authorizer, OffsetCommitRequest.Builder.forTopicNames(new OffsetCommitRequestData()
                        .setGroupId(group).setGenerationIdOrMemberEpoch(-1).setMemberId("").setTopics(topics))
                .build((short) 8));
    }

    private static Map<String, Errors> errors(OffsetCommitResponseData response) {
        return response.topics().stream().collect(Collectors.toMap(t -> t.name(),
                t -> Errors.forCode(t.partitions().get(0).errorCode())));
    }

    /** The group's committed offset of partition 0 of each topic that has one. */
    private static Map<String, Long> committed(String group) throws Exception {
        return coordinator.fetchOffsets(group, null).get(10, TimeUnit.SECONDS).topics().stream()
                .collect(Collectors.toMap(OffsetFetchResponseTopics::name,
                        t -> t.partitions().get(0).committedOffset()));
    }
}
