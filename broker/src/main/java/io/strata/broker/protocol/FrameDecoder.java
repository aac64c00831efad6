package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

/**
 * Cuts the connection's bytes into the Kafka protocol's size-prefixed frames, of at most
 * {@code socket.request.max.bytes}; while the connection has still to authenticate with SASL, of at most
 * {@link #UNAUTHENTICATED_MAX_BYTES}, Kafka's {@code sasl.server.max.receive.size}, so that a client that has not
 * proven who it is cannot make the broker buffer and parse a large request. A large frame reserves its size in the
 * broker's {@link RequestMemoryPool} while it is received, and the connection is not read while it does not fit. The
 * size prefix is stripped.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {

    /** Kafka's {@code sasl.server.max.receive.size}: enough for every SASL exchange and ApiVersions. */
    static final int UNAUTHENTICATED_MAX_BYTES = 524_288;

    private final BooleanSupplier unauthenticated;
    private final int maxFrameBytes;
    private final RequestMemoryPool pool;
    /** What the frame being received reserved in the pool; 0 for none. */
    private long reserved;

    /** @param unauthenticated whether the connection has still to authenticate, asked at each frame */
    FrameDecoder(int maxFrameBytes, BooleanSupplier unauthenticated, RequestMemoryPool pool) {
        super(ByteOrder.BIG_ENDIAN, maxFrameBytes + 4, 0, 4, 0, 4, true);
        this.unauthenticated = unauthenticated;
        this.maxFrameBytes = maxFrameBytes;
        this.pool = pool;
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (reserved == 0 && in.readableBytes() >= 4) {
            long length = in.getUnsignedInt(in.readerIndex());
            // Larger than a connection may send, the frame is refused below, without a reservation.
            if (length > RequestMemoryPool.SMALL_FRAME_BYTES && length <= maxFrameBytes
                    && !(length > UNAUTHENTICATED_MAX_BYTES && unauthenticated.getAsBoolean())) {
                if (!pool.tryReserve(length)) {
                    waitForMemory(ctx);
                    return null;
                }
                reserved = length;
            }
        }
        Object frame = super.decode(ctx, in);
        if (frame != null && reserved > 0) {
            pool.free(reserved);
            reserved = 0;
        }
        return frame;
    }

    /** Reads nothing more until the pool has memory again, then decodes what arrived meanwhile. */
    private void waitForMemory(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        channel.config().setAutoRead(false);
        pool.awaitFree(() -> channel.eventLoop().execute(() -> {
            if (channel.isActive() && !ctx.isRemoved()) {
                channel.config().setAutoRead(true);
                // The frame's bytes may all be here already: nothing would arrive to decode them.
                try {
                    channelRead(ctx, Unpooled.EMPTY_BUFFER);
                } catch (Exception e) {
                    ctx.fireExceptionCaught(e);
                }
            }
        }));
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (reserved > 0) {
            pool.free(reserved);
            reserved = 0;
        }
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
