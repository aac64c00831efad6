package io.strata.tiered;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

/**
 * An S3Proxy embedded in the test JVM: the real S3 HTTP API, with AWS signatures checked, on a free
 * port of 127.0.0.1, over an in-memory store that survives {@link #stop()} and {@link #restart()}.
 * Not thread-safe: one test thread drives it.
 */
final class S3ProxyServer implements AutoCloseable {

    static final S3Settings.StaticCredentials CREDENTIALS =
            new S3Settings.StaticCredentials("strata-test", "strata-test-secret");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final BlobStore blobStore = BlobStores.create("transient", new Properties());
    private S3Proxy proxy;
    private int port;

    private S3ProxyServer() {
    }

    /** Starts a server on a free port. */
    static S3ProxyServer start() throws Exception {
        S3ProxyServer server = new S3ProxyServer();
        server.serveOn(0);
        return server;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Stops serving and closes the connections; the objects stay for {@link #restart()}. */
    void stop() throws Exception {
        proxy.stop();
    }

    /** Serves the same objects again on the same port, as a restarted store would. */
    void restart() throws Exception {
        serveOn(port);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }

    private void serveOn(int requestedPort) throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, CREDENTIALS.accessKeyId(),
                        CREDENTIALS.secretAccessKey())
                .build();
        proxy.start();
        // start() may return before Jetty has bound the port.
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT);
            }
            Thread.sleep(10);
        }
        port = proxy.getPort();
    }
}
