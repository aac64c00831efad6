package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.BrokerIdentity;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.config.ReplicaSelector;
import io.strata.broker.protocol.ClientSession;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.fetch.FetchSessionCache;
import io.strata.broker.replication.ReplicationThrottle;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A partition the metadata has but whose log is not open yet, as right after its topic was created or after a
 * restart before its recovery: produce and fetch answer NOT_LEADER_OR_FOLLOWER, which clients retry; a
 * partition the topic does not have stays unknown. While the broker loads its logs (nothing here ends the load),
 * Metadata waits for the partitions it names to open, for a while.
 */
class UnopenedPartitionTest {

    private static final String TOPIC = "loading";
    private static final short PRODUCE_VERSION = 9;
    private static final short FETCH_VERSION = 12;

    @RegisterExtension
    final SingleBroker broker = SingleBroker.loading();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    /** The topic is in the metadata only: unlike {@link SingleBroker#createTopic}, nothing opens its logs. */
    @BeforeEach
    void createTopic() throws Exception {
        assertThat(broker.metadata.submit(new CreateTopic(TOPIC, Uuid.randomUuid(), 2, (short) 1, Map.of(), List.of()))
                .get(10, TimeUnit.SECONDS).isError()).isFalse();
    }

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void produceAndFetchAreToldToRetryUntilTheLogIsOpen() throws Exception {
        ProduceHandler produce = new ProduceHandler(broker.partitions, broker.metadata::image, null, false);
        FetchHandler fetch = new FetchHandler(broker.partitions, broker.metadata::image,
                new FetchSessionCache(FetchSessionCache.DEFAULT_MAX_SESSIONS, Time.SYSTEM), ReplicaSelector.LEADER,
                new ReplicationThrottle(ReplicationThrottle.Side.LEADER, 1, Time.SYSTEM));

        assertThat(produceError(produce, 0)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(produceError(produce, 7)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(fetchError(fetch, 0)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);

        broker.partitions.reconcile(broker.metadata.image());

        assertThat(produceError(produce, 0)).isEqualTo(Errors.NONE);
        assertThat(fetchError(fetch, 0)).isEqualTo(Errors.NONE);
    }

    @Test
    void metadataWhileTheBrokerLoadsAnswersOnceThePartitionsItNamesAreOpen() throws Exception {
        // A wait far longer than the test: the answer can only come from the partitions opening.
        CompletableFuture<MetadataResponseData> answer = metadata(Duration.ofMinutes(1));
        assertThat(answer).isNotDone();

        broker.partitions.reconcile(broker.metadata.image());

        assertThat(answer.get(10, TimeUnit.SECONDS).topics().find(TOPIC).partitions())
                .extracting(MetadataResponsePartition::errorCode, MetadataResponsePartition::leaderId)
                .containsExactly(tuple(Errors.NONE.code(), SingleBroker.NODE_ID),
                        tuple(Errors.NONE.code(), SingleBroker.NODE_ID));
    }

    @Test
    void metadataWhileTheBrokerLoadsNamesNoLeaderForAPartitionStillClosedAfterTheWait() throws Exception {
        long start = System.nanoTime();
        MetadataResponseData answer = metadata(MetadataHandler.LOADING_WAIT).get(10, TimeUnit.SECONDS);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(MetadataHandler.LOADING_WAIT);
        assertThat(answer.topics().find(TOPIC).partitions())
                .extracting(MetadataResponsePartition::errorCode, MetadataResponsePartition::leaderId)
                .containsOnly(tuple(Errors.LEADER_NOT_AVAILABLE.code(), -1));
    }

    private CompletableFuture<MetadataResponseData> metadata(Duration loadingWait) {
        MetadataHandler handler = new MetadataHandler(broker.admin, broker.partitions,
                new BrokerIdentity("cluster", SingleBroker.NODE_ID), false, loadingWait);
        short version = ApiKeys.METADATA.latestVersion();
        MetadataRequestData data = new MetadataRequestData();
        data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC));
        return handler.handle(context(ApiKeys.METADATA, version, timer), new MetadataRequest(data, version))
                .toCompletableFuture();
    }

    private static Errors produceError(ProduceHandler handler, int partition) throws Exception {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes()))))));
        ProduceResponseData response = handler.handle(context(ApiKeys.PRODUCE, PRODUCE_VERSION),
                new ProduceRequest(data, PRODUCE_VERSION)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return Errors.forCode(response.responses().iterator().next().partitionResponses().get(0).errorCode());
    }

    private Errors fetchError(FetchHandler handler, int partition) throws Exception {
        FetchRequestData data = new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                .setReplicaId(-1);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic(TOPIC).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20))));
        FetchResponseData response = handler.handle(context(ApiKeys.FETCH, FETCH_VERSION, timer),
                new FetchRequest(data, FETCH_VERSION)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return Errors.forCode(response.responses().get(0).partitions().get(0).errorCode());
    }

    private static RequestContext context(ApiKeys api, short version) {
        return context(api, version, null);
    }

    private static RequestContext context(ApiKeys api, short version, ScheduledExecutorService eventLoop) {
        return new RequestContext(new RequestHeader(api, version, "client", 1),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000), eventLoop, ClientSession.anonymous());
    }
}
