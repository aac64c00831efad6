package io.strata.broker.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.strata.broker.security.AuditLog;
import io.strata.broker.security.SaslAuthenticator;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client connection: hands each decoded request to its handler in arrival order and writes the
 * responses back in that same order, however their handlers complete. Confined to the channel's
 * event loop; completions from other threads hop back onto it.
 *
 * <p>Reading pauses while too many responses are outstanding or unsent, so a client that pipelines
 * without reading cannot make the broker buffer without bound.
 */
final class KafkaConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = Logger.getLogger(KafkaConnection.class);
    private static final ClientLog CLIENT_LOG = new ClientLog(LOG);
    /** Requests outstanding or unsent at which reading pauses; it resumes below half of it. */
    static final int MAX_IN_FLIGHT = 64;

    private final ApiRouter router;
    private final RequestMetrics metrics;
    private final String listener;
    private final ListenerAuthentication authentication;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private Channel channel;
    private ClientSession session;
    private boolean closing;
    /** Until when reading waits for quota throttles to pass ({@link System#nanoTime}); 0 when it does not. */
    private long throttledUntilNanos;

    KafkaConnection(String listener, ApiRouter router, RequestMetrics metrics, ListenerAuthentication authentication) {
        this.listener = listener;
        this.router = router;
        this.metrics = metrics;
        this.authentication = authentication;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        session = authentication.newSession(listener, () -> TlsPeer.principal(channel));
        session.sasl().ifPresent(sasl -> {
            long timeoutMs = authentication.settings().handshakeTimeout().toMillis();
            channel.eventLoop().schedule(() -> {
                if (!sasl.authenticated() && channel.isActive()) {
                    CLIENT_LOG.info(channel.remoteAddress(),
                            "Closing connection from %s: it did not authenticate within %d ms", channel.remoteAddress(),
                            timeoutMs);
                    channel.close();
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        });
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        KafkaRequest request = (KafkaRequest) msg;
        if (closing || !admitted(request)) {
            request.release();
            return;
        }
        InFlight entry = new InFlight(request);
        inFlight.add(entry);
        if (request.isUnsupportedApiVersions()) {
            request.release();
            complete(entry, unsupportedApiVersions());
        } else {
            RequestContext context = new RequestContext(request.header(), channel.remoteAddress(), channel.eventLoop(),
                    session);
            router.dispatch(context, request.body()).whenComplete((response, error) -> {
                request.release();
                Runnable done = error == null ? () -> complete(entry, response) : () -> closeAfter(request, error);
                if (channel.eventLoop().inEventLoop()) {
                    done.run();
                } else {
                    channel.eventLoop().execute(done);
                }
            });
        }
        if (inFlight.size() >= MAX_IN_FLIGHT) {
            channel.config().setAutoRead(false);
        }
    }

    /** Whether the connection has still to authenticate with SASL; its frames are small until then. */
    boolean unauthenticated() {
        ClientSession current = session;
        return current != null && current.sasl().filter(sasl -> !sasl.authenticated()).isPresent();
    }

    /** Whether the session may send this request now; if not, the connection closes, as Kafka closes it. */
    private boolean admitted(KafkaRequest request) {
        var sasl = session.sasl();
        long now = System.currentTimeMillis();
        if (sasl.isEmpty() || sasl.get().admits(request.header().apiKey(), now)) {
            return true;
        }
        CLIENT_LOG.info(channel.remoteAddress(), "Closing connection from %s: %s request while %s",
                channel.remoteAddress(), request.header().apiKey(), sasl.get().refusal(now));
        closing = true;
        channel.close();
        return false;
    }

    /**
     * Once a failed authentication is answered the connection closes, after {@code
     * connection.failed.authentication.delay.ms}, which slows a client guessing passwords down; nothing more is read.
     */
    private void closeAfterFailedAuthentication() {
        closing = true;
        channel.config().setAutoRead(false);
        String mechanism = session.sasl().map(SaslAuthenticator::mechanism).orElse(null);
        CLIENT_LOG.info(channel.remoteAddress(), "Failed authentication with %s (SASL mechanism %s)",
                channel.remoteAddress(), mechanism);
        AuditLog.authenticationFailed(ApiKeys.SASL_AUTHENTICATE.name(),
                channel.remoteAddress() instanceof InetSocketAddress remote ? remote.getAddress() : null,
                "SASL " + mechanism);
        Runnable close = channel::close;
        channel.eventLoop().schedule(close, authentication.settings().failedAuthenticationDelayMs(), TimeUnit.MILLISECONDS);
    }

    private void closeAfter(KafkaRequest request, Throwable error) {
        Throwable cause = error.getCause() != null && !(error instanceof ConnectionClosingException) ? error.getCause() : error;
        CLIENT_LOG.warn(channel.remoteAddress(), "Closing connection from %s after %s: %s", channel.remoteAddress(),
                request.header().apiKey(), cause.getMessage());
        channel.close();
    }

    private ApiMessage unsupportedApiVersions() {
        return new ApiVersionsResponseData()
                .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                .setApiKeys(router.apiVersions());
    }

    private void complete(InFlight entry, ApiMessage response) {
        entry.response = response;
        entry.done = true;
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peek().done) {
            InFlight head = inFlight.poll();
            if (head.response != null && channel.isActive()) {
                write(head);
                wrote = true;
            }
            metrics.completed(head.request.header().apiKey(), System.nanoTime() - head.startNanos);
        }
        if (wrote) {
            channel.flush();
        }
        if (!closing && session.sasl().filter(SaslAuthenticator::failed).isPresent()) {
            closeAfterFailedAuthentication();
            return;
        }
        long throttleMs = session.takeThrottle();
        if (throttleMs > 0) {
            throttle(throttleMs);
        }
        resumeReadingIfDrained();
    }

    /** Reads nothing more for {@code ms}: a client over its quota waits, as Kafka mutes its channel (KIP-219). */
    private void throttle(long ms) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        if (throttledUntilNanos != 0 && throttledUntilNanos - until >= 0) {
            return;
        }
        throttledUntilNanos = until;
        channel.config().setAutoRead(false);
        channel.eventLoop().schedule(() -> {
            // A longer throttle since then has its own wake-up.
            if (throttledUntilNanos == until) {
                throttledUntilNanos = 0;
                resumeReadingIfDrained();
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Reading stays paused while too many requests are outstanding or the socket's outbound buffer
     * is above its high-water mark, so a client that does not read its responses stops being read.
     */
    private void resumeReadingIfDrained() {
        if (!closing && throttledUntilNanos == 0 && !channel.config().isAutoRead() && inFlight.size() < MAX_IN_FLIGHT / 2 && channel.isWritable()) {
            channel.config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!channel.isWritable()) {
            channel.config().setAutoRead(false);
        } else {
            resumeReadingIfDrained();
        }
        super.channelWritabilityChanged(ctx);
    }

    private void write(InFlight entry) {
        var header = entry.request.header();
        ApiKeys apiKey = header.apiKey();
        // An unsupported ApiVersions request is answered at version 0, which every client reads.
        short version = entry.request.isUnsupportedApiVersions() ? 0 : header.apiVersion();
        List<Object> parts;
        try {
            parts = ResponseEncoder.encode(header.correlationId(), apiKey.responseHeaderVersion(version),
                    entry.response, version);
        } catch (RuntimeException e) {
            // The client waits for this correlation id: a response it never gets would stall the
            // connection, so the connection is closed and the client reconnects.
            LOG.errorf(e, "Cannot encode the %s v%d response to %s; closing the connection", apiKey, version,
                    channel.remoteAddress());
            channel.close();
            return;
        }
        for (Object part : parts) {
            channel.write(part, channel.voidPromise());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String client = String.valueOf(ctx.channel().remoteAddress());
        if (cause instanceof FrameDecoder.UnauthenticatedFrameException) {
            CLIENT_LOG.warn(ctx.channel().remoteAddress(), "Closing connection from %s: %s", client, cause.getMessage());
        } else if (cause instanceof TooLongFrameException) {
            CLIENT_LOG.warn(ctx.channel().remoteAddress(), "Closing connection from %s: %s (socket.request.max.bytes)",
                    client, cause.getMessage());
        } else if (cause instanceof DecoderException && cause.getCause() != null) {
            CLIENT_LOG.warn(ctx.channel().remoteAddress(), "Closing connection from %s: %s", client,
                    cause.getCause().getMessage());
        } else if (cause instanceof IOException) {
            LOG.debugf("Connection from %s failed: %s", client, cause.getMessage());
        } else {
            LOG.warnf(cause, "Closing connection from %s after an unexpected error", client);
        }
        ctx.close();
    }

    private static final class InFlight {
        final KafkaRequest request;
        final long startNanos = System.nanoTime();
        ApiMessage response;
        boolean done;

        InFlight(KafkaRequest request) {
            this.request = request;
        }
    }
}
