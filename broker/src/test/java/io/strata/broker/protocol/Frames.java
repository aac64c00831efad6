package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.RequestHeader;

import java.nio.ByteBuffer;

/** Request frames as a client writes them: a 4-byte size, the request header, then the body, built by kafka-clients. */
final class Frames {

    private Frames() {
    }

    /** The header and body bytes of a request, without the size prefix. */
    static ByteBuffer request(RequestHeader header, ApiMessage body) {
        ByteBuffer headerBytes = MessageUtil.toByteBufferAccessor(header.data(), header.headerVersion()).buffer();
        ByteBuffer bodyBytes = body(body, header.apiVersion());
        ByteBuffer request = ByteBuffer.allocate(headerBytes.remaining() + bodyBytes.remaining());
        return request.put(headerBytes).put(bodyBytes).flip();
    }

    static ByteBuffer body(ApiMessage body, short version) {
        return MessageUtil.toByteBufferAccessor(body, version).buffer();
    }

    /** {@code request} behind a size prefix that states its length. */
    static ByteBuf sized(ByteBuffer request) {
        return sized(request, request.remaining());
    }

    /** {@code request} behind a size prefix of {@code statedSize}, which a broken client may get wrong. */
    static ByteBuf sized(ByteBuffer request, int statedSize) {
        return Unpooled.buffer(4 + request.remaining()).writeInt(statedSize).writeBytes(request.duplicate());
    }
}
