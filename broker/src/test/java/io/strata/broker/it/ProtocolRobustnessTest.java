package io.strata.broker.it;

import io.strata.broker.testing.KafkaWire;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed input on one connection closes that connection only: the broker keeps serving the
 * others. Frames are written by hand on raw sockets; well-formed ones with kafka-clients' classes.
 */
class ProtocolRobustnessTest {

    @RegisterExtension
    static final TestBroker broker = TestBroker.perClass(Map.of("strata.kafka.socket-request-max-bytes",
            Integer.toString(1024 * 1024)));

    @AfterEach
    void brokerStillServesOtherClients() throws Exception {
        try (Admin admin = broker.admin()) {
            assertThat(admin.describeCluster().nodes().get()).hasSize(1);
        }
        try (Socket socket = connect()) {
            ApiVersionsResponseData response = apiVersions(socket, ApiKeys.API_VERSIONS.latestVersion());
            assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", broker.broker().kafkaAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void writeFrame(Socket socket, byte[] body) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    private static byte[] request(ApiKeys apiKey, short version, org.apache.kafka.common.protocol.ApiMessage data) {
        RequestHeader header = new RequestHeader(apiKey, version, "robustness", 7);
        ByteBuffer buffer = org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(header.data(),
                header.headerVersion()).buffer();
        ByteBuffer body = org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(data, version).buffer();
        byte[] bytes = new byte[buffer.remaining() + body.remaining()];
        buffer.get(bytes, 0, buffer.remaining());
        body.get(bytes, bytes.length - body.remaining(), body.remaining());
        return bytes;
    }

    private static ByteBuffer readFrame(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return ByteBuffer.wrap(frame);
    }

    private static ApiVersionsResponseData apiVersions(Socket socket, short version) throws IOException {
        writeFrame(socket, request(ApiKeys.API_VERSIONS, version, new ApiVersionsRequestData()
                .setClientSoftwareName("robustness").setClientSoftwareVersion("1")));
        ByteBuffer frame = readFrame(socket);
        ResponseHeader.parse(frame, ApiKeys.API_VERSIONS.responseHeaderVersion(version));
        ApiVersionsResponseData response = new ApiVersionsResponseData();
        response.read(new ByteBufferAccessor(frame), version);
        return response;
    }

    /** True when the broker closed the connection (end of stream or reset) instead of answering. */
    /** Sends {@code body} as one frame on a new connection, which the broker must close. */
    private static void assertFrameClosesTheConnection(byte[] body) throws IOException {
        try (Socket socket = connect()) {
            writeFrame(socket, body);
            assertThat(closedByBroker(socket)).isTrue();
        }
    }

    private static boolean closedByBroker(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketException | EOFException e) {
            return true;
        }
    }

    @Test
    void randomBytesCloseTheConnection() throws Exception {
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            try (Socket socket = connect()) {
                byte[] junk = new byte[1 + random.nextInt(2000)];
                random.nextBytes(junk);
                junk[0] = 0;
                junk[1] = 0;
                socket.getOutputStream().write(junk);
                socket.getOutputStream().flush();
                socket.shutdownOutput();
                assertThat(closedByBroker(socket)).isTrue();
            }
        }
    }

    @Test
    void aTruncatedFrameNeverReachesAHandler() throws Exception {
        try (Socket socket = connect()) {
            byte[] valid = request(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(valid.length);
            out.write(valid, 0, valid.length / 2);
            out.flush();
            socket.shutdownOutput();
            assertThat(closedByBroker(socket)).isTrue();
        }
    }

    @Test
    void aSizeThatDisagreesWithTheBodyClosesTheConnection() throws Exception {
        byte[] valid = request(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                .setClientSoftwareName("x").setClientSoftwareVersion("1"));
        assertFrameClosesTheConnection(java.util.Arrays.copyOf(valid, valid.length + 16));
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(-5);
            out.flush();
            assertThat(closedByBroker(socket)).isTrue();
        }
    }

    @Test
    void anUnknownApiKeyClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(12);
        frame.putShort((short) 999).putShort((short) 0).putInt(1).putShort((short) -1);
        assertFrameClosesTheConnection(frame.array());
    }

    @Test
    void anUnsupportedVersionOfAnotherApiClosesTheConnection() throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(10);
        frame.putShort(ApiKeys.METADATA.id).putShort((short) 99).putInt(1).putShort((short) -1);
        assertFrameClosesTheConnection(frame.array());
    }

    @Test
    void aProduceOfAVersionAdvertisedOnlyForLibrdkafkasSakeClosesTheConnection() throws Exception {
        // Produce v2: a header, then acks -1 and a timeout, as v0-v2 bodies start.
        ByteBuffer frame = ByteBuffer.allocate(16);
        frame.putShort(ApiKeys.PRODUCE.id).putShort((short) 2).putInt(1).putShort((short) -1).putShort((short) -1)
                .putInt(30_000);
        assertFrameClosesTheConnection(frame.array());
    }

    @Test
    void aTooNewApiVersionsRequestIsAnsweredWithTheServedVersions() throws Exception {
        try (Socket socket = connect()) {
            // A flexible request header: key, version, correlation id, null client id, no tagged fields.
            ByteBuffer frame = ByteBuffer.allocate(11);
            frame.putShort(ApiKeys.API_VERSIONS.id).putShort((short) 99).putInt(3).putShort((short) -1).put((byte) 0);
            writeFrame(socket, frame.array());
            ByteBuffer response = readFrame(socket);
            assertThat(ResponseHeader.parse(response, (short) 0).correlationId()).isEqualTo(3);
            ApiVersionsResponseData data = new ApiVersionsResponseData();
            data.read(new ByteBufferAccessor(response), (short) 0);
            assertThat(data.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(data.apiKeys().find(ApiKeys.PRODUCE.id)).isNotNull();
            // The connection stays usable: the client retries with a version both sides know.
            assertThat(apiVersions(socket, (short) 3).errorCode()).isEqualTo(Errors.NONE.code());
        }
    }

    /** As Kafka answers them; each was UNKNOWN_SERVER_ERROR, which is for the broker's own faults. */
    @Test
    void requestsKafkaRefusesAsInvalidAreAnsweredInvalidRequest() throws Exception {
        try (KafkaWire wire = new KafkaWire(broker.broker().kafkaAddress())) {
            assertThat(wire.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("bad name!!").setClientSoftwareVersion("1")).errorCounts())
                    .containsOnlyKeys(Errors.INVALID_REQUEST);
            for (short version : new short[] {10, 12}) {
                MetadataRequestData nameless = new MetadataRequestData();
                nameless.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(null));
                assertThat(wire.send(ApiKeys.METADATA, version, nameless).errorCounts())
                        .as("v" + version).containsOnlyKeys(Errors.INVALID_REQUEST);
            }
            assertThat(wire.send(ApiKeys.ELECT_LEADERS, (short) 2, new ElectLeadersRequestData()
                    .setElectionType((byte) 9).setTopicPartitions(null).setTimeoutMs(1000)).errorCounts())
                    .containsOnlyKeys(Errors.INVALID_REQUEST);
        }
    }

    @Test
    void anOversizedFrameClosesTheConnectionWithoutReadingIt() throws Exception {
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(64 * 1024 * 1024);
            out.write(new byte[1024]);
            out.flush();
            assertThat(closedByBroker(socket)).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (int i = 0; i < 50; i++) {
                short version = (short) (i % 2 == 0 ? 12 : 3);
                ApiKeys key = i % 2 == 0 ? ApiKeys.METADATA : ApiKeys.API_VERSIONS;
                RequestHeader header = new RequestHeader(key, version, "pipeline", i);
                org.apache.kafka.common.requests.AbstractRequest request = i % 2 == 0
                        ? new MetadataRequest.Builder(new MetadataRequestData().setTopics(null)).build(version)
                        : new ApiVersionsRequest.Builder().build(version);
                ByteBuffer bytes = request.serializeWithHeader(header);
                out.writeInt(bytes.remaining());
                out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
            }
            out.flush();
            for (int i = 0; i < 50; i++) {
                ByteBuffer frame = readFrame(socket);
                short headerVersion = i % 2 == 0 ? ApiKeys.METADATA.responseHeaderVersion((short) 12) : 0;
                assertThat(ResponseHeader.parse(frame, headerVersion).correlationId()).isEqualTo(i);
            }
        }
    }

    @Test
    void manyConnectionsAreServedAtOnce() throws Exception {
        List<Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                sockets.add(connect());
            }
            for (Socket socket : sockets) {
                assertThat(apiVersions(socket, (short) 3).errorCode()).isEqualTo(Errors.NONE.code());
            }
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }
}
