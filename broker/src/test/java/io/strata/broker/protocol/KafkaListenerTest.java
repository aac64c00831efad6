package io.strata.broker.protocol;

import io.strata.broker.testing.KafkaWire;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The listener's liveness probe, connection count and request metrics, with a handler that blocks its event loop. */
class KafkaListenerTest {

    @Test
    void aBlockedEventLoopLeavesTheProbeUnansweredUntilItRunsAgain() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        ApiHandler<MetadataRequest> blocking = new ApiHandler<>() {
            @Override
            public ApiKeys apiKey() {
                return ApiKeys.METADATA;
            }

            @Override
            public CompletableFuture<MetadataResponseData> handle(RequestContext context, MetadataRequest request) {
                entered.countDown();
                try {
                    // Wrong in a real handler, on purpose here: the event loop is stuck.
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return CompletableFuture.completedFuture(new MetadataResponseData());
            }
        };
        AtomicLong metadataRequests = new AtomicLong();
        RequestMetrics metrics = (apiKey, nanos) -> {
            if (apiKey == ApiKeys.METADATA && nanos > 0) {
                metadataRequests.incrementAndGet();
            }
        };
        KafkaListener listener = new KafkaListener("PLAINTEXT", new ApiRouter(List.of(blocking)), metrics, 1 << 20, 1,
                new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofMinutes(10)), new RequestMemoryPool(Long.MAX_VALUE),
                Optional.empty(), ListenerAuthentication.NONE);
        try {
            InetSocketAddress address = listener.bind("127.0.0.1", 0);
            listener.probeEventLoops().get(1, TimeUnit.SECONDS);
            assertThat(listener.openConnections()).isZero();

            try (KafkaWire wire = new KafkaWire(address)) {
                CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                    try {
                        wire.send(ApiKeys.METADATA, ApiKeys.METADATA.latestVersion(), new MetadataRequestData());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                assertThat(listener.openConnections()).isEqualTo(1);

                CompletableFuture<Void> probe = listener.probeEventLoops();
                assertThatThrownBy(() -> probe.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

                release.countDown();
                probe.get(5, TimeUnit.SECONDS);
                answered.get(10, TimeUnit.SECONDS);
                assertThat(metadataRequests).hasValue(1);
            }
            await().atMost(5, TimeUnit.SECONDS).until(() -> listener.openConnections() == 0);
        } finally {
            release.countDown();
            listener.close();
        }
        assertThatThrownBy(() -> listener.probeEventLoops().get(1, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("shut down");
    }

    /** Kafka's connections.max.idle.ms: a silent connection is closed, one that keeps asking is not. */
    @Test
    void aConnectionWithoutTrafficIsClosedAfterTheIdleLimit() throws Exception {
        KafkaListener listener = new KafkaListener("PLAINTEXT", new ApiRouter(List.of()), (apiKey, nanos) -> { },
                1 << 20, 1, new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofSeconds(2)),
                new RequestMemoryPool(Long.MAX_VALUE), Optional.empty(), ListenerAuthentication.NONE);
        try {
            InetSocketAddress address = listener.bind("127.0.0.1", 0);
            try (KafkaWire busy = new KafkaWire(address); Socket silent = new Socket()) {
                silent.connect(address);
                silent.setSoTimeout(10_000);
                // Half a request's size field, then nothing.
                silent.getOutputStream().write(new byte[] {0, 0});
                for (int i = 0; i < 15; i++) {
                    assertThat(busy.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                            .setClientSoftwareName("busy").setClientSoftwareVersion("1")).errorCounts())
                            .containsOnlyKeys(Errors.NONE);
                    Thread.sleep(200);
                }
                assertThat(silent.getInputStream().read()).as("end of stream").isEqualTo(-1);
            }
        } finally {
            listener.close();
        }
    }
}
