package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.txn.TransactionMarkerWriter;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster APIs answer a client that may not do their operation on the cluster with their whole error response,
 * CLUSTER_AUTHORIZATION_FAILED, and change nothing; a client that may is served.
 */
class ClusterApisAuthorizationTest {

    private static final String TOPIC = "orders";

    @RegisterExtension
    final SingleBroker broker = new SingleBroker();
    private final DenyingAuthorizer authorizer = new DenyingAuthorizer();

    @BeforeEach
    void setUp() throws Exception {
        broker.createTopic(TOPIC);
    }

    @Test
    void describeClusterTellsTheOperationsOnlyToWhoMayDescribeTheCluster() throws Exception {
        DescribeClusterHandler handler = new DescribeClusterHandler(broker.metadata::image,
                new BrokerIdentity("cluster", SingleBroker.NODE_ID));
        DescribeClusterRequest request = new DescribeClusterRequest.Builder(new DescribeClusterRequestData()
                .setIncludeClusterAuthorizedOperations(true)).build((short) 1);
        authorizer.denyOnCluster(AclOperation.ALTER);

        int operations = done(handler.handle(authorizer.context(ApiKeys.DESCRIBE_CLUSTER, (short) 1), request))
                .clusterAuthorizedOperations();
        assertThat(operations & (1 << AclOperation.DESCRIBE.code())).isNotZero();
        assertThat(operations & (1 << AclOperation.ALTER.code())).isZero();

        authorizer.denyOnCluster(AclOperation.DESCRIBE);
        var denied = done(handler.handle(authorizer.context(ApiKeys.DESCRIBE_CLUSTER, (short) 1), request));
        assertThat(denied.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(denied.clusterAuthorizedOperations()).isZero();
    }

    @Test
    void describeLogDirsNeedsDescribe() throws Exception {
        DescribeLogDirsHandler handler = new DescribeLogDirsHandler(broker.partitions, broker.logsDir);
        short version = 4;
        DescribeLogDirsRequest request = new DescribeLogDirsRequest.Builder(new DescribeLogDirsRequestData()
                .setTopics(null)).build(version);

        DescribeLogDirsResponseData allowed = done(handler.handle(authorizer.context(ApiKeys.DESCRIBE_LOG_DIRS,
                version), request));
        assertThat(allowed.results()).hasSize(1);

        authorizer.denyOnCluster(AclOperation.DESCRIBE);
        DescribeLogDirsResponseData denied = done(handler.handle(authorizer.context(ApiKeys.DESCRIBE_LOG_DIRS,
                version), request));
        assertThat(denied.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(denied.results()).isEmpty();
    }

    @Test
    void describeQuorumNeedsDescribe() throws Exception {
        DescribeQuorumHandler handler = new DescribeQuorumHandler(broker.metadata, null, Time.SYSTEM);
        short version = 2;
        DescribeQuorumRequest request = new DescribeQuorumRequest.Builder(DescribeQuorumRequest.singletonRequest(
                Topic.CLUSTER_METADATA_TOPIC_PARTITION)).build(version);

        assertThat(done(handler.handle(authorizer.context(ApiKeys.DESCRIBE_QUORUM, version), request)).errorCode())
                .isEqualTo(Errors.NONE.code());

        authorizer.denyOnCluster(AclOperation.DESCRIBE);
        assertThat(done(handler.handle(authorizer.context(ApiKeys.DESCRIBE_QUORUM, version), request)).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    @Test
    void electLeadersNeedsAlter() throws Exception {
        authorizer.denyOnCluster(AclOperation.ALTER);
        short version = 2;
        var response = done(new ElectLeadersHandler(broker.admin).handle(
                authorizer.context(ApiKeys.ELECT_LEADERS, version),
                new ElectLeadersRequest.Builder(ElectionType.PREFERRED, List.of(new TopicPartition(TOPIC, 0)), 5000)
                        .build(version)));

        assertThat(response.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(response.replicaElectionResults().get(0).partitionResult().get(0).errorCode())
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    @Test
    void partitionReassignmentsNeedAlterToChangeAndDescribeToList() throws Exception {
        authorizer.denyOnCluster(AclOperation.ALTER, AclOperation.DESCRIBE);
        AlterPartitionReassignmentsRequestData alter = new AlterPartitionReassignmentsRequestData();
        alter.topics().add(new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName(TOPIC)
                .setPartitions(List.of(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                        .setPartitionIndex(0).setReplicas(List.of(2)))));
        short alterVersion = 0;
        var altered = done(new AlterPartitionReassignmentsHandler(broker.admin).handle(
                authorizer.context(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, alterVersion),
                new AlterPartitionReassignmentsRequest.Builder(alter).build(alterVersion)));
        short listVersion = 0;
        var listed = done(new ListPartitionReassignmentsHandler(broker.metadata::image).handle(
                authorizer.context(ApiKeys.LIST_PARTITION_REASSIGNMENTS, listVersion),
                new ListPartitionReassignmentsRequest.Builder(new ListPartitionReassignmentsRequestData()
                        .setTopics(null)).build(listVersion)));

        assertThat(altered.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        assertThat(broker.metadata.image().topic(TOPIC).orElseThrow().partition(0).isReassigning()).isFalse();
        assertThat(listed.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
    }

    @Test
    void writeTxnMarkersNeedsAlterOrClusterAction() throws Exception {
        WriteTxnMarkersHandler handler = new WriteTxnMarkersHandler(new TransactionMarkerWriter(broker.partitions,
                broker.metadata::image, false, (tp, producerId, commit) -> { }));
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData();
        data.markers().add(new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(7).setProducerEpoch((short) 0)
                .setTransactionResult(false).setCoordinatorEpoch(0).setTopics(List.of(
                        new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(TOPIC)
                                .setPartitionIndexes(List.of(0)))));
        short version = 1;
        WriteTxnMarkersRequest request = new WriteTxnMarkersRequest.Builder(data).build(version);

        authorizer.denyOnCluster(AclOperation.ALTER);
        assertThat(markerError(done(handler.handle(authorizer.context(ApiKeys.WRITE_TXN_MARKERS, version), request))))
                .isNotEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED);

        authorizer.denyOnCluster(AclOperation.CLUSTER_ACTION);
        long logEnd = broker.partition(TOPIC).logEndOffset();
        assertThat(markerError(done(handler.handle(authorizer.context(ApiKeys.WRITE_TXN_MARKERS, version), request))))
                .isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED);
        assertThat(broker.partition(TOPIC).logEndOffset()).isEqualTo(logEnd);
    }

    @Test
    void scramCredentialsNeedDescribeToListAndAlterToChange() throws Exception {
        ScramCredentialsHandler handler = new ScramCredentialsHandler(new SecurityMetadata(
                () -> broker.metadata.image().security(), broker.metadata::submit));
        authorizer.denyOnCluster(AclOperation.DESCRIBE, AclOperation.ALTER);
        short version = 0;

        var described = done(handler.describe(authorizer.context(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, version),
                new DescribeUserScramCredentialsRequest.Builder(new DescribeUserScramCredentialsRequestData()
                        .setUsers(null)).build(version)));
        assertThat(described.results()).isEmpty();
        assertThat(described.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());

        AlterUserScramCredentialsResponseData altered = done(handler.alter(
                authorizer.context(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, version),
                new AlterUserScramCredentialsRequest.Builder(upsertion("bob")).build(version)));
        assertThat(altered.results()).singleElement().satisfies(result -> {
            assertThat(result.user()).isEqualTo("bob");
            assertThat(result.errorCode()).isEqualTo(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
        });
        assertThat(broker.metadata.image().security().scramCredentials()).doesNotContainKey("bob");
    }

    private static AlterUserScramCredentialsRequestData upsertion(String user) {
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_256;
        AlterUserScramCredentialsRequestData data = new AlterUserScramCredentialsRequestData();
        data.upsertions().add(new AlterUserScramCredentialsRequestData.ScramCredentialUpsertion().setName(user)
                .setMechanism(mechanism.type()).setIterations(mechanism.minIterations())
                .setSalt("salt".getBytes(StandardCharsets.UTF_8))
                .setSaltedPassword("salted".getBytes(StandardCharsets.UTF_8)));
        return data;
    }

    private static Errors markerError(WriteTxnMarkersResponseData response) {
        return Errors.forCode(response.markers().get(0).topics().get(0).partitions().get(0).errorCode());
    }

    private static <T> T done(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
