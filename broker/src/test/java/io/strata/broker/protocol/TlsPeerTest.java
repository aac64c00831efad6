package io.strata.broker.protocol;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.strata.broker.config.TlsClientAuth;
import io.strata.broker.testing.TestCertificates;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The principal of a TLS connection is its client certificate's subject as the mapping rules map it,
 * read from the channel attribute after real handshakes on a loopback socket.
 */
class TlsPeerTest {

    private static final String RULES = "RULE:^CN=([^,]+),O=Strata$/$1/L,DEFAULT";

    @TempDir
    Path dir;
    private TestCertificates.Issued authority;
    private EventLoopGroup loop;
    private InetSocketAddress address;
    private volatile CompletableFuture<KafkaPrincipal> principal;

    @BeforeEach
    void listen() throws Exception {
        authority = TestCertificates.authority("Test CA");
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        Path ca = Files.writeString(dir.resolve("ca.pem"), authority.certificatePem());
        authority.issueServer("broker").write(cert, key);
        TlsPipeline tls = new TlsPipeline(new TlsSettings(cert, key, Optional.of(ca), TlsClientAuth.REQUESTED, RULES));
        loop = new NioEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls.addHandlers(ch);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                                if (event instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                                    principal.complete(TlsPeer.principal(ctx.channel()));
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        address = (InetSocketAddress) server.localAddress();
    }

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private KafkaPrincipal connectAs(TestCertificates.Issued client) throws Exception {
        principal = new CompletableFuture<>();
        try (SSLSocket socket = (SSLSocket) TestCertificates.clientContext(authority, client).getSocketFactory()
                .createSocket(address.getHostString(), address.getPort())) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return principal.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSubjectARuleMatchesBecomesWhatTheRuleMakesOfIt() throws Exception {
        assertThat(connectAs(authority.issueClient("CN=Alice,O=Strata")))
                .isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));
    }

    @Test
    void otherSubjectsStayWholeUnderTheDefaultRule() throws Exception {
        assertThat(connectAs(authority.issueClient("CN=Bob,OU=Ops")))
                .isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "CN=Bob,OU=Ops"));
    }

    @Test
    void aClientWithoutACertificateIsAnonymous() throws Exception {
        assertThat(connectAs(null)).isEqualTo(KafkaPrincipal.ANONYMOUS);
    }
}
