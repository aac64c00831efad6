package io.strata.broker.protocol;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;

import java.util.List;

/**
 * Under TLS, turns each {@link SegmentFileRegion} of a response into its {@link SegmentFileRegion#chunks()
 * chunks}, which the {@code ChunkedWriteHandler} before it reads as the socket drains: the TLS handler
 * encrypts buffers only, and a fetch read whole into memory would hold every fetched byte at once.
 * Stateless.
 */
@ChannelHandler.Sharable
final class SegmentChunker extends MessageToMessageEncoder<SegmentFileRegion> {

    @Override
    protected void encode(ChannelHandlerContext ctx, SegmentFileRegion region, List<Object> out) {
        out.add(region.chunks());
    }
}
