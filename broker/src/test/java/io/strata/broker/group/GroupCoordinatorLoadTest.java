package io.strata.broker.group;

import io.strata.broker.config.Configuration;
import io.strata.broker.config.GroupsConfig;
import io.strata.broker.protocol.ClientSession;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.protocol.handlers.FindCoordinatorHandler;
import io.strata.broker.rest.KafkaErrors;
import io.strata.broker.rest.RestException;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * While a coordinator replays {@code __consumer_offsets}, group requests fail at once with the
 * retriable COORDINATOR_LOAD_IN_PROGRESS instead of waiting, heartbeats excepted, which get NONE;
 * FindCoordinator answers meanwhile.
 */
@Timeout(60)
class GroupCoordinatorLoadTest {

    @TempDir
    Path dataDir;

    @Test
    void groupRequestsGetLoadInProgressUntilTheOffsetsTopicIsLoaded() throws Exception {
        TopicPartition tp = new TopicPartition("events", 0);
        try (TestBroker broker = TestBroker.start(dataDir)) {
            broker.createTopic("events", 1, Map.of());
            try (Admin admin = broker.admin()) {
                admin.alterConsumerGroupOffsets("loaded", Map.of(tp, new OffsetAndMetadata(7))).all().get();
            }

            // A second coordinator over the broker's partitions, whose replay waits on its clock until released.
            GatedTime time = new GatedTime();
            GroupConfig defaults = GroupConfig.from(Configuration.defaults(GroupsConfig.class));
            try (GroupCoordinator loading = new GroupCoordinator(defaults, broker.broker().partitions(),
                    broker.broker().topicAdmin(), null, false, time)) {
                loading.start(broker.broker().partitions().loaded());
                ClientContext client = new ClientContext((short) 9, "client", "/127.0.0.1");

                assertLoadInProgress(() -> loading.joinGroup(client, new JoinGroupRequestData().setGroupId("loaded")
                        .setSessionTimeoutMs(10_000).setProtocolType("consumer")));
                assertLoadInProgress(() -> loading.syncGroup(new SyncGroupRequestData().setGroupId("loaded")));
                // As Kafka answers a heartbeat while the group is loading: blindly, with NONE.
                assertThat(loading.heartbeat(new HeartbeatRequestData().setGroupId("loaded")).get(5, TimeUnit.SECONDS)
                        .errorCode()).isEqualTo(Errors.NONE.code());
                assertLoadInProgress(() -> loading.leaveGroup("loaded", List.of(new MemberIdentity().setMemberId("m"))));
                assertLoadInProgress(() -> loading.commitOffsets(client, new OffsetCommitRequestData().setGroupId("loaded")));
                assertLoadInProgress(() -> loading.fetchOffsets("loaded", null));
                assertLoadInProgress(() -> loading.deleteOffsets(new OffsetDeleteRequestData().setGroupId("loaded")));
                assertLoadInProgress(() -> loading.listGroups(List.of(), List.of()));
                assertLoadInProgress(() -> loading.describeGroups(List.of("loaded"), (short) 5));
                assertLoadInProgress(() -> loading.deleteGroups(List.of("loaded")));
                // The REST API's and the lag metrics' calls too, which REST answers as 503 like its other group calls.
                assertLoadInProgress(() -> loading.groupIds());
                assertLoadInProgress(() -> loading.lag("loaded"));
                RestException rest = KafkaErrors.toRest(new CoordinatorLoadInProgressException("loading"));
                assertThat(rest.status()).isEqualTo(503);
                assertThat(rest.kafkaError()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.name());
                CompletableFuture<Void> ready = loading.ready();
                assertThat(ready).isNotDone();
                // FindCoordinator names this broker at once: the clients' retries of the above wait, not it.
                FindCoordinatorHandler findCoordinator = new FindCoordinatorHandler(loading,
                        broker.broker().transactionCoordinator(), broker.broker().topicAdmin()::image);
                FindCoordinatorRequestData find = new FindCoordinatorRequestData()
                        .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of("loaded"));
                FindCoordinatorResponseData found = findCoordinator.handle(
                        new RequestContext(new RequestHeader(ApiKeys.FIND_COORDINATOR, (short) 4, "client", 1), null, null,
                                ClientSession.anonymous()),
                        new FindCoordinatorRequest.Builder(find).build((short) 4))
                        .toCompletableFuture().get(5, TimeUnit.SECONDS);
                assertThat(found.coordinators().get(0).errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(found.coordinators().get(0).nodeId()).isEqualTo(broker.broker().identity().nodeId());
                assertThat(ready).isNotDone();

                time.release();
                ready.get(30, TimeUnit.SECONDS);
                OffsetFetchResponseGroup fetched = loading.fetchOffsets("loaded", List.of(new OffsetFetchRequestTopics()
                        .setName("events").setPartitionIndexes(List.of(0)))).get(30, TimeUnit.SECONDS);
                assertThat(fetched.topics().get(0).partitions().get(0).committedOffset()).isEqualTo(7);
            }
        }
    }

    private static void assertLoadInProgress(Supplier<CompletableFuture<?>> request) {
        assertThatThrownBy(() -> request.get().get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(CoordinatorLoadInProgressException.class);
    }

    /** The system clock, except that reading the time in milliseconds waits until {@link #release()}. */
    private static final class GatedTime extends AdjustedSystemTime {
        private final CountDownLatch released = new CountDownLatch(1);

        void release() {
            released.countDown();
        }

        @Override
        public long milliseconds() {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.milliseconds();
        }
    }
}
