package io.strata.broker.group;

import io.strata.broker.config.Configuration;
import io.strata.broker.config.GroupsConfig;
import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The group APIs on the wire, with kafka-clients' request classes: versions, errors and edge cases. */
@Timeout(60)
class GroupProtocolTest {

    private static final String TOPIC = "wire";
    private static final int SESSION_MS = 10_000;

    @TempDir
    static Path dataDir;
    static TestBroker broker;
    private KafkaWire wire;

    @BeforeAll
    static void start() {
        // A short minimum session timeout, so a silent member is evicted quickly.
        broker = TestBroker.start(dataDir, Map.of("strata.groups.min-session-timeout-ms", "500",
                "strata.groups.max-session-timeout-ms", "60000"));
        broker.createTopic(TOPIC, 2, Map.of());
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @BeforeEach
    void connect() throws Exception {
        wire = new KafkaWire(broker.broker().kafkaAddress());
        // KafkaWire writes a frame in pieces: without this, Nagle and delayed ACKs cost 40 ms a request.
        wire.socket().setTcpNoDelay(true);
    }

    @AfterEach
    void disconnect() throws Exception {
        wire.close();
    }

    @SuppressWarnings("unchecked")
    private <T extends AbstractResponse> T send(AbstractRequest.Builder<?> builder, int version) throws Exception {
        return (T) wire.send(builder.build((short) version));
    }

    @Test
    void apiVersionsAdvertiseTheClassicGroupApisOnly() throws Exception {
        ApiVersionsResponse response = send(new ApiVersionsRequest.Builder(), 3);
        Map<Short, ApiVersion> versions = response.data().apiKeys().stream()
                .collect(Collectors.toMap(ApiVersion::apiKey, v -> v));
        for (ApiKeys key : List.of(ApiKeys.FIND_COORDINATOR, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT,
                ApiKeys.LEAVE_GROUP, ApiKeys.OFFSET_COMMIT, ApiKeys.OFFSET_FETCH, ApiKeys.OFFSET_DELETE,
                ApiKeys.LIST_GROUPS, ApiKeys.DESCRIBE_GROUPS, ApiKeys.DELETE_GROUPS)) {
            assertThat(versions).containsKey(key.id);
        }
        assertThat(versions.get(ApiKeys.FIND_COORDINATOR.id).maxVersion()).isEqualTo((short) 6);
        assertThat(versions.get(ApiKeys.OFFSET_COMMIT.id).minVersion()).isEqualTo((short) 2);
        assertThat(versions.get(ApiKeys.OFFSET_COMMIT.id).maxVersion()).isEqualTo((short) 9);
        assertThat(versions.get(ApiKeys.OFFSET_FETCH.id).maxVersion()).isEqualTo((short) 9);
        assertThat(versions).doesNotContainKeys(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id, ApiKeys.CONSUMER_GROUP_DESCRIBE.id);
    }

    @Test
    void findCoordinatorAnswersThisBrokerAndTheOffsetsTopicIsInternal() throws Exception {
        FindCoordinatorResponse single = send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setKey("some-group").setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id())), 3);
        assertThat(single.error()).isEqualTo(Errors.NONE);
        assertThat(single.node().id()).isEqualTo(1);
        assertThat(single.node().port()).isEqualTo(broker.broker().kafkaAddress().getPort());

        FindCoordinatorResponse batched = send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setCoordinatorKeys(List.of("g1", "g2")).setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id())), 4);
        assertThat(batched.coordinators()).extracting(c -> c.key() + "@" + c.nodeId() + ":" + c.errorCode())
                .containsExactly("g1@1:0", "g2@1:0");
        FindCoordinatorResponse txn = send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                .setCoordinatorKeys(List.of("tx")).setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id())), 6);
        assertThat(txn.coordinators().get(0).errorCode()).isZero();
        assertThat(txn.coordinators().get(0).nodeId()).isEqualTo(1);

        MetadataResponse metadata = send(new MetadataRequest.Builder(List.of(Topic.GROUP_METADATA_TOPIC_NAME), false), 12);
        MetadataResponse.TopicMetadata offsets = metadata.topicMetadata().iterator().next();
        assertThat(offsets.error()).isEqualTo(Errors.NONE);
        assertThat(offsets.isInternal()).isTrue();
        assertThat(offsets.partitionMetadata()).hasSize(Configuration.defaults(GroupsConfig.class).offsetsTopicPartitions());
        assertThat(broker.broker().groupCoordinator().partitionFor("some-group"))
                .isEqualTo(Utils.abs("some-group".hashCode()) % Configuration.defaults(GroupsConfig.class).offsetsTopicPartitions());
    }

    @Test
    void joinSyncHeartbeatAndLeave() throws Exception {
        String group = "wire-basic";
        JoinGroupResponse required = send(join(group, "", null, "consumer", "range"), 9);
        assertThat(required.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        String memberId = required.data().memberId();
        assertThat(memberId).startsWith("kafka-wire-");

        JoinGroupResponse joined = send(join(group, memberId, null, "consumer", "range"), 9);
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        assertThat(joined.data().generationId()).isEqualTo(1);
        assertThat(joined.data().leader()).isEqualTo(memberId);
        assertThat(joined.data().protocolName()).isEqualTo("range");
        assertThat(joined.data().protocolType()).isEqualTo("consumer");
        assertThat(joined.data().members()).extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
                .containsExactly(memberId);

        SyncGroupResponse wrongType = send(sync(group, memberId, 1, "connect", "range", Map.of()), 5);
        assertThat(wrongType.error()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        byte[] assignment = assignment(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        SyncGroupResponse synced = send(sync(group, memberId, 1, "consumer", "range", Map.of(memberId, assignment)), 5);
        assertThat(synced.error()).isEqualTo(Errors.NONE);
        assertThat(synced.data().assignment()).isEqualTo(assignment);
        assertThat(synced.data().protocolName()).isEqualTo("range");

        assertThat(this.<HeartbeatResponse>send(heartbeat(group, memberId, 1, null), 4).error()).isEqualTo(Errors.NONE);
        assertThat(this.<HeartbeatResponse>send(heartbeat(group, memberId, 7, null), 4).error()).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(this.<HeartbeatResponse>send(heartbeat(group, "stranger", 1, null), 4).error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(this.<HeartbeatResponse>send(heartbeat("no-such-group", memberId, 1, null), 4).error())
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);

        LeaveGroupResponse left = send(new LeaveGroupRequest.Builder(group, List.of(
                new MemberIdentity().setMemberId(memberId), new MemberIdentity().setMemberId("stranger"))), 5);
        assertThat(left.topLevelError()).isEqualTo(Errors.NONE);
        assertThat(left.memberResponses()).extracting(r -> r.memberId() + ":" + Errors.forCode(r.errorCode()))
                .containsExactly(memberId + ":NONE", "stranger:UNKNOWN_MEMBER_ID");
        assertThat(describe(group, 5).groupState()).isEqualTo("Empty");

        // Before v3 a single member leaves and its error is the top-level one.
        LeaveGroupResponse v0 = send(new LeaveGroupRequest.Builder(group, List.of(new MemberIdentity().setMemberId("gone"))), 0);
        assertThat(v0.error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void oldJoinVersionsNeedNoMemberIdAndGetNonNullProtocolNames() throws Exception {
        String group = "wire-v3";
        JoinGroupResponse joined = send(join(group, "", null, "consumer", "range"), 3);
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        assertThat(joined.data().generationId()).isEqualTo(1);
        JoinGroupResponse badTimeout = send(join(group, "", null, 10, "consumer", "range"), 6);
        assertThat(badTimeout.error()).isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
        JoinGroupResponse emptyGroup = send(join("", "", null, "consumer", "range"), 6);
        assertThat(emptyGroup.error()).isEqualTo(Errors.INVALID_GROUP_ID);
        assertThat(emptyGroup.data().protocolName()).isEmpty();
    }

    @Test
    void membersMustShareAProtocol() throws Exception {
        String group = "wire-protocols";
        String first = joinAlone(group, "range");
        try (KafkaWire other = new KafkaWire(broker.broker().kafkaAddress())) {
            JoinGroupResponse otherType = (JoinGroupResponse) other.send(join(group, "", null, "connect", "range").build((short) 9));
            assertThat(otherType.error()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
            JoinGroupResponse noCommonProtocol = (JoinGroupResponse) other.send(join(group, "", null, "consumer", "roundrobin")
                    .build((short) 9));
            assertThat(noCommonProtocol.error()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        assertThat(first).isNotEmpty();
    }

    @Test
    void aNewMemberMakesTheOthersRejoinAndTheySelectACommonProtocol() throws Exception {
        String group = "wire-rebalance";
        String first = joinAlone(group, "range", "roundrobin");
        try (KafkaWire other = new KafkaWire(broker.broker().kafkaAddress())) {
            other.socket().setTcpNoDelay(true);
            JoinGroupResponse required = (JoinGroupResponse) other.send(join(group, "", null, "consumer", "roundrobin", "range")
                    .build((short) 9));
            String second = required.data().memberId();
            CompletableFuture<JoinGroupResponse> secondJoin = CompletableFuture.supplyAsync(() -> {
                try {
                    return (JoinGroupResponse) other.send(join(group, second, null, "consumer", "roundrobin", "range").build((short) 9));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().until(() -> this.<HeartbeatResponse>send(heartbeat(group, first, 1, null), 4).error()
                    == Errors.REBALANCE_IN_PROGRESS);
            JoinGroupResponse firstRejoin = send(join(group, first, null, "consumer", "range", "roundrobin"), 9);
            JoinGroupResponse secondJoined = secondJoin.get();
            assertThat(firstRejoin.data().generationId()).isEqualTo(2);
            assertThat(secondJoined.data().generationId()).isEqualTo(2);
            // One vote each; both support both: the leader's member list carries both.
            assertThat(firstRejoin.data().protocolName()).isIn("range", "roundrobin");
            assertThat(firstRejoin.data().leader()).isEqualTo(first);
            assertThat(firstRejoin.data().members()).hasSize(2);
            assertThat(secondJoined.data().members()).isEmpty();
        }
    }

    @Test
    void staticMembersAreReplacedAndTheOldIdIsFenced() throws Exception {
        String group = "wire-static";
        JoinGroupResponse first = send(join(group, "", "instance-1", "consumer", "range"), 9);
        assertThat(first.error()).isEqualTo(Errors.NONE);
        String oldId = first.data().memberId();
        assertThat(oldId).startsWith("instance-1-");
        SyncGroupResponse synced = send(sync(group, oldId, 1, "consumer", "range",
                Map.of(oldId, assignment(new TopicPartition(TOPIC, 0)))), 5);
        assertThat(synced.error()).isEqualTo(Errors.NONE);

        // The same instance restarts: a new member id, the same generation and assignment, no rebalance.
        JoinGroupResponse again = send(join(group, "", "instance-1", "consumer", "range"), 9);
        assertThat(again.error()).isEqualTo(Errors.NONE);
        String newId = again.data().memberId();
        assertThat(newId).isNotEqualTo(oldId);
        assertThat(again.data().generationId()).isEqualTo(1);
        assertThat(again.data().skipAssignment()).isTrue();
        assertThat(this.<HeartbeatResponse>send(heartbeat(group, oldId, 1, "instance-1"), 4).error())
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(this.<HeartbeatResponse>send(heartbeat(group, newId, 1, "instance-1"), 4).error()).isEqualTo(Errors.NONE);
        SyncGroupResponse resynced = send(sync(group, newId, 1, "consumer", "range", Map.of()), 5);
        assertThat(resynced.data().assignment()).isEqualTo(assignment(new TopicPartition(TOPIC, 0)));
        OffsetCommitResponse fencedCommit = send(commit(group, 1, oldId, "instance-1", TOPIC, 0, 5, null), 8);
        assertThat(errors(fencedCommit)).containsExactly(Errors.FENCED_INSTANCE_ID);

        // An administrator removes the static member by instance id alone.
        LeaveGroupResponse removed = send(new LeaveGroupRequest.Builder(group, List.of(
                new MemberIdentity().setMemberId("").setGroupInstanceId("instance-1"))), 5);
        assertThat(removed.memberResponses().get(0).errorCode()).isZero();
        assertThat(describe(group, 5).members()).isEmpty();
    }

    @Test
    void aMemberThatStopsHeartbeatingIsEvicted() throws Exception {
        String group = "wire-silent";
        String memberId = this.<JoinGroupResponse>send(join(group, "", null, 1000, "consumer", "range"), 9).data().memberId();
        JoinGroupResponse joined = send(join(group, memberId, null, 1000, "consumer", "range"), 9);
        assertThat(this.<SyncGroupResponse>send(sync(group, memberId, joined.data().generationId(), "consumer", "range",
                Map.of(memberId, assignment(new TopicPartition(TOPIC, 0)))), 5).error()).isEqualTo(Errors.NONE);
        assertThat(describe(group, 5).groupState()).isEqualTo("Stable");
        await().atMost(java.time.Duration.ofSeconds(10)).until(() -> describe(group, 5).groupState().equals("Empty"));
        assertThat(describe(group, 5).members()).isEmpty();
    }

    @Test
    void badCommitsGetKafkasErrorsAndChangeNothing() throws Exception {
        String group = "wire-commits";
        String memberId = joinAlone(group, "range");
        OffsetCommitResponse good = send(commit(group, 1, memberId, TOPIC, 0, 5, "meta"), 8);
        assertThat(errors(good)).containsExactly(Errors.NONE);

        assertThat(errors(send(commit(group, 1, memberId, "no-such-topic", 0, 9, null), 8)))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(errors(send(commit(group, 1, memberId, TOPIC, 5, 9, null), 8)))
                .containsExactly(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(errors(send(commit(group, 2, memberId, TOPIC, 0, 9, null), 8))).containsExactly(Errors.ILLEGAL_GENERATION);
        assertThat(errors(send(commit(group, 1, "stranger", TOPIC, 0, 9, null), 8))).containsExactly(Errors.UNKNOWN_MEMBER_ID);
        assertThat(errors(send(commit(group, -1, "", TOPIC, 0, 9, null), 8)))
                .as("a simple commit into a group with members").containsExactly(Errors.UNKNOWN_MEMBER_ID);
        assertThat(errors(send(commit(group, 1, memberId, TOPIC, 0, 9, "x".repeat(4097)), 8)))
                .containsExactly(Errors.OFFSET_METADATA_TOO_LARGE);
        assertThat(errors(send(commit("", 1, memberId, TOPIC, 0, 9, null), 8))).containsExactly(Errors.INVALID_GROUP_ID);
        assertThat(errors(send(commit("never-joined", 3, "m", TOPIC, 0, 9, null), 8))).containsExactly(Errors.ILLEGAL_GENERATION);
        assertThat(errors(send(commit("never-joined", 3, "m", TOPIC, 0, 9, null), 9))).containsExactly(Errors.GROUP_ID_NOT_FOUND);

        OffsetFetchResponse fetched = send(OffsetFetchRequest.Builder.forTopicNames(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(
                        new OffsetFetchRequestTopics().setName(TOPIC).setPartitionIndexes(List.of(0, 1)))))), false), 8);
        OffsetFetchResponseData.OffsetFetchResponseGroup offsets = fetched.data().groups().get(0);
        assertThat(offsets.topics().get(0).partitions()).extracting(p -> p.partitionIndex() + "=" + p.committedOffset()
                + "/" + p.metadata()).containsExactly("0=5/meta", "1=-1/");

        // Exactly 4096 characters is allowed.
        assertThat(errors(send(commit(group, 1, memberId, TOPIC, 1, 3, "y".repeat(4096)), 8))).containsExactly(Errors.NONE);
        assertThat(broker.broker().groupCoordinator().fetchOffsets(group, null).get().topics().get(0).partitions())
                .extracting(p -> p.committedOffset()).containsExactly(5L, 3L);
    }

    @Test
    void offsetFetchServesOneGroupBeforeV8AndManyAfter() throws Exception {
        send(commit("fetch-a", -1, "", TOPIC, 0, 11, "a"), 8);
        send(commit("fetch-b", -1, "", TOPIC, 1, 22, "b"), 8);

        OffsetFetchResponse many = send(OffsetFetchRequest.Builder.forTopicNames(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestGroup().setGroupId("fetch-a").setTopics(null),
                new OffsetFetchRequestGroup().setGroupId("fetch-b").setTopics(null),
                new OffsetFetchRequestGroup().setGroupId("fetch-none").setTopics(null))), false), 9);
        assertThat(many.data().groups()).extracting(g -> g.groupId() + ":" + g.topics().stream()
                        .flatMap(t -> t.partitions().stream().map(p -> t.name() + "-" + p.partitionIndex() + "@" + p.committedOffset()))
                        .toList())
                .containsExactly("fetch-a:[wire-0@11]", "fetch-b:[wire-1@22]", "fetch-none:[]");

        OffsetFetchResponse one = send(OffsetFetchRequest.Builder.forTopicNames(new OffsetFetchRequestData().setGroups(List.of(
                new OffsetFetchRequestGroup().setGroupId("fetch-a").setTopics(List.of(
                        new OffsetFetchRequestTopics().setName(TOPIC).setPartitionIndexes(List.of(0)))))), false), 7);
        assertThat(one.data().topics().get(0).partitions().get(0).committedOffset()).isEqualTo(11);
        assertThat(one.data().topics().get(0).partitions().get(0).metadata()).isEqualTo("a");
        assertThat(one.data().errorCode()).isZero();

        // Version 1 reports a group error on every partition; version 2 at the top.
        OffsetFetchResponseData v1 = (OffsetFetchResponseData) wire.send(ApiKeys.OFFSET_FETCH, (short) 1,
                new OffsetFetchRequestData().setGroupId("").setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                        .setName(TOPIC).setPartitionIndexes(List.of(0, 1))))).data();
        assertThat(v1.topics().get(0).partitions()).extracting(p -> Errors.forCode(p.errorCode()))
                .containsExactly(Errors.INVALID_GROUP_ID, Errors.INVALID_GROUP_ID);
        OffsetFetchResponseData v2 = (OffsetFetchResponseData) wire.send(ApiKeys.OFFSET_FETCH, (short) 2,
                new OffsetFetchRequestData().setGroupId("").setTopics(null)).data();
        assertThat(Errors.forCode(v2.errorCode())).isEqualTo(Errors.INVALID_GROUP_ID);
    }

    @Test
    void listAndDescribeGroupsFollowTheirVersions() throws Exception {
        String group = "wire-listed";
        String memberId = joinAlone(group, "range");

        List<ListedGroup> stable = this.<ListGroupsResponse>send(new ListGroupsRequest.Builder(new ListGroupsRequestData()
                .setStatesFilter(List.of("stable"))), 4).data().groups();
        assertThat(stable).extracting(ListedGroup::groupId).contains(group);
        assertThat(stable).allSatisfy(g -> assertThat(g.groupState()).isEqualTo("Stable"));
        List<ListedGroup> classic = this.<ListGroupsResponse>send(new ListGroupsRequest.Builder(new ListGroupsRequestData()
                .setTypesFilter(List.of("Classic"))), 5).data().groups();
        assertThat(classic).extracting(ListedGroup::groupId).contains(group);
        assertThat(classic).allSatisfy(g -> assertThat(g.groupType()).isEqualTo("classic"));
        assertThat(this.<ListGroupsResponse>send(new ListGroupsRequest.Builder(new ListGroupsRequestData()
                .setTypesFilter(List.of("consumer"))), 5).data().groups()).isEmpty();

        var described = describe(group, 5);
        assertThat(described.protocolType()).isEqualTo("consumer");
        assertThat(described.protocolData()).isEqualTo("range");
        assertThat(described.members()).hasSize(1);
        assertThat(described.members().get(0).memberId()).isEqualTo(memberId);
        assertThat(described.members().get(0).memberMetadata()).isNotEmpty();

        var unknownV5 = describe("no-such-group", 5);
        assertThat(unknownV5.errorCode()).isZero();
        assertThat(unknownV5.groupState()).isEqualTo("Dead");
        var unknownV6 = describe("no-such-group", 6);
        assertThat(unknownV6.errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    }

    @Test
    void everyVersionRunsAWholeCycle() throws Exception {
        for (short version = 0; version <= ApiKeys.JOIN_GROUP.latestVersion(); version++) {
            String group = "cycle-v" + version;
            short syncVersion = (short) Math.min(version, ApiKeys.SYNC_GROUP.latestVersion());
            short heartbeatVersion = (short) Math.min(version, ApiKeys.HEARTBEAT.latestVersion());
            short leaveVersion = (short) Math.min(version, ApiKeys.LEAVE_GROUP.latestVersion());
            short commitVersion = (short) Math.max(2, Math.min(version, OffsetCommitHandlerVersions.MAX));
            short describeVersion = (short) Math.min(version, ApiKeys.DESCRIBE_GROUPS.latestVersion());
            JoinGroupRequestData join = join(group, "", null, "consumer", "range").build(version).data();
            if (version == 0) {
                join.setRebalanceTimeoutMs(-1);
            }
            JoinGroupResponseData joined = (JoinGroupResponseData) wire.send(ApiKeys.JOIN_GROUP, version, join).data();
            if (joined.errorCode() == Errors.MEMBER_ID_REQUIRED.code()) {
                joined = (JoinGroupResponseData) wire.send(ApiKeys.JOIN_GROUP, version, join.setMemberId(joined.memberId())).data();
            }
            assertThat(Errors.forCode(joined.errorCode())).as("join v%d", version).isEqualTo(Errors.NONE);
            String memberId = joined.memberId();
            assertThat(joined.protocolName()).isEqualTo("range");
            assertThat(joined.members()).hasSize(1);

            SyncGroupRequestData sync = new SyncGroupRequestData().setGroupId(group).setMemberId(memberId)
                    .setGenerationId(joined.generationId()).setAssignments(List.of(new SyncGroupRequestAssignment()
                            .setMemberId(memberId).setAssignment(assignment(new TopicPartition(TOPIC, 1)))));
            SyncGroupResponseData synced = (SyncGroupResponseData) wire.send(ApiKeys.SYNC_GROUP, syncVersion, sync).data();
            assertThat(Errors.forCode(synced.errorCode())).as("sync v%d", syncVersion).isEqualTo(Errors.NONE);
            assertThat(synced.assignment()).isEqualTo(assignment(new TopicPartition(TOPIC, 1)));

            AbstractResponse beat = wire.send(ApiKeys.HEARTBEAT, heartbeatVersion, new HeartbeatRequestData().setGroupId(group)
                    .setMemberId(memberId).setGenerationId(joined.generationId()));
            assertThat(beat.errorCounts()).as("heartbeat v%d", heartbeatVersion).containsOnlyKeys(Errors.NONE);

            OffsetCommitResponse committed = (OffsetCommitResponse) wire.send(ApiKeys.OFFSET_COMMIT, commitVersion,
                    new OffsetCommitRequestData().setGroupId(group).setGenerationIdOrMemberEpoch(joined.generationId())
                            .setMemberId(memberId).setTopics(List.of(new OffsetCommitRequestTopic().setName(TOPIC)
                                    .setPartitions(List.of(new OffsetCommitRequestPartition().setPartitionIndex(1)
                                            .setCommittedOffset(version))))));
            assertThat(errors(committed)).as("commit v%d", commitVersion).containsExactly(Errors.NONE);

            var described = ((DescribeGroupsResponse) wire.send(ApiKeys.DESCRIBE_GROUPS, describeVersion,
                    new DescribeGroupsRequestData().setGroups(List.of(group)))).data().groups().get(0);
            assertThat(described.groupState()).isEqualTo("Stable");
            assertThat(described.members().get(0).memberAssignment()).isEqualTo(assignment(new TopicPartition(TOPIC, 1)));

            AbstractResponse left = wire.send(ApiKeys.LEAVE_GROUP, leaveVersion, leaveVersion >= 3
                    ? new org.apache.kafka.common.message.LeaveGroupRequestData().setGroupId(group)
                            .setMembers(List.of(new MemberIdentity().setMemberId(memberId)))
                    : new org.apache.kafka.common.message.LeaveGroupRequestData().setGroupId(group).setMemberId(memberId));
            assertThat(left.errorCounts()).as("leave v%d", leaveVersion).containsOnlyKeys(Errors.NONE);
        }
        for (short version = 1; version <= OffsetCommitHandlerVersions.MAX; version++) {
            OffsetFetchRequestData request = version >= 8
                    ? new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestGroup().setGroupId("cycle-v5")
                            .setTopics(version >= 2 && version % 2 == 0 ? null : List.of(new OffsetFetchRequestTopics()
                                    .setName(TOPIC).setPartitionIndexes(List.of(1))))))
                    : new OffsetFetchRequestData().setGroupId("cycle-v5").setTopics(version >= 2 && version % 2 == 0 ? null
                            : List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TOPIC).setPartitionIndexes(List.of(1))));
            OffsetFetchResponseData fetched = (OffsetFetchResponseData) wire.send(ApiKeys.OFFSET_FETCH, version, request).data();
            long offset = version >= 8
                    ? fetched.groups().get(0).topics().get(0).partitions().get(0).committedOffset()
                    : fetched.topics().get(0).partitions().get(0).committedOffset();
            assertThat(offset).as("fetch v%d", version).isEqualTo(5);
        }
        for (short version = 0; version <= ApiKeys.LIST_GROUPS.latestVersion(); version++) {
            ListGroupsResponse listed = (ListGroupsResponse) wire.send(ApiKeys.LIST_GROUPS, version, new ListGroupsRequestData());
            assertThat(listed.data().groups()).extracting(ListedGroup::groupId).contains("cycle-v0", "cycle-v9");
        }
    }

    /** OffsetCommit and OffsetFetch are served up to v9; v10 (topic ids) is unstable in kafka-clients 4.1. */
    private static final class OffsetCommitHandlerVersions {
        static final short MAX = 9;
    }

    // ---- helpers ----

    /** Joins as the only member of a new group and syncs; returns the member id. */
    private String joinAlone(String group, String... protocols) throws Exception {
        String memberId = this.<JoinGroupResponse>send(join(group, "", null, "consumer", protocols), 9).data().memberId();
        JoinGroupResponse joined = send(join(group, memberId, null, "consumer", protocols), 9);
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        SyncGroupResponse synced = send(sync(group, memberId, joined.data().generationId(), "consumer",
                joined.data().protocolName(), Map.of(memberId, assignment(new TopicPartition(TOPIC, 0)))), 5);
        assertThat(synced.error()).isEqualTo(Errors.NONE);
        return memberId;
    }

    private static JoinGroupRequest.Builder join(String group, String memberId, String instanceId, String protocolType,
                                                 String... protocols) {
        return join(group, memberId, instanceId, SESSION_MS, protocolType, protocols);
    }

    private static JoinGroupRequest.Builder join(String group, String memberId, String instanceId, int sessionTimeoutMs,
                                                 String protocolType, String... protocols) {
        JoinGroupRequestProtocolCollection collection = new JoinGroupRequestProtocolCollection();
        for (String protocol : protocols) {
            collection.add(new JoinGroupRequestProtocol().setName(protocol).setMetadata(subscription()));
        }
        return new JoinGroupRequest.Builder(new JoinGroupRequestData()
                .setGroupId(group)
                .setMemberId(memberId)
                .setGroupInstanceId(instanceId)
                .setProtocolType(protocolType)
                .setSessionTimeoutMs(sessionTimeoutMs)
                .setRebalanceTimeoutMs(10_000)
                .setProtocols(collection));
    }

    private static byte[] subscription() {
        return Utils.toArray(ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(TOPIC))));
    }

    private static byte[] assignment(TopicPartition... partitions) {
        ByteBuffer buffer = ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(List.of(partitions)));
        return Utils.toArray(buffer);
    }

    private static SyncGroupRequest.Builder sync(String group, String memberId, int generation, String protocolType,
                                                 String protocolName, Map<String, byte[]> assignments) {
        List<SyncGroupRequestAssignment> list = new ArrayList<>();
        assignments.forEach((id, bytes) -> list.add(new SyncGroupRequestAssignment().setMemberId(id).setAssignment(bytes)));
        return new SyncGroupRequest.Builder(new SyncGroupRequestData()
                .setGroupId(group).setMemberId(memberId).setGenerationId(generation)
                .setProtocolType(protocolType).setProtocolName(protocolName).setAssignments(list));
    }

    private static HeartbeatRequest.Builder heartbeat(String group, String memberId, int generation, String instanceId) {
        return new HeartbeatRequest.Builder(new HeartbeatRequestData()
                .setGroupId(group).setMemberId(memberId).setGenerationId(generation).setGroupInstanceId(instanceId));
    }

    private static OffsetCommitRequest.Builder commit(String group, int generation, String memberId, String topic,
                                                      int partition, long offset, String metadata) {
        return commit(group, generation, memberId, null, topic, partition, offset, metadata);
    }

    private static OffsetCommitRequest.Builder commit(String group, int generation, String memberId, String instanceId,
                                                      String topic, int partition, long offset, String metadata) {
        return OffsetCommitRequest.Builder.forTopicNames(new OffsetCommitRequestData()
                .setGroupId(group).setGenerationIdOrMemberEpoch(generation).setMemberId(memberId)
                .setGroupInstanceId(instanceId)
                .setTopics(List.of(new OffsetCommitRequestTopic().setName(topic).setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(partition).setCommittedOffset(offset)
                                .setCommittedMetadata(metadata))))));
    }

    private static List<Errors> errors(OffsetCommitResponse response) {
        List<Errors> errors = new ArrayList<>();
        for (OffsetCommitResponseData.OffsetCommitResponseTopic topic : response.data().topics()) {
            topic.partitions().forEach(p -> errors.add(Errors.forCode(p.errorCode())));
        }
        return errors;
    }

    private org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup describe(String group, int version)
            throws Exception {
        DescribeGroupsResponse response = send(new DescribeGroupsRequest.Builder(new DescribeGroupsRequestData()
                .setGroups(List.of(group))), version);
        return response.data().groups().get(0);
    }
}
