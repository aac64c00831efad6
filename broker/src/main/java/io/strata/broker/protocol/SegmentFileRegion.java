package io.strata.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.stream.ChunkedInput;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Records of a fetch response that lie in a segment file: sent with {@code sendfile} as a file region,
 * or, where TLS must encrypt them, read into buffers as {@link #chunks()}. The segment owns the file
 * channel and keeps it open; neither form closes it.
 */
final class SegmentFileRegion extends DefaultFileRegion {

    /** Bytes read at a time under TLS: a few TLS records, read only as fast as the socket drains. */
    static final int CHUNK_BYTES = 64 * 1024;

    private final FileChannel file;

    SegmentFileRegion(FileChannel file, long position, long count) {
        super(file, position, count);
        this.file = file;
    }

    /** The same bytes as buffers, each read from the file when the socket can take more. */
    ChunkedInput<ByteBuf> chunks() {
        return new Chunks(position(), position() + count());
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the log segment; releasing the region must not close it.
    }

    /** Reads by absolute position, so the channel's own position, which appends use, is left alone. */
    private final class Chunks implements ChunkedInput<ByteBuf> {
        private final long start;
        private final long end;
        private long next;

        Chunks(long start, long end) {
            this.start = start;
            this.end = end;
            this.next = start;
        }

        @Override
        public boolean isEndOfInput() {
            return next >= end;
        }

        @Override
        public ByteBuf readChunk(ChannelHandlerContext ctx) throws IOException {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
            if (isEndOfInput()) {
                return null;
            }
            int size = (int) Math.min(CHUNK_BYTES, end - next);
            ByteBuf chunk = allocator.buffer(size);
            try {
                while (chunk.readableBytes() < size) {
                    int read = chunk.writeBytes(file, next, size - chunk.readableBytes());
                    if (read < 0) {
                        throw new EOFException("segment file ended at byte " + next + " of a fetch that reads to " + end);
                    }
                    next += read;
                }
                return chunk;
            } catch (IOException | RuntimeException e) {
                chunk.release();
                throw e;
            }
        }

        @Override
        public long length() {
            return end - start;
        }

        @Override
        public long progress() {
            return next - start;
        }

        @Override
        public void close() {
            // The channel belongs to the log segment.
        }
    }
}
