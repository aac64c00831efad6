package io.strata.broker.protocol;

import io.netty.channel.socket.SocketChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import java.io.IOException;

/**
 * The TLS front of the listener's connections: {@code tls} (with the context of the moment, see
 * {@link ReloadingSslContext}) → {@code tlsPeer} → {@code chunkedWriter} → {@code segmentChunker}.
 * This is the one place where fetched segment bytes stop going to the socket as file regions
 * ({@code sendfile}) and become buffers the TLS handler can encrypt. Thread-safe.
 */
final class TlsPipeline {

    private static final SegmentChunker SEGMENT_CHUNKER = new SegmentChunker();

    private final ReloadingSslContext context;
    private final SslPrincipalMapper principalMapper;

    TlsPipeline(TlsSettings settings) throws IOException {
        this.context = new ReloadingSslContext(settings);
        this.principalMapper = SslPrincipalMapper.fromRules(settings.principalMappingRules());
    }

    /** Puts the TLS handlers first in a new connection's pipeline. */
    void addHandlers(SocketChannel ch) {
        ch.pipeline().addFirst("segmentChunker", SEGMENT_CHUNKER)
                .addFirst("chunkedWriter", new ChunkedWriteHandler())
                .addFirst("tlsPeer", new TlsPeer(principalMapper))
                .addFirst("tls", context.current().newHandler(ch.alloc()));
    }
}
