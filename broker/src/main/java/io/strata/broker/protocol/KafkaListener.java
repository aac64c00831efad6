package io.strata.broker.protocol;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Kafka protocol listener, as Kafka's {@code listeners} name them: a Netty server with event loops of its own
 * (as Kafka's network threads are per listener), whose pipeline per connection is
 * {@code frameDecoder} (4-byte size prefix, at most {@code socket.request.max.bytes}, less before authenticating) →
 * {@code requestDecoder} → {@code connection} (dispatch and in-order responses). Under TLS these are
 * preceded by {@code tls} → {@code tlsPeer} (the client's principal) → {@code chunkedWriter} →
 * {@code segmentChunker}, the last two sending fetched segment bytes as buffers the TLS handler can
 * encrypt rather than as file regions.
 */
public final class KafkaListener implements AutoCloseable {

    private static final ClientLog CLIENT_LOG = new ClientLog(Logger.getLogger(KafkaListener.class));

    private final String name;
    private final ApiRouter router;
    private final RequestMetrics metrics;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final int maxFrameBytes;
    private final ListenerAuthentication authentication;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final Optional<TlsPipeline> tls;
    private final ConnectionLimits limits;
    private final RequestMemoryPool requestMemory;
    private Channel serverChannel;

    /**
     * The listener {@code name}, which refuses connections over {@code limits} (which the broker's listeners share),
     * with TLS in front of every connection when {@code tls} is present, and {@code authentication} behind it.
     */
    public KafkaListener(String name, ApiRouter router, RequestMetrics metrics, int maxFrameBytes, int ioThreads,
                         ConnectionLimits limits, RequestMemoryPool requestMemory, Optional<TlsSettings> tls,
                         ListenerAuthentication authentication)
            throws IOException {
        this.name = name;
        this.router = router;
        this.limits = limits;
        this.requestMemory = requestMemory;
        this.metrics = metrics;
        this.maxFrameBytes = maxFrameBytes;
        this.tls = tls.isPresent() ? Optional.of(new TlsPipeline(tls.get())) : Optional.empty();
        this.authentication = authentication;
        this.acceptors = new NioEventLoopGroup(1, new DefaultThreadFactory("strata-kafka-accept-" + name, true));
        this.workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("strata-kafka-io-" + name, true));
    }

    /**
     * Binds to {@code host}, every interface when it is empty (as Kafka binds a listener without a host), and returns
     * the bound address (the port is chosen by the OS when 0).
     */
    public InetSocketAddress bind(String host, int port) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // Fetch responses of several MiB are normal: reading pauses only beyond a few of them unsent.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 8 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetAddress address = ch.remoteAddress().getAddress();
                        String refusal = limits.admit(address);
                        if (refusal != null) {
                            CLIENT_LOG.warn(ch.remoteAddress(), "Refusing connection from %s: %s", ch.remoteAddress(),
                                    refusal);
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(closed -> limits.closed(address));
                        openConnections.incrementAndGet();
                        ch.closeFuture().addListener(closed -> openConnections.decrementAndGet());
                        ch.pipeline().addLast("idle", new IdleConnectionCloser(limits.maxIdle()));
                        tls.ifPresent(pipeline -> pipeline.addHandlers(ch));
                        addConnectionHandlers(ch.pipeline(), name, router, metrics, maxFrameBytes, requestMemory,
                                authentication);
                    }
                });
        serverChannel = bootstrap.bind(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port))
                .sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The handlers of one connection, in pipeline order; shared with the tests of each stage. */
    static void addConnectionHandlers(ChannelPipeline pipeline, String listener, ApiRouter router,
                                      RequestMetrics metrics, int maxFrameBytes, RequestMemoryPool requestMemory,
                                      ListenerAuthentication authentication) {
        KafkaConnection connection = new KafkaConnection(listener, router, metrics, authentication);
        pipeline.addLast("frameDecoder", new FrameDecoder(maxFrameBytes, connection::unauthenticated, requestMemory))
                .addLast("requestDecoder", new RequestDecoder(router))
                .addLast("connection", connection);
    }

    /** Connections open now. */
    public int openConnections() {
        return openConnections.get();
    }

    /**
     * Runs a no-op on every event loop of the listener (the acceptor and each I/O loop): completes once
     * all of them ran it, so a loop that is stuck or dead leaves the future incomplete. For liveness.
     */
    public CompletableFuture<Void> probeEventLoops() {
        List<CompletableFuture<Void>> answers = new ArrayList<>();
        for (EventLoopGroup group : List.of(acceptors, workers)) {
            for (EventExecutor loop : group) {
                CompletableFuture<Void> answered = new CompletableFuture<>();
                try {
                    loop.execute(() -> answered.complete(null));
                } catch (RejectedExecutionException e) {
                    answered.completeExceptionally(new IllegalStateException("event loop " + loop + " is shut down"));
                }
                answers.add(answered);
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
