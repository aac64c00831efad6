package io.strata.broker.testing;

import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;

/**
 * A bucket behind a real S3 HTTP API on 127.0.0.1: S3Proxy over an in-memory blob store, with AWS
 * signatures checked. It can be stopped and started again on the same port with its objects, to
 * play an object store that goes away and comes back.
 */
public final class S3ProxyBucket implements AutoCloseable {

    public static final String BUCKET = "strata-bucket";
    private static final String ACCESS_KEY = "strata-test";
    private static final String SECRET_KEY = "strata-test-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final BlobStore blobs;
    private S3Proxy proxy;
    private int port;

    private S3ProxyBucket() {
        this.blobs = BlobStores.create("transient", new Properties());
        blobs.createContainer(BUCKET);
    }

    public static S3ProxyBucket start() throws Exception {
        S3ProxyBucket bucket = new S3ProxyBucket();
        bucket.startProxy(0);
        return bucket;
    }

    private void startProxy(int requestedPort) throws Exception {
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + requestedPort))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
        proxy.start();
        await().atMost(START_TIMEOUT).until(() -> proxy.getPort() > 0
                && AbstractLifeCycle.STARTED.equals(proxy.getState()));
        port = proxy.getPort();
    }

    /** {@code s3://strata-bucket/<prefix>}. */
    public URI url(String prefix) {
        return URI.create("s3://" + BUCKET + "/" + prefix);
    }

    /** The AWS SDK's environment for this endpoint and its credentials. */
    public Map<String, String> environment() {
        return Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:" + port, "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    /** Stops answering: connections to the port are refused. */
    public void stop() throws Exception {
        proxy.stop();
    }

    /** Answers again, on the same port, with the same objects. */
    public void restart() throws Exception {
        startProxy(port);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
