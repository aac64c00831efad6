package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns one size-stripped frame into a {@link KafkaRequest} with kafka-clients' generated classes.
 * Anything that is not a well-formed request of a served API version fails the decode, which closes
 * the connection: Kafka does the same, since the client's view of the stream is lost.
 */
final class RequestDecoder extends MessageToMessageDecoder<ByteBuf> {

    private final ApiRouter router;

    RequestDecoder(ApiRouter router) {
        this.router = router;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decode(frame.nioBuffer(), frame));
    }

    private KafkaRequest decode(ByteBuffer buffer, ByteBuf frame) {
        RequestHeader header = parseHeader(buffer);
        ApiKeys apiKey = header.apiKey();
        short version = header.apiVersion();
        if (!router.serves(apiKey, version)) {
            if (apiKey == ApiKeys.API_VERSIONS) {
                return new KafkaRequest(header, null, null);
            }
            throw new InvalidRequestException("unsupported version " + version + " of " + apiKey
                    + " (served: " + router.versionRange(apiKey) + ")");
        }
        RequestAndSize parsed;
        try {
            parsed = AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(buffer));
        } catch (RuntimeException e) {
            throw new InvalidRequestException("malformed " + apiKey + " v" + version + " body: " + e.getMessage(), e);
        }
        if (buffer.hasRemaining()) {
            throw new InvalidRequestException(apiKey + " v" + version + " frame has " + buffer.remaining()
                    + " bytes after the request body");
        }
        // Produce records are parsed in place, validated and written to the log straight from the network
        // buffer, so a produce request keeps its frame until it is done. Every other body is a copy, and its
        // frame goes back to the pool now: a long poll or a rebalance may wait long, or never finish if the
        // broker stops, and must not hold network buffers meanwhile.
        return new KafkaRequest(header, parsed.request, apiKey == ApiKeys.PRODUCE ? frame.retain() : null);
    }

    private static RequestHeader parseHeader(ByteBuffer buffer) {
        try {
            return RequestHeader.parse(buffer);
        } catch (InvalidRequestException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidRequestException("malformed request header: " + e, e);
        }
    }
}
