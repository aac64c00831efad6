package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

/**
 * Cuts the connection's bytes into the Kafka protocol's size-prefixed frames, of at most
 * {@code socket.request.max.bytes}; while the connection has still to authenticate with SASL, of at most
 * {@link #UNAUTHENTICATED_MAX_BYTES}, Kafka's {@code sasl.server.max.receive.size}, so that a client that has not
 * proven who it is cannot make the broker buffer and parse a large request. The size prefix is stripped.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    /** Kafka's {@code sasl.server.max.receive.size}: enough for every SASL exchange and ApiVersions. */
    static final int UNAUTHENTICATED_MAX_BYTES = 524_288;

    private final BooleanSupplier unauthenticated;

    /** @param unauthenticated whether the connection has still to authenticate, asked at each frame */
    FrameDecoder(int maxFrameBytes, BooleanSupplier unauthenticated) {
        super(ByteOrder.BIG_ENDIAN, maxFrameBytes + 4, 0, 4, 0, 4, true);
        this.unauthenticated = unauthenticated;
    }

    @Override
    protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
        long frameLength = super.getUnadjustedFrameLength(buf, offset, length, order);
        if (frameLength > UNAUTHENTICATED_MAX_BYTES && unauthenticated.getAsBoolean()) {
            throw new UnauthenticatedFrameException("a frame of " + frameLength + " bytes before authenticating;"
                    + " at most " + UNAUTHENTICATED_MAX_BYTES + " (sasl.server.max.receive.size)");
        }
        return frameLength;
    }

    /** A frame larger than a connection that has still to authenticate may send. */
    static final class UnauthenticatedFrameException extends TooLongFrameException {
        UnauthenticatedFrameException(String message) {
            super(message);
        }
    }
}
