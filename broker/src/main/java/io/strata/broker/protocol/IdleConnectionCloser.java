package io.strata.broker.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has neither received nor sent a byte for a while, Kafka's {@code connections.max.idle.ms}
 * (see {@link ConnectionLimits}). Clients close theirs first: a Java client's own idle limit is a minute shorter than
 * the broker's default.
 */
final class IdleConnectionCloser extends IdleStateHandler {

    private static final Logger LOG = Logger.getLogger(IdleConnectionCloser.class);

    IdleConnectionCloser(Duration maxIdle) {
        super(0, 0, maxIdle.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        LOG.debugf("Closing %s: idle for %d ms", ctx.channel().remoteAddress(), getAllIdleTimeInMillis());
        ctx.close();
    }
}
