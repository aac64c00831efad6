package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.strata.broker.testing.KafkaWire;
import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.strata.broker.protocol.KafkaConnection.MAX_IN_FLIGHT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One connection's real pipeline on an embedded channel (and once on a loopback socket, for
 * completions on other threads), with handlers whose responses the test completes in the order it
 * chooses: responses leave in request order, reading pauses under back-pressure, and failures
 * become error responses or a closed connection.
 */
class KafkaConnectionTest {

    private static final short METADATA_VERSION = 12;
    private static final short LIST_GROUPS_VERSION = 4;

    private final Map<ApiKeys, HeldHandler> handlers = new EnumMap<>(ApiKeys.class);
    private final List<ApiKeys> completed = new ArrayList<>();
    private final Map<Integer, RequestHeader> sent = new HashMap<>();
    private final ByteBuf received = Unpooled.buffer();
    private final EmbeddedChannel channel = connection();
    private int correlationId;

    @AfterEach
    void closeChannel() {
        channel.finishAndReleaseAll();
        received.release();
    }

    @Test
    void responsesLeaveInRequestOrderWhateverOrderTheirHandlersCompleteIn() {
        int first = sendMetadata();
        int second = sendMetadata();
        int third = sendMetadata();
        List<CompletableFuture<ApiMessage>> pending = handlers.get(ApiKeys.METADATA).pending;

        pending.get(2).complete(new MetadataResponseData().setClusterId("third"));
        assertThat(responses()).isEmpty();

        pending.get(0).complete(new MetadataResponseData().setClusterId("first"));
        assertThat(clusterIds(responses())).containsExactly(Map.entry(first, "first"));

        pending.get(1).complete(new MetadataResponseData().setClusterId("second"));
        assertThat(clusterIds(responses())).containsExactly(Map.entry(second, "second"), Map.entry(third, "third"));
        assertThat(completed).containsExactly(ApiKeys.METADATA, ApiKeys.METADATA, ApiKeys.METADATA);
    }

    @Test
    void aRequestWithoutAResponseStillHoldsBackTheResponsesAfterIt() {
        sendProduce((short) 0);
        int metadata = sendMetadata();

        handlers.get(ApiKeys.METADATA).pending.get(0).complete(new MetadataResponseData().setClusterId("after"));
        assertThat(responses()).isEmpty();

        handlers.get(ApiKeys.PRODUCE).pending.get(0).complete(null);
        assertThat(clusterIds(responses())).containsExactly(Map.entry(metadata, "after"));
        assertThat(completed).containsExactly(ApiKeys.PRODUCE, ApiKeys.METADATA);
    }

    @Test
    void aWaitingRequestHoldsItsNetworkBufferOnlyIfItsRecordsAreReadFromIt() {
        ByteBuf metadataFrame = sendFrame(ApiKeys.METADATA, METADATA_VERSION, new MetadataRequestData());
        assertThat(metadataFrame.refCnt()).as("a waiting metadata request's frame").isZero();

        ByteBuf produceFrame = sendFrame(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), new ProduceRequestData());
        assertThat(produceFrame.refCnt()).as("a waiting produce request's frame").isPositive();

        handlers.get(ApiKeys.PRODUCE).complete(0, null);
        assertThat(produceFrame.refCnt()).as("a produce request's frame once it is done").isZero();
    }

    @Test
    void readingPausesAtTheInFlightLimitAndResumesBelowHalfOfIt() {
        IntStream.range(0, MAX_IN_FLIGHT - 1).forEach(i -> sendMetadata());
        assertThat(channel.config().isAutoRead()).isTrue();

        sendMetadata();
        assertThat(channel.config().isAutoRead()).isFalse();

        List<CompletableFuture<ApiMessage>> pending = handlers.get(ApiKeys.METADATA).pending;
        int half = MAX_IN_FLIGHT / 2;
        pending.subList(0, half).forEach(future -> future.complete(new MetadataResponseData()));
        assertThat(channel.config().isAutoRead()).as("%d still in flight", half).isFalse();

        pending.get(half).complete(new MetadataResponseData());
        assertThat(channel.config().isAutoRead()).as("%d still in flight", half - 1).isTrue();
        assertThat(responses()).hasSize(half + 1);
    }

    @Test
    void readingPausesWhileTheChannelIsNotWritableAndResumesWhenItDrains() {
        setWritable(false);
        assertThat(channel.config().isAutoRead()).isFalse();

        sendMetadata();
        handlers.get(ApiKeys.METADATA).pending.get(0).complete(new MetadataResponseData());
        assertThat(channel.config().isAutoRead()).as("no requests in flight, but still not writable").isFalse();

        setWritable(true);
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void becomingWritableDoesNotResumeReadingWhileTooManyRequestsAreInFlight() {
        IntStream.range(0, MAX_IN_FLIGHT).forEach(i -> sendMetadata());
        setWritable(false);
        setWritable(true);

        assertThat(channel.config().isAutoRead()).isFalse();
    }

    @Test
    void aFailedHandlerIsAnsweredWithItsApisErrorResponse() {
        int request = send(ApiKeys.LIST_GROUPS, LIST_GROUPS_VERSION, new ListGroupsRequestData());

        handlers.get(ApiKeys.LIST_GROUPS).pending.get(0)
                .completeExceptionally(new CoordinatorNotAvailableException("group metadata is loading"));

        List<Response> responses = responses();
        assertThat(responses).extracting(Response::correlationId).containsExactly(request);
        ListGroupsResponse response = (ListGroupsResponse) responses.get(0).body();
        assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aConnectionClosingFailureClosesTheConnectionWithoutAResponse() {
        sendMetadata();

        assertFailureClosesWithoutResponse(ApiKeys.METADATA, new ConnectionClosingException("the client must reconnect"));
    }

    @Test
    void aFailedRequestThatHasNoResponseClosesTheConnection() {
        sendProduce((short) 0);

        assertFailureClosesWithoutResponse(ApiKeys.PRODUCE, new NotLeaderOrFollowerException("partition moved"));
    }

    /** Fails the pending request of {@code api} with {@code failure}: the connection closes and nothing is answered. */
    private void assertFailureClosesWithoutResponse(ApiKeys api, Throwable failure) {
        handlers.get(api).pending.get(0).completeExceptionally(failure);

        assertThat(channel.isOpen()).isFalse();
        assertThat(responses()).isEmpty();
    }

    @Test
    void aFrameThatDoesNotDecodeClosesTheConnection() {
        ByteBuffer unknownApi = ByteBuffer.allocate(10).putShort((short) 999).putShort((short) 0).putInt(1)
                .putShort((short) -1).flip();

        channel.writeInbound(Frames.sized(unknownApi));

        assertThat(channel.isOpen()).isFalse();
        assertThat(handlers.values()).allSatisfy(handler -> assertThat(handler.pending).isEmpty());
    }

    @Test
    void aTooNewApiVersionsRequestIsAnsweredAtVersionZeroWithWhatIsServed() {
        // A flexible request header: key, version, correlation id, null client id, no tagged fields.
        ByteBuffer request = ByteBuffer.allocate(11).putShort(ApiKeys.API_VERSIONS.id)
                .putShort((short) (ApiKeys.API_VERSIONS.latestVersion() + 1)).putInt(9).putShort((short) -1)
                .put((byte) 0).flip();

        channel.writeInbound(Frames.sized(request));

        List<ByteBuffer> frames = frames();
        assertThat(frames).hasSize(1);
        ByteBuffer frame = frames.get(0);
        assertThat(ResponseHeader.parse(frame, (short) 0).correlationId()).isEqualTo(9);
        ApiVersionsResponseData data = new ApiVersionsResponseData();
        data.read(new ByteBufferAccessor(frame), (short) 0);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.UNSUPPORTED_VERSION);
        assertThat(data.apiKeys()).extracting(ApiVersionsResponseData.ApiVersion::apiKey)
                .containsExactlyInAnyOrder(ApiKeys.API_VERSIONS.id, ApiKeys.METADATA.id, ApiKeys.PRODUCE.id,
                        ApiKeys.LIST_GROUPS.id);
        assertThat(completed).containsExactly(ApiKeys.API_VERSIONS);
    }

    @Test
    void responsesCompletedOnOtherThreadsLeaveInRequestOrderOverARealSocket() throws Exception {
        HeldHandler metadata = new HeldHandler(ApiKeys.METADATA);
        KafkaListener listener = new KafkaListener("PLAINTEXT", new ApiRouter(List.of(metadata)),
                (apiKey, nanos) -> { }, 1 << 20, 1, new ConnectionLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Duration.ofMinutes(10)),
                new RequestMemoryPool(Long.MAX_VALUE), Optional.empty(), ListenerAuthentication.NONE);
        ExecutorService elsewhere = Executors.newSingleThreadExecutor();
        try (KafkaWire wire = new KafkaWire(listener.bind("127.0.0.1", 0))) {
            for (int correlationId = 1; correlationId <= 3; correlationId++) {
                wire.writeFrame(Frames.request(new RequestHeader(ApiKeys.METADATA, METADATA_VERSION, "connection-test",
                        correlationId), new MetadataRequestData()));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pendingCount() == 3);

            // Completed off the event loop, last request first: the connection hops back onto its loop.
            elsewhere.submit(() -> IntStream.of(2, 0, 1).forEach(i -> metadata.complete(i,
                    new MetadataResponseData().setClusterId("response-" + i)))).get(10, TimeUnit.SECONDS);

            for (int i = 0; i < 3; i++) {
                ByteBuffer frame = wire.readFrame();
                assertThat(ResponseHeader.parse(frame, ApiKeys.METADATA.responseHeaderVersion(METADATA_VERSION))
                        .correlationId()).isEqualTo(i + 1);
                MetadataResponseData body = new MetadataResponseData();
                body.read(new ByteBufferAccessor(frame), METADATA_VERSION);
                assertThat(body.clusterId()).isEqualTo("response-" + i);
            }
        } finally {
            elsewhere.shutdownNow();
            listener.close();
        }
    }

    private EmbeddedChannel connection() {
        List.of(ApiKeys.METADATA, ApiKeys.PRODUCE, ApiKeys.LIST_GROUPS)
                .forEach(apiKey -> handlers.put(apiKey, new HeldHandler(apiKey)));
        ApiRouter router = new ApiRouter(handlers.values());
        RequestMetrics metrics = (apiKey, nanos) -> completed.add(apiKey);
        return new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                KafkaListener.addConnectionHandlers(ch.pipeline(), "PLAINTEXT", router, metrics, 1 << 20,
                        new RequestMemoryPool(Long.MAX_VALUE), ListenerAuthentication.NONE);
            }
        });
    }

    private int sendMetadata() {
        return send(ApiKeys.METADATA, METADATA_VERSION, new MetadataRequestData());
    }

    private void sendProduce(short acks) {
        send(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), new ProduceRequestData().setAcks(acks));
    }

    private int send(ApiKeys apiKey, short version, ApiMessage body) {
        sendFrame(apiKey, version, body);
        return correlationId;
    }

    /** Sends a request in a buffer of its own, which is returned. */
    private ByteBuf sendFrame(ApiKeys apiKey, short version, ApiMessage body) {
        RequestHeader header = new RequestHeader(apiKey, version, "connection-test", ++correlationId);
        sent.put(correlationId, header);
        ByteBuf frame = Frames.sized(Frames.request(header, body));
        channel.writeInbound(frame);
        return frame;
    }

    /** Stands for the socket's outbound buffer crossing its high or low water mark. */
    private void setWritable(boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        channel.runPendingTasks();
    }

    /** The responses written since the last call, parsed by kafka-clients against their requests. */
    private List<Response> responses() {
        return frames().stream().map(frame -> {
            int correlationId = frame.getInt(frame.position());
            return new Response(correlationId, AbstractResponse.parseResponse(frame, sent.get(correlationId)));
        }).toList();
    }

    /** The complete response frames written since the last call, without their size prefix. */
    private List<ByteBuffer> frames() {
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            received.writeBytes(part);
            part.release();
        }
        List<ByteBuffer> frames = new ArrayList<>();
        while (received.readableBytes() >= 4 && received.readableBytes() >= 4 + received.getInt(received.readerIndex())) {
            int size = received.readInt();
            byte[] frame = new byte[size];
            received.readBytes(frame);
            frames.add(ByteBuffer.wrap(frame));
        }
        received.discardReadBytes();
        return frames;
    }

    private static List<Map.Entry<Integer, String>> clusterIds(List<Response> responses) {
        return responses.stream()
                .map(response -> Map.entry(response.correlationId(),
                        ((MetadataResponse) response.body()).data().clusterId()))
                .toList();
    }

    private record Response(int correlationId, AbstractResponse body) {
    }

    /**
     * Hands each request's response future to the test, which completes it when it chooses. Requests
     * arrive on the event loop while the test thread reads, hence the synchronized list.
     */
    private static final class HeldHandler implements ApiHandler<AbstractRequest> {
        private final ApiKeys apiKey;
        private final List<CompletableFuture<ApiMessage>> pending = Collections.synchronizedList(new ArrayList<>());

        HeldHandler(ApiKeys apiKey) {
            this.apiKey = apiKey;
        }

        @Override
        public ApiKeys apiKey() {
            return apiKey;
        }

        @Override
        public CompletionStage<ApiMessage> handle(RequestContext context, AbstractRequest request) {
            CompletableFuture<ApiMessage> response = new CompletableFuture<>();
            pending.add(response);
            return response;
        }

        int pendingCount() {
            return pending.size();
        }

        void complete(int request, ApiMessage response) {
            pending.get(request).complete(response);
        }
    }
}
