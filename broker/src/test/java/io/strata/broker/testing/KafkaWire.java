package io.strata.broker.testing;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

/**
 * A bare Kafka protocol connection for tests: sends any request kafka-clients can build, at any
 * version, and parses the response with kafka-clients' own classes. Also writes raw bytes, for
 * tests of malformed input.
 */
public final class KafkaWire implements AutoCloseable {

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private int correlationId;

    public KafkaWire(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    public Socket socket() {
        return socket;
    }

    /** Sends {@code request} and returns its parsed response. */
    public AbstractResponse send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "kafka-wire", ++correlationId);
        writeFrame(request.serializeWithHeader(header));
        return AbstractResponse.parseResponse(readFrame(), header);
    }

    /** Sends a request body at exactly {@code version}, bypassing the builders' own version checks. */
    public AbstractResponse send(ApiKeys apiKey, short version, ApiMessage body) throws IOException {
        RequestHeader header = new RequestHeader(apiKey, version, "kafka-wire", ++correlationId);
        ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        ByteBuffer bodyBytes = MessageUtil.toByteBufferAccessor(body, version).buffer();
        out.writeInt(headerBytes.remaining() + bodyBytes.remaining());
        out.write(headerBytes.array(), headerBytes.arrayOffset() + headerBytes.position(), headerBytes.remaining());
        out.write(bodyBytes.array(), bodyBytes.arrayOffset() + bodyBytes.position(), bodyBytes.remaining());
        out.flush();
        return AbstractResponse.parseResponse(readFrame(), header);
    }

    public void writeFrame(ByteBuffer body) throws IOException {
        out.writeInt(body.remaining());
        out.write(body.array(), body.arrayOffset() + body.position(), body.remaining());
        out.flush();
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public ByteBuffer readFrame() throws IOException {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return ByteBuffer.wrap(frame);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
