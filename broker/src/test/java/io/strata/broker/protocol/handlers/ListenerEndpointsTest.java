package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.Endpoint;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.protocol.ClientSession;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.Authorizer;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The brokers a client is told of are their endpoints on the listener its request came in on, as Kafka answers: broker
 * 1 has an INTERNAL and an EXTERNAL listener, broker 2 only an INTERNAL one, so a client of EXTERNAL is not told of
 * broker 2, and the partition broker 2 leads is LISTENER_NOT_FOUND for it.
 */
class ListenerEndpointsTest {

    private static final String TOPIC = "spread";
    private static final Endpoint ONE_INTERNAL = new Endpoint("INTERNAL", "10.0.0.1", 9192);
    private static final Endpoint ONE_EXTERNAL = new Endpoint("EXTERNAL", "broker-1.example", 9092);
    private static final Endpoint TWO_INTERNAL = new Endpoint("INTERNAL", "10.0.0.2", 9192);

    @RegisterExtension
    final SingleBroker broker = new SingleBroker();

    @BeforeEach
    void setUp() throws Exception {
        broker.metadata.submit(new RegisterBroker(SingleBroker.NODE_ID, List.of(ONE_INTERNAL, ONE_EXTERNAL), null))
                .join();
        broker.metadata.submit(new RegisterBroker(2, List.of(TWO_INTERNAL), "b")).join();
        broker.admin.createTopic(TOPIC, List.of(List.of(SingleBroker.NODE_ID), List.of(2)), Map.of(), false)
                .get(10, TimeUnit.SECONDS);
        broker.partitions.reconcile(broker.metadata.image());
    }

    @Test
    void metadataOnTheExternalListenerLeavesOutTheBrokerWithoutIt() throws Exception {
        MetadataResponseData response = metadata("EXTERNAL");

        assertThat(response.brokers()).extracting(MetadataResponseBroker::nodeId, MetadataResponseBroker::host,
                MetadataResponseBroker::port).containsExactly(tuple(1, "broker-1.example", 9092));
        List<MetadataResponsePartition> partitions = List.copyOf(response.topics().find(TOPIC).partitions());
        assertThat(partitions.get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(partitions.get(0).leaderId()).isEqualTo(1);
        assertThat(partitions.get(1).errorCode()).isEqualTo(Errors.LISTENER_NOT_FOUND.code());
        assertThat(partitions.get(1).leaderId()).as("a leader the client cannot reach is not named").isEqualTo(-1);
        assertThat(partitions.get(1).offlineReplicas()).containsExactly(2);
    }

    @Test
    void metadataOnTheInternalListenerNamesEveryBrokerByItsInternalEndpoint() throws Exception {
        MetadataResponseData response = metadata("INTERNAL");

        assertThat(response.brokers()).extracting(MetadataResponseBroker::nodeId, MetadataResponseBroker::host,
                MetadataResponseBroker::port).containsExactly(tuple(1, "10.0.0.1", 9192), tuple(2, "10.0.0.2", 9192));
        List<MetadataResponsePartition> partitions = List.copyOf(response.topics().find(TOPIC).partitions());
        assertThat(partitions).extracting(MetadataResponsePartition::errorCode).containsOnly(Errors.NONE.code());
        assertThat(partitions).extracting(MetadataResponsePartition::leaderId).containsExactly(1, 2);
        assertThat(partitions).allSatisfy(partition -> assertThat(partition.offlineReplicas()).isEmpty());
    }

    @Test
    void describeClusterListsTheBrokersOnTheRequestsListener() throws Exception {
        DescribeClusterHandler handler = new DescribeClusterHandler(broker.metadata::image,
                new BrokerIdentity("cluster", SingleBroker.NODE_ID));
        DescribeClusterRequest request = new DescribeClusterRequest.Builder(new DescribeClusterRequestData())
                .build((short) 1);

        DescribeClusterResponseData external = handler.handle(context("EXTERNAL", ApiKeys.DESCRIBE_CLUSTER, (short) 1),
                request).toCompletableFuture().get(10, TimeUnit.SECONDS);
        DescribeClusterResponseData internal = handler.handle(context("INTERNAL", ApiKeys.DESCRIBE_CLUSTER, (short) 1),
                request).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(external.brokers()).extracting(DescribeClusterBroker::brokerId, DescribeClusterBroker::host)
                .containsExactly(tuple(1, "broker-1.example"));
        assertThat(internal.brokers()).extracting(DescribeClusterBroker::brokerId, DescribeClusterBroker::host)
                .containsExactly(tuple(1, "10.0.0.1"), tuple(2, "10.0.0.2"));
    }

    private MetadataResponseData metadata(String listener) throws Exception {
        MetadataHandler handler = new MetadataHandler(broker.admin, broker.partitions,
                new BrokerIdentity("cluster", SingleBroker.NODE_ID), false);
        short version = ApiKeys.METADATA.latestVersion();
        MetadataRequestData data = new MetadataRequestData();
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC));
        return handler.handle(context(listener, ApiKeys.METADATA, version), new MetadataRequest(data, version))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static RequestContext context(String listener, ApiKeys api, short version) {
        return new RequestContext(new RequestHeader(api, version, "client", 1),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000), null,
                new ClientSession(listener, null, () -> KafkaPrincipal.ANONYMOUS, Authorizer.ALLOW_ALL));
    }
}
