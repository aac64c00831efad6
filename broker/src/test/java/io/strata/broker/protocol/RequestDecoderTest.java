package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The request decoder against kafka-clients' own parsing: every version of every API a broker
 * serves decodes to the header and body that kafka-clients reads from the same bytes, and the body
 * writes back to exactly the bytes sent. Frames that are not such a request fail the decode with
 * what was wrong with them, which closes the connection (see {@link KafkaConnectionTest}).
 */
class RequestDecoderTest {

    private static final int MAX_FRAME_BYTES = 1 << 20;
    private static final Uuid TOPIC_ID = Uuid.fromString("vbTh0n1eRlW2cJ8fX7m9aQ");

    @TempDir
    static Path dataDir;
    /** What a broker advertises. */
    private static List<ApiVersion> advertised;
    /** What it serves: what it advertises but for the Produce versions kafka-clients no longer has. */
    private static List<ApiVersion> served;

    @BeforeAll
    static void askABrokerWhatItServes() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir);
             KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            ApiVersionsResponse response = (ApiVersionsResponse) wire.send(new ApiVersionsRequest.Builder().build());
            advertised = List.copyOf(response.data().apiKeys());
        }
        served = advertised.stream().map(range -> range.apiKey() == ApiKeys.PRODUCE.id
                ? range.duplicate().setMinVersion(ApiKeys.PRODUCE.oldestVersion()) : range).toList();
        assertThat(served).extracting(ApiVersion::apiKey).contains(ApiKeys.PRODUCE.id, ApiKeys.FETCH.id);
    }

    static Stream<Arguments> servedVersions() {
        return served.stream().flatMap(range -> IntStream.rangeClosed(range.minVersion(), range.maxVersion())
                .mapToObj(version -> Arguments.of(ApiKeys.forId(range.apiKey()), (short) version)));
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("servedVersions")
    void decodesEveryServedVersionAsKafkaClientsDoes(ApiKeys apiKey, short version) {
        RequestHeader header = new RequestHeader(apiKey, version, "decoder-test", 17);
        ApiMessage sample = sample(apiKey);
        ByteBuffer request = Frames.request(header, sample);
        EmbeddedChannel channel = decoder(routerServing(served));

        ByteBuf frame = Frames.sized(request);
        channel.writeInbound(frame);
        KafkaRequest decoded = channel.readInbound();

        ByteBuffer clientView = request.duplicate();
        RequestHeader clientHeader = RequestHeader.parse(clientView);
        AbstractRequest clientBody = AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(clientView)).request;
        try {
            assertThat(decoded.header()).isEqualTo(clientHeader).isEqualTo(header);
            assertThat(decoded.isUnsupportedApiVersions()).isFalse();
            assertThat(decoded.body().apiKey()).isEqualTo(apiKey);
            assertThat(decoded.body().version()).isEqualTo(version);
            assertThat(decoded.body().data()).isEqualTo(clientBody.data());
            assertThat(Frames.body(decoded.body().data(), version)).isEqualTo(Frames.body(sample, version));
            // Produce records are read straight from the frame, so that request holds it until released;
            // any other body is a copy, and its frame is released as soon as it is decoded.
            assertThat(frame.refCnt()).isEqualTo(apiKey == ApiKeys.PRODUCE ? 1 : 0);
        } finally {
            decoded.release();
        }
        assertThat(frame.refCnt()).isZero();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aTooNewApiVersionsRequestIsDecodedWithoutABodySoItCanBeAnsweredAtVersionZero() {
        EmbeddedChannel channel = decoder(routerServing(served));
        short tooNew = (short) (ApiKeys.API_VERSIONS.latestVersion() + 1);
        // A flexible request header: key, version, correlation id, null client id, no tagged fields.
        ByteBuffer request = ByteBuffer.allocate(11)
                .putShort(ApiKeys.API_VERSIONS.id).putShort(tooNew).putInt(5).putShort((short) -1).put((byte) 0)
                .flip();

        channel.writeInbound(Frames.sized(request));
        KafkaRequest decoded = channel.readInbound();

        assertThat(decoded.isUnsupportedApiVersions()).isTrue();
        assertThat(decoded.header().correlationId()).isEqualTo(5);
        assertThat(decoded.header().apiVersion()).isEqualTo(tooNew);
        decoded.release();
    }

    @Test
    void aFrameSplitAcrossReadsIsDecodedOnceComplete() {
        EmbeddedChannel channel = decoder(routerServing(served));
        ByteBuf frame = Frames.sized(Frames.request(
                new RequestHeader(ApiKeys.PRODUCE, ApiKeys.PRODUCE.latestVersion(), "decoder-test", 1),
                sample(ApiKeys.PRODUCE)));

        assertThat(channel.writeInbound(frame.readRetainedSlice(frame.readableBytes() / 2))).isFalse();
        assertThat(channel.writeInbound(frame)).isTrue();

        KafkaRequest decoded = channel.readInbound();
        assertThat(decoded.header().correlationId()).isEqualTo(1);
        decoded.release();
    }

    @Test
    void aTruncatedBodyFailsWithTheApiAndVersion() {
        short version = ApiKeys.PRODUCE.latestVersion();
        ByteBuffer request = Frames.request(new RequestHeader(ApiKeys.PRODUCE, version, "decoder-test", 1),
                sample(ApiKeys.PRODUCE));
        request.limit(request.limit() - 10);

        assertDecodeFails(routerServing(served), Frames.sized(request), "malformed PRODUCE v" + version + " body");
    }

    @Test
    void bytesAfterTheBodyFailTheDecode() {
        ByteBuffer request = Frames.request(new RequestHeader(ApiKeys.METADATA, (short) 12, "decoder-test", 1),
                sample(ApiKeys.METADATA));
        ByteBuffer padded = ByteBuffer.allocate(request.remaining() + 3).put(request).put(new byte[3]).flip();

        assertDecodeFails(routerServing(served), Frames.sized(padded), "METADATA v12 frame has 3 bytes after the request body");
    }

    @Test
    void anUnknownApiKeyFailsTheDecode() {
        ByteBuffer request = ByteBuffer.allocate(10).putShort((short) 999).putShort((short) 0).putInt(1)
                .putShort((short) -1).flip();

        assertDecodeFails(routerServing(served), Frames.sized(request), "999");
    }

    @Test
    void anApiTheBrokerDoesNotServeFailsTheDecode() {
        assertThat(served).extracting(ApiVersion::apiKey).doesNotContain(ApiKeys.ALTER_REPLICA_LOG_DIRS.id);
        ByteBuffer request = Frames.request(new RequestHeader(ApiKeys.ALTER_REPLICA_LOG_DIRS, (short) 2, "decoder-test", 1),
                ApiMessageType.ALTER_REPLICA_LOG_DIRS.newRequest());

        assertDecodeFails(routerServing(served), Frames.sized(request),
                "unsupported version 2 of ALTER_REPLICA_LOG_DIRS (served: none)");
    }

    @Test
    void produceIsAdvertisedFromVersionZeroButARequestOfAnOlderVersionThanServedFailsTheDecode() {
        ApiVersion produce = advertised.stream().filter(range -> range.apiKey() == ApiKeys.PRODUCE.id).findFirst()
                .orElseThrow();
        assertThat(produce.minVersion()).isZero();
        assertThat(ApiKeys.PRODUCE.oldestVersion()).isEqualTo((short) 3);
        // A Produce v0 header and the start of a body: no schema of kafka-clients writes one any more.
        ByteBuffer request = ByteBuffer.allocate(16).putShort(ApiKeys.PRODUCE.id).putShort((short) 0).putInt(1)
                .putShort((short) -1).putShort((short) 1).putInt(30_000).flip();

        assertDecodeFails(new ApiRouter(List.of(new Unanswered(ApiKeys.PRODUCE, ApiKeys.PRODUCE.oldestVersion(),
                ApiKeys.PRODUCE.latestVersion()))), Frames.sized(request), "unsupported version 0 of PRODUCE (served: 3-");
    }

    @Test
    void aVersionOutsideTheServedRangeFailsTheDecodeWithTheRange() {
        short latest = ApiKeys.METADATA.latestVersion();
        ApiRouter router = new ApiRouter(List.of(new Unanswered(ApiKeys.METADATA, (short) 1, (short) (latest - 1))));
        ByteBuffer request = Frames.request(new RequestHeader(ApiKeys.METADATA, latest, "decoder-test", 1),
                sample(ApiKeys.METADATA));

        assertDecodeFails(router, Frames.sized(request),
                "unsupported version " + latest + " of METADATA (served: 1-" + (latest - 1) + ")");
    }

    @Test
    void aFrameOverTheMaximumSizeFailsBeforeItIsRead() {
        EmbeddedChannel channel = decoder(routerServing(served));
        ByteBuf frame = Frames.sized(ByteBuffer.allocate(16), MAX_FRAME_BYTES + 1);

        assertThatThrownBy(() -> channel.writeInbound(frame)).isInstanceOf(TooLongFrameException.class);
    }

    private static void assertDecodeFails(ApiRouter router, ByteBuf frame, String message) {
        EmbeddedChannel channel = decoder(router);
        assertThatThrownBy(() -> channel.writeInbound(frame))
                .isInstanceOf(DecoderException.class)
                .cause().isInstanceOf(InvalidRequestException.class).hasMessageContaining(message);
        assertThat(frame.refCnt()).isZero();
        assertThat((Object) channel.readInbound()).isNull();
    }

    /** The connection's own frame and request decoders, with nothing after them to dispatch. */
    private static EmbeddedChannel decoder(ApiRouter router) {
        EmbeddedChannel channel = new EmbeddedChannel(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                KafkaListener.addConnectionHandlers(ch.pipeline(), "PLAINTEXT", router, (apiKey, nanos) -> { },
                        MAX_FRAME_BYTES, new RequestMemoryPool(Long.MAX_VALUE), ListenerAuthentication.NONE);
            }
        });
        channel.pipeline().remove("connection");
        return channel;
    }

    private static ApiRouter routerServing(List<ApiVersion> versions) {
        return new ApiRouter(versions.stream()
                .filter(range -> range.apiKey() != ApiKeys.API_VERSIONS.id)
                .map(range -> new Unanswered(ApiKeys.forId(range.apiKey()), range.minVersion(), range.maxVersion()))
                .toList());
    }

    /**
     * A request with content for the APIs whose bodies carry the most structure (records, topic ids,
     * nested collections); kafka-clients' defaults for the rest. Fields a version does not have are
     * ignorable here, so one sample serves every version.
     */
    private static ApiMessage sample(ApiKeys apiKey) {
        return switch (apiKey) {
            case PRODUCE -> new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000)
                    .setTopicData(new TopicProduceDataCollection(List.of(new TopicProduceData()
                            .setName("orders").setTopicId(TOPIC_ID)
                            .setPartitionData(List.of(new PartitionProduceData().setIndex(3)
                                    .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                            new SimpleRecord(utf8("key"), utf8("value"))))))).iterator()));
            case FETCH -> new FetchRequestData().setMaxWaitMs(500).setMinBytes(1).setMaxBytes(1 << 20)
                    .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("orders").setTopicId(TOPIC_ID)
                            .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(3)
                                    .setFetchOffset(42).setPartitionMaxBytes(1 << 16)))));
            case METADATA -> new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("orders")));
            // kafka-clients refuses to parse a filter with unknown (0) codes, its defaults.
            case DESCRIBE_ACLS -> new DescribeAclsRequestData().setResourceTypeFilter(ResourceType.TOPIC.code())
                    .setPatternTypeFilter(PatternType.LITERAL.code()).setOperation(AclOperation.ANY.code())
                    .setPermissionType(AclPermissionType.ANY.code());
            default -> ApiMessageType.fromApiKey(apiKey.id).newRequest();
        };
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Declares a version range and is never called: a decoder only asks its router what is served. */
    private record Unanswered(ApiKeys apiKey, short minVersion, short maxVersion) implements ApiHandler<AbstractRequest> {
        @Override
        public CompletionStage<ApiMessage> handle(RequestContext context, AbstractRequest request) {
            throw new AssertionError("nothing is dispatched in a decoder test");
        }
    }
}
