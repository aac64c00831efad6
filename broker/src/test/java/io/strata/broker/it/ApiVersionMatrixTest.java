package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeClientQuotasRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.UnregisterBrokerRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every advertised API at every advertised version gets a well-formed request and must answer
 * with a response kafka-clients parses and no server-side error: a field set that a version cannot
 * carry, or a version-specific path left untested, shows up here.
 */
class ApiVersionMatrixTest {

    private static final String TOPIC = "matrix";
    private static final String GROUP = "matrix-group";
    private static final String TRANSACTIONAL_ID = "matrix-transactional-id";
    private static final Set<Errors> SERVER_FAULTS = Set.of(Errors.UNKNOWN_SERVER_ERROR, Errors.UNSUPPORTED_VERSION,
            Errors.INVALID_REQUEST, Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD);

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass();
    static Uuid topicId;
    static ApiVersionsResponseData advertised;

    @BeforeAll
    static void start() throws Exception {
        broker.createTopic(TOPIC, 1, Map.of());
        topicId = broker.broker().metadataImage().topic(TOPIC).orElseThrow().topicId();
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            advertised = (ApiVersionsResponseData) wire.send(ApiKeys.API_VERSIONS, (short) 3,
                    new ApiVersionsRequestData().setClientSoftwareName("matrix").setClientSoftwareVersion("1")).data();
        }
    }

    /**
     * Evaluated after {@code @BeforeAll}: the versions the running broker advertises, but for the Produce versions
     * it advertises only for librdkafka's sake, which kafka-clients no longer has (see ApiRouter).
     */
    static Stream<Arguments> advertisedVersions() {
        return advertised.apiKeys().stream().flatMap(key -> IntStream.rangeClosed(key.apiKey() == ApiKeys.PRODUCE.id
                        ? ApiKeys.PRODUCE.oldestVersion() : key.minVersion(), key.maxVersion())
                .mapToObj(v -> Arguments.of(ApiKeys.forId(key.apiKey()), (short) v)));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("advertisedVersions")
    void everyVersionIsServed(ApiKeys apiKey, short version) throws Exception {
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            AbstractResponse response = wire.send(apiKey, version, request(apiKey, version));
            assertThat(response.errorCounts().keySet()).as(response.data().toString()).doesNotContainAnyElementsOf(SERVER_FAULTS);
        }
    }

    private static ApiMessage request(ApiKeys apiKey, short version) {
        return switch (apiKey) {
            case API_VERSIONS -> new ApiVersionsRequestData().setClientSoftwareName("matrix").setClientSoftwareVersion("1");
            case METADATA -> new MetadataRequestData().setAllowAutoTopicCreation(version < 4)
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)));
            case PRODUCE -> produce(version);
            case FETCH -> fetch(version);
            case LIST_OFFSETS -> new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(
                    new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1)))));
            case OFFSET_FOR_LEADER_EPOCH -> {
                OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
                topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(TOPIC).setPartitions(List.of(
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition().setPartition(0).setLeaderEpoch(0))));
                yield new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics);
            }
            case DELETE_RECORDS -> new DeleteRecordsRequestData().setTimeoutMs(1000).setTopics(List.of(
                    new DeleteRecordsRequestData.DeleteRecordsTopic().setName(TOPIC).setPartitions(List.of(
                            new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0)))));
            case INIT_PRODUCER_ID -> new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(-1);
            case CREATE_TOPICS -> {
                CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
                topics.add(new CreateTopicsRequestData.CreatableTopic().setName("created-v" + version)
                        .setNumPartitions(1).setReplicationFactor((short) 1));
                yield new CreateTopicsRequestData().setTimeoutMs(5000).setTopics(topics);
            }
            case DELETE_TOPICS -> version >= 6
                    ? new DeleteTopicsRequestData().setTimeoutMs(5000).setTopics(List.of(
                            new DeleteTopicsRequestData.DeleteTopicState().setName("absent-" + version)))
                    : new DeleteTopicsRequestData().setTimeoutMs(5000).setTopicNames(List.of("absent-" + version));
            case CREATE_PARTITIONS -> {
                CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
                        new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
                topics.add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("absent").setCount(2)
                        .setAssignments(null));
                yield new CreatePartitionsRequestData().setTimeoutMs(5000).setTopics(topics);
            }
            case DESCRIBE_CONFIGS -> new DescribeConfigsRequestData().setIncludeSynonyms(version >= 1)
                    .setIncludeDocumentation(version >= 3).setResources(List.of(
                            new DescribeConfigsRequestData.DescribeConfigsResource()
                                    .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(TOPIC)
                                    .setConfigurationKeys(null)));
            case ALTER_CONFIGS -> {
                AlterConfigsRequestData.AlterableConfigCollection configs = new AlterConfigsRequestData.AlterableConfigCollection();
                configs.add(new AlterConfigsRequestData.AlterableConfig().setName("retention.ms").setValue("3600000"));
                AlterConfigsRequestData.AlterConfigsResourceCollection resources = new AlterConfigsRequestData.AlterConfigsResourceCollection();
                resources.add(new AlterConfigsRequestData.AlterConfigsResource().setResourceType(ConfigResource.Type.TOPIC.id())
                        .setResourceName(TOPIC).setConfigs(configs));
                yield new AlterConfigsRequestData().setResources(resources);
            }
            case INCREMENTAL_ALTER_CONFIGS -> {
                IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
                        new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
                configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms")
                        .setValue("7200000").setConfigOperation((byte) 0));
                IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                        new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
                resources.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(TOPIC).setConfigs(configs));
                yield new IncrementalAlterConfigsRequestData().setResources(resources);
            }
            case DESCRIBE_CLUSTER -> new DescribeClusterRequestData().setEndpointType((byte) 1);
            case UNREGISTER_BROKER -> new UnregisterBrokerRequestData().setBrokerId(99);
            case DESCRIBE_TOPIC_PARTITIONS -> new DescribeTopicPartitionsRequestData().setTopics(List.of(
                    new DescribeTopicPartitionsRequestData.TopicRequest().setName(TOPIC)));
            case DESCRIBE_QUORUM -> DescribeQuorumRequest.singletonRequest(Topic.CLUSTER_METADATA_TOPIC_PARTITION);
            case WRITE_TXN_MARKERS -> new WriteTxnMarkersRequestData().setMarkers(List.of(
                    new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(1).setProducerEpoch((short) 0)
                            .setTransactionResult(false).setCoordinatorEpoch(0).setTopics(List.of(
                                    new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(TOPIC)
                                            .setPartitionIndexes(List.of(0))))));
            case DESCRIBE_PRODUCERS -> new DescribeProducersRequestData().setTopics(List.of(
                    new DescribeProducersRequestData.TopicRequest().setName(TOPIC).setPartitionIndexes(List.of(0))));
            case DESCRIBE_LOG_DIRS -> new DescribeLogDirsRequestData().setTopics(null);
            case ELECT_LEADERS -> {
                ElectLeadersRequestData.TopicPartitionsCollection partitions = new ElectLeadersRequestData.TopicPartitionsCollection();
                partitions.add(new ElectLeadersRequestData.TopicPartitions().setTopic(TOPIC).setPartitions(List.of(0)));
                yield new ElectLeadersRequestData().setTopicPartitions(partitions).setTimeoutMs(5000);
            }
            // Cancels a reassignment that is not in progress: NO_REASSIGNMENT_IN_PROGRESS, which changes nothing.
            case ALTER_PARTITION_REASSIGNMENTS -> new AlterPartitionReassignmentsRequestData().setTopics(List.of(
                    new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName(TOPIC).setPartitions(List.of(
                            new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(0)
                                    .setReplicas(null)))));
            case LIST_PARTITION_REASSIGNMENTS -> new ListPartitionReassignmentsRequestData().setTopics(null);
            case FIND_COORDINATOR -> version >= 4
                    ? new FindCoordinatorRequestData().setCoordinatorKeys(List.of(GROUP))
                    : new FindCoordinatorRequestData().setKey(GROUP);
            // The group requests come from members the group does not know, so they are answered at once
            // (UNKNOWN_MEMBER_ID); the group tests run whole rebalances at every version.
            case JOIN_GROUP -> {
                JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
                        new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
                protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[0]));
                yield new JoinGroupRequestData().setGroupId(GROUP).setMemberId("unknown-member").setProtocolType("consumer")
                        .setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(version >= 1 ? 10_000 : -1).setProtocols(protocols);
            }
            case SYNC_GROUP -> new SyncGroupRequestData().setGroupId(GROUP).setMemberId("unknown-member").setGenerationId(1)
                    .setProtocolType(version >= 5 ? "consumer" : null).setProtocolName(version >= 5 ? "range" : null);
            case HEARTBEAT -> new HeartbeatRequestData().setGroupId(GROUP).setMemberId("unknown-member").setGenerationId(1);
            case LEAVE_GROUP -> version >= 3
                    ? new LeaveGroupRequestData().setGroupId(GROUP).setMembers(List.of(
                            new LeaveGroupRequestData.MemberIdentity().setMemberId("unknown-member")))
                    : new LeaveGroupRequestData().setGroupId(GROUP).setMemberId("unknown-member");
            case OFFSET_COMMIT -> new OffsetCommitRequestData().setGroupId(GROUP).setGenerationIdOrMemberEpoch(-1).setMemberId("")
                    .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                            new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0)
                                    .setCommittedOffset(version).setCommittedMetadata("v" + version)))));
            case OFFSET_FETCH -> version >= 8
                    ? new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                            .setGroupId(GROUP).setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics()
                                    .setName(TOPIC).setPartitionIndexes(List.of(0))))))
                    : new OffsetFetchRequestData().setGroupId(GROUP).setTopics(List.of(
                            new OffsetFetchRequestData.OffsetFetchRequestTopic().setName(TOPIC).setPartitionIndexes(List.of(0))));
            case OFFSET_DELETE -> {
                OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
                        new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
                topics.add(new OffsetDeleteRequestData.OffsetDeleteRequestTopic().setName(TOPIC).setPartitions(List.of(
                        new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(0))));
                yield new OffsetDeleteRequestData().setGroupId(GROUP).setTopics(topics);
            }
            case LIST_GROUPS -> new ListGroupsRequestData();
            case DESCRIBE_GROUPS -> new DescribeGroupsRequestData().setGroups(List.of(GROUP));
            case DELETE_GROUPS -> new DeleteGroupsRequestData().setGroupsNames(List.of("absent-group"));
            // The transaction requests name an id no producer initialised: refused with a client error at once.
            case ADD_PARTITIONS_TO_TXN -> addPartitionsToTxn(version);
            case ADD_OFFSETS_TO_TXN -> new AddOffsetsToTxnRequestData().setTransactionalId(TRANSACTIONAL_ID)
                    .setProducerId(1).setProducerEpoch((short) 0).setGroupId(GROUP);
            case END_TXN -> new EndTxnRequestData().setTransactionalId(TRANSACTIONAL_ID).setProducerId(1)
                    .setProducerEpoch((short) 0).setCommitted(false);
            case TXN_OFFSET_COMMIT -> new TxnOffsetCommitRequestData().setTransactionalId(TRANSACTIONAL_ID).setGroupId(GROUP)
                    .setProducerId(1).setProducerEpoch((short) 0).setTopics(List.of(
                            new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(TOPIC).setPartitions(List.of(
                                    new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0)
                                            .setCommittedOffset(0)))));
            case DESCRIBE_TRANSACTIONS -> new DescribeTransactionsRequestData()
                    .setTransactionalIds(List.of(TRANSACTIONAL_ID));
            case LIST_TRANSACTIONS -> {
                ListTransactionsRequestData list = new ListTransactionsRequestData().setStateFilters(List.of("Ongoing"))
                        .setDurationFilter(version >= 1 ? 0 : -1);
                yield version >= 2 ? list.setTransactionalIdPattern("matrix.*") : list;
            }
            case SASL_HANDSHAKE -> new SaslHandshakeRequestData().setMechanism("PLAIN");
            case SASL_AUTHENTICATE -> new SaslAuthenticateRequestData().setAuthBytes(new byte[0]);
            case DESCRIBE_USER_SCRAM_CREDENTIALS -> new DescribeUserScramCredentialsRequestData().setUsers(null);
            case ALTER_USER_SCRAM_CREDENTIALS -> new AlterUserScramCredentialsRequestData().setUpsertions(List.of(
                    new AlterUserScramCredentialsRequestData.ScramCredentialUpsertion().setName("matrix-user")
                            .setMechanism((byte) 1).setIterations(4096).setSalt(new byte[] {1, 2, 3})
                            .setSaltedPassword(new byte[32])));
            case CREATE_ACLS -> new CreateAclsRequestData().setCreations(List.of(new CreateAclsRequestData.AclCreation()
                    .setResourceType(ResourceType.TOPIC.code()).setResourceName(TOPIC)
                    .setResourcePatternType(PatternType.LITERAL.code()).setPrincipal("User:matrix-" + version)
                    .setHost("*").setOperation(AclOperation.READ.code()).setPermissionType(AclPermissionType.ALLOW.code())));
            case DESCRIBE_ACLS -> new DescribeAclsRequestData().setResourceTypeFilter(ResourceType.TOPIC.code())
                    .setPatternTypeFilter(PatternType.LITERAL.code()).setOperation(AclOperation.ANY.code())
                    .setPermissionType(AclPermissionType.ANY.code());
            case DELETE_ACLS -> new DeleteAclsRequestData().setFilters(List.of(new DeleteAclsRequestData.DeleteAclsFilter()
                    .setResourceTypeFilter(ResourceType.TOPIC.code()).setPatternTypeFilter(PatternType.LITERAL.code())
                    .setPrincipalFilter("User:matrix-" + version).setOperation(AclOperation.ANY.code())
                    .setPermissionType(AclPermissionType.ANY.code())));
            case DESCRIBE_CLIENT_QUOTAS -> new DescribeClientQuotasRequestData().setStrict(false).setComponents(List.of());
            case ALTER_CLIENT_QUOTAS -> new AlterClientQuotasRequestData().setEntries(List.of(
                    new AlterClientQuotasRequestData.EntryData().setEntity(List.of(
                            new AlterClientQuotasRequestData.EntityData().setEntityType("client-id")
                                    .setEntityName("matrix-client"))).setOps(List.of(
                            new AlterClientQuotasRequestData.OpData().setKey("producer_byte_rate").setValue(1e6)))));
            default -> throw new IllegalArgumentException("add a request for " + apiKey
                    + " to this test: every advertised API is exercised at every version");
        };
    }

    private static AddPartitionsToTxnRequestData addPartitionsToTxn(short version) {
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(TOPIC).setPartitions(List.of(0)));
        if (version < 4) {
            return new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(TRANSACTIONAL_ID)
                    .setV3AndBelowProducerId(1).setV3AndBelowProducerEpoch((short) 0).setV3AndBelowTopics(topics);
        }
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection transactions =
                new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction()
                .setTransactionalId(TRANSACTIONAL_ID).setProducerId(1).setProducerEpoch((short) 0).setVerifyOnly(true)
                .setTopics(topics));
        return new AddPartitionsToTxnRequestData().setTransactions(transactions);
    }

    private static ProduceRequestData produce(short version) {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                        .setRecords(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("v" + version).getBytes())))));
        if (version >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setName(TOPIC);
        }
        topics.add(topic);
        return new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000).setTopicData(topics);
    }

    private static FetchRequestData fetch(short version) {
        FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20)));
        if (version >= 13) {
            topic.setTopicId(topicId);
        } else {
            topic.setTopic(TOPIC);
        }
        return new FetchRequestData().setMaxWaitMs(0).setMinBytes(1).setMaxBytes(1 << 20).setTopics(List.of(topic));
    }
}
