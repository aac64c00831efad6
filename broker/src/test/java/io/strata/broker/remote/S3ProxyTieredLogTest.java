package io.strata.broker.remote;

import io.strata.broker.testing.S3ProxyBucket;
import io.strata.tiered.ObjectStore;
import io.strata.tiered.ObjectStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.URI;
import java.util.Map;

/** The tiered log in a bucket behind a real S3 HTTP API (S3Proxy on 127.0.0.1), through the AWS SDK. */
class S3ProxyTieredLogTest extends TieredLogTest {

    private static S3ProxyBucket bucket;
    private final URI url = URI.create("s3://" + S3ProxyBucket.BUCKET + "/" + getClass().getSimpleName() + "-"
            + System.nanoTime());

    @BeforeAll
    static void startBucket() throws Exception {
        bucket = S3ProxyBucket.start();
    }

    @AfterAll
    static void stopBucket() throws Exception {
        bucket.close();
    }

    @Override
    protected Map<String, String> storeConfig() {
        return Map.of("strata.tiering.url", url.toString(), "strata.tiering.s3-path-style", "true");
    }

    @Override
    protected Map<String, String> storeEnvironment() {
        return bucket.environment();
    }

    @Override
    protected ObjectStore openStore() {
        return ObjectStores.open(url, Map.of(ObjectStores.S3_PATH_STYLE, "true"), bucket.environment());
    }
}
