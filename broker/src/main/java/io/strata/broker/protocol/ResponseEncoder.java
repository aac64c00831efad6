package io.strata.broker.protocol;

import io.netty.buffer.Unpooled;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.ResponseHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Serialises a response with kafka-clients' {@link SendBuilder} and turns the resulting
 * {@link Send} into Netty messages: heap parts become buffers, record sets read from segment files
 * become {@link SegmentFileRegion}s, so fetched records go from the page cache to the socket without
 * passing through the heap (unless TLS has to encrypt them).
 */
final class ResponseEncoder {

    private ResponseEncoder() {
    }

    static List<Object> encode(int correlationId, short headerVersion, ApiMessage body, short version) {
        Send send = SendBuilder.buildResponseSend(new ResponseHeader(correlationId, headerVersion), body, version);
        CollectingChannel channel = new CollectingChannel();
        try {
            while (!send.completed()) {
                send.writeTo(channel);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoding response " + correlationId, e);
        }
        return channel.parts;
    }

    /** Accepts every write in full, recording what was written in order. */
    private static final class CollectingChannel implements TransferableChannel {
        private final List<Object> parts = new ArrayList<>(4);

        @Override
        public int write(ByteBuffer src) {
            int length = src.remaining();
            parts.add(Unpooled.wrappedBuffer(src.slice()));
            src.position(src.limit());
            return length;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long written = 0;
            for (int i = offset; i < offset + length; i++) {
                if (srcs[i].hasRemaining()) {
                    written += write(srcs[i]);
                }
            }
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) {
            parts.add(new SegmentFileRegion(fileChannel, position, count));
            return count;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
