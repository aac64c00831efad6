package io.strata.broker.protocol;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.AttributeKey;
import io.strata.broker.config.SettingCheck;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import org.jboss.logging.Logger;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.security.Principal;

/**
 * The peer of a TLS connection, right behind the {@code tls} handler: once the handshake succeeds, the
 * client certificate's subject, mapped by {@code ssl.principal.mapping.rules}, becomes the connection's
 * {@link #PRINCIPAL} ({@code User:<name>}; {@link KafkaPrincipal#ANONYMOUS} without a client
 * certificate). A failed handshake, such as a plaintext client or a certificate the CA does not trust,
 * closes the connection with one log line. One instance per connection, on its event loop.
 */
public final class TlsPeer extends ChannelInboundHandlerAdapter {

    /** The principal the client's TLS certificate maps to; unset on a connection without TLS. */
    public static final AttributeKey<KafkaPrincipal> PRINCIPAL = AttributeKey.valueOf("strata.tls.principal");

    private static final Logger LOG = Logger.getLogger(TlsPeer.class);
    private static final ClientLog CLIENT_LOG = new ClientLog(LOG);

    private final SslPrincipalMapper mapper;
    private boolean handshakeFailed;

    TlsPeer(SslPrincipalMapper mapper) {
        this.mapper = mapper;
    }

    /** The principal of {@code channel}'s client certificate; {@link KafkaPrincipal#ANONYMOUS} without one, or without TLS. */
    public static KafkaPrincipal principal(Channel channel) {
        KafkaPrincipal principal = channel.attr(PRINCIPAL).get();
        return principal != null ? principal : KafkaPrincipal.ANONYMOUS;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                identify(ctx);
            } else {
                handshakeFailed = true;
                refuse(ctx, handshake.cause());
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    private void identify(ChannelHandlerContext ctx) {
        KafkaPrincipal principal;
        Principal subject = null;
        try {
            subject = ctx.pipeline().get(SslHandler.class).engine().getSession().getPeerPrincipal();
            principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, mapper.getName(subject.getName()));
        } catch (SSLPeerUnverifiedException noCertificate) {
            principal = KafkaPrincipal.ANONYMOUS;
        } catch (IOException noRule) {
            LOG.warnf("Closing connection from %s: its certificate's subject %s: %s (%s)", ctx.channel().remoteAddress(),
                    subject, noRule.getMessage(), SettingCheck.describe("strata.kafka.tls.principal-mapping-rules"));
            ctx.close();
            return;
        }
        ctx.channel().attr(PRINCIPAL).set(principal);
        LOG.debugf("TLS connection from %s as %s", ctx.channel().remoteAddress(), principal);
    }

    private static void refuse(ChannelHandlerContext ctx, Throwable cause) {
        Object client = ctx.channel().remoteAddress();
        if (cause instanceof ClosedChannelException || cause instanceof SslHandshakeTimeoutException) {
            // Port probes connect and leave without a word: not worth more than a debug line.
            LOG.debugf("Connection from %s ended before its TLS handshake: %s", client, cause.getMessage());
        } else if (cause instanceof NotSslRecordException) {
            // Its message dumps every byte received.
            CLIENT_LOG.warn(ctx.channel().remoteAddress(), "Closing connection from %s: it does not speak TLS (a client"
                    + " with security.protocol PLAINTEXT or SASL_PLAINTEXT?)", client);
        } else {
            CLIENT_LOG.warn(ctx.channel().remoteAddress(), "Closing connection from %s: TLS handshake failed: %s", client,
                    cause.getMessage());
        }
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (handshakeFailed) {
            // The failed handshake is told once above; this is the same failure as a decoding error.
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }
}
