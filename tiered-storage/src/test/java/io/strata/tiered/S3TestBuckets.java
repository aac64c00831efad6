package io.strata.tiered;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Creates a new, empty bucket for each test in a store speaking the S3 API, and looks into buckets
 * past any {@link S3ObjectStore}. Thread-safe.
 *
 * <p>Its client also keeps the SDK's shared Netty event loop in use while it is open, so that closing
 * a test's store does not wait the two seconds that Netty takes to shut the loop down.
 */
final class S3TestBuckets implements AutoCloseable {

    /** S3's smallest part, so that tests exercise multipart uploads with a few MiB. */
    static final long PART_SIZE = S3Settings.MIN_PART_SIZE;

    private static final AtomicInteger BUCKET_IDS = new AtomicInteger();

    private final URI endpoint;
    private final S3Settings.StaticCredentials credentials;
    private final S3AsyncClient client;

    S3TestBuckets(URI endpoint, S3Settings.StaticCredentials credentials) {
        this.endpoint = endpoint;
        this.credentials = credentials;
        this.client = S3Clients.create(settings("admin").build());
    }

    /**
     * Settings for a bucket just created, under the prefix {@code strata}, with objects above
     * {@link #PART_SIZE} uploaded in parts of that size, two at a time.
     */
    S3Settings.Builder create() {
        String bucket = "test-" + ProcessHandle.current().pid() + "-" + BUCKET_IDS.incrementAndGet();
        await(client.createBucket(request -> request.bucket(bucket)));
        return settings(bucket);
    }

    /** Every key in {@code bucket}, whatever its prefix. */
    List<String> keys(String bucket) {
        return await(client.listObjectsV2(request -> request.bucket(bucket))).contents().stream()
                .map(S3Object::key)
                .toList();
    }

    /** How many multipart uploads in {@code bucket} were neither completed nor aborted. */
    int pendingUploads(String bucket) {
        return await(client.listMultipartUploads(request -> request.bucket(bucket))).uploads().size();
    }

    @Override
    public void close() {
        client.close();
    }

    private S3Settings.Builder settings(String bucket) {
        return S3Settings.builder(bucket)
                .prefix("strata")
                .endpoint(endpoint)
                .pathStyle(true)
                .credentials(credentials)
                .multipart(PART_SIZE, PART_SIZE, 2);
    }

    private static <T> T await(CompletableFuture<T> future) {
        return future.orTimeout(10, TimeUnit.SECONDS).join();
    }
}
