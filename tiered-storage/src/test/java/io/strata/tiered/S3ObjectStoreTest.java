package io.strata.tiered;

import static io.strata.tiered.S3TestBuckets.PART_SIZE;
import static io.strata.tiered.TestFutures.await;
import static io.strata.tiered.TestFutures.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The contract and the S3 specifics, against S3Proxy over real HTTP. */
class S3ObjectStoreTest extends ObjectStoreContractTest {

    // Short enough for the failure tests to be quick, long enough for an 8 MiB upload on a busy machine.
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

    private static S3ProxyServer server;
    private static S3TestBuckets buckets;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
        buckets = new S3TestBuckets(server.endpoint(), S3ProxyServer.CREDENTIALS);
    }

    @AfterAll
    static void stopServer() throws Exception {
        buckets.close();
        server.close();
    }

    @Override
    protected ObjectStore newStore() {
        return new S3ObjectStore(buckets.create().build());
    }

    @Test
    void uploadsAnObjectAboveTheThresholdInPartsAFewAtATime() throws Exception {
        byte[] data = randomBytes((int) (2 * PART_SIZE + 12_345));
        PartProbe probe = new PartProbe(S3Clients.create(settings()), 0);

        try (ObjectStore uploader = new S3ObjectStore(settings(), probe)) {
            await(uploader.put(key("segment"), write(data)));
        }

        assertThat(probe.parts()).isEqualTo(3);
        assertThat(probe.maxInFlight()).isBetween(1, settings().partConcurrency());
        assertThat(await(store.size(key("segment")))).hasValue(data.length);
        assertThat(bytes(get("segment", 0, Integer.MAX_VALUE))).isEqualTo(data);
        assertReadsRange(data, PART_SIZE - 10, 20);
        assertReadsRange(data, 2 * PART_SIZE - 1, 2);
        assertReadsRange(data, PART_SIZE - 1, (int) PART_SIZE + 2);
        assertReadsRange(data, 2 * PART_SIZE + 12_000, 1000);
        assertThat(buckets.pendingUploads(settings().bucket())).isZero();
    }

    @Test
    void abortsAFailedMultipartUploadLeavingNoParts() throws Exception {
        PartProbe probe = new PartProbe(S3Clients.create(settings()), 2);

        try (ObjectStore uploader = new S3ObjectStore(settings(), probe)) {
            assertThat(failure(uploader.put(key("segment"), write(randomBytes((int) (3 * PART_SIZE))))))
                    .isInstanceOf(ObjectStoreException.class)
                    .hasMessageContaining("put of 'segment' at s3://" + settings().bucket() + "/strata/segment")
                    .hasMessageContaining("injected failure of part 2");
        }
        // The first failure stops the workers taking parts, so the third part is never sent.
        assertThat(probe.parts()).isEqualTo(2);
        assertThat(probe.aborts()).isEqualTo(1);
        assertThat(buckets.pendingUploads(settings().bucket())).isZero();
        assertThat(await(store.size(key("segment")))).isEmpty();
    }

    @Test
    void prefixesIsolateStoresInOneBucket() throws Exception {
        S3Settings.Builder settings = buckets.create();
        try (ObjectStore one = new S3ObjectStore(settings.prefix("one").build());
             ObjectStore two = new S3ObjectStore(settings.prefix("two/nested").build());
             ObjectStore root = new S3ObjectStore(settings.prefix("").build())) {
            await(one.put(key("a/object"), write(randomBytes(10))));
            await(two.put(key("a/object"), write(randomBytes(20))));

            assertThat(await(one.size(key("a/object")))).hasValue(10);
            assertThat(await(two.size(key("a/object")))).hasValue(20);
            assertThat(await(one.list(key("a")))).containsExactly(key("a/object"));
            assertThat(await(root.list(key("two")))).containsExactly(key("two/nested/a/object"));
            assertThat(buckets.keys(settings.build().bucket())).containsExactly("one/a/object", "two/nested/a/object");

            await(one.delete(key("a/object")));
            assertThat(await(one.list(key("a")))).isEmpty();
            assertThat(await(two.size(key("a/object")))).hasValue(20);
        }
    }

    @Test
    void anUnreachableStoreFailsEveryOperationWithAStoreExceptionWithinTheCallTimeout() throws Exception {
        S3Settings settings = withShortTimeouts(S3Settings.builder("unreachable")
                .prefix("strata")
                .endpoint(URI.create("http://127.0.0.1:" + closedPort()))
                .pathStyle(true)
                .credentials(S3ProxyServer.CREDENTIALS)).build();
        Path source = write(randomBytes(10));

        try (ObjectStore unreachable = new S3ObjectStore(settings)) {
            long start = System.nanoTime();
            assertUnreachable(unreachable.get(key("a/object"), 0, 10), "get");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CALL_TIMEOUT);

            assertUnreachable(unreachable.get(key("a/object"), 0, 0), "get");
            assertUnreachable(unreachable.size(key("a/object")), "size");
            assertUnreachable(unreachable.put(key("a/object"), source), "put");
            assertUnreachable(unreachable.delete(key("a/object")), "delete");
            assertUnreachable(unreachable.list(key("a")), "list");
        }
    }

    @Test
    void aStoreThatNeverAnswersFailsWhenTheCallTimesOut() throws Exception {
        // Connections complete in the kernel's backlog, but no request is ever read.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            S3Settings settings = withShortTimeouts(S3Settings.builder("silent")
                    .endpoint(URI.create("http://127.0.0.1:" + silent.getLocalPort()))
                    .pathStyle(true)
                    .credentials(S3ProxyServer.CREDENTIALS))
                    .attemptTimeout(Duration.ofMillis(500))
                    .callTimeout(Duration.ofSeconds(1))
                    .build();

            try (ObjectStore silentStore = new S3ObjectStore(settings)) {
                long start = System.nanoTime();
                // A client-side timeout: the call's, or its last attempt's when a loaded machine lets the
                // attempts use up the call first (the SDK then wraps it, as the retry it would need is refused).
                Throwable failure = failure(silentStore.size(key("object")));
                assertThat(failure).isInstanceOf(ObjectStoreException.class);
                assertThat(Stream.iterate(failure.getCause(), Objects::nonNull, Throwable::getCause))
                        .anyMatch(cause -> cause instanceof ApiCallTimeoutException
                                || cause instanceof ApiCallAttemptTimeoutException);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .isBetween(settings.attemptTimeout(), settings.callTimeout().plusSeconds(2));
            }
        }
    }

    @Test
    void recoversOnceTheStoreIsBackOnTheSamePort() throws Exception {
        try (S3ProxyServer restarting = S3ProxyServer.start();
             S3TestBuckets restartingBuckets = new S3TestBuckets(restarting.endpoint(), S3ProxyServer.CREDENTIALS)) {
            S3Settings settings = withShortTimeouts(restartingBuckets.create()).build();
            try (ObjectStore recovering = new S3ObjectStore(settings)) {
                byte[] data = randomBytes(100);
                await(recovering.put(key("object"), write(data)));

                restarting.stop();
                assertThat(failure(recovering.get(key("object"), 0, 100))).isInstanceOf(ObjectStoreException.class);

                restarting.restart();
                assertThat(bytes(await(recovering.get(key("object"), 0, 100)))).isEqualTo(data);
            }
        }
    }

    @Test
    void opensFromAnS3UriWithTheStandardEnvironmentVariables() throws Exception {
        S3Settings bucket = buckets.create().build();
        Map<String, String> environment = Map.of(
                "AWS_ENDPOINT_URL", server.endpoint().toString(),
                "AWS_REGION", "eu-west-3",
                "AWS_ACCESS_KEY_ID", S3ProxyServer.CREDENTIALS.accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIALS.secretAccessKey());

        try (ObjectStore opened = ObjectStores.open(URI.create("s3://" + bucket.bucket() + "/from/uri"),
                Map.of(ObjectStores.S3_PATH_STYLE, "true"), environment)) {
            assertThat(opened).isInstanceOfSatisfying(S3ObjectStore.class, s3 -> {
                assertThat(s3.settings().prefix()).isEqualTo("from/uri");
                assertThat(s3.settings().region()).isEqualTo("eu-west-3");
            });
            await(opened.put(key("a/object"), write(randomBytes(10))));
            assertThat(await(opened.size(key("a/object")))).hasValue(10);
        }
        assertThat(buckets.keys(bucket.bucket())).containsExactly("from/uri/a/object");
    }

    /** The settings of the test's {@link #store}. */
    private S3Settings settings() {
        return ((S3ObjectStore) store).settings();
    }

    private static S3Settings.Builder withShortTimeouts(S3Settings.Builder settings) {
        return settings
                .connectTimeout(Duration.ofMillis(500))
                .attemptTimeout(Duration.ofSeconds(1))
                .callTimeout(CALL_TIMEOUT)
                .maxAttempts(3)
                .retryDelays(Duration.ofMillis(20), Duration.ofMillis(100));
    }

    private void assertReadsRange(byte[] data, long position, int length) {
        byte[] expected = Arrays.copyOfRange(data, (int) position, (int) Math.min(data.length, position + length));
        assertThat(bytes(get("segment", position, length)))
                .as("%d bytes from %d", length, position)
                .isEqualTo(expected);
    }

    private static void assertUnreachable(CompletableFuture<?> operation, String name) {
        assertThat(failure(operation))
                .isInstanceOfSatisfying(ObjectStoreException.class,
                        e -> assertThat(e.operation()).isEqualTo(name))
                .hasMessageContaining("s3://unreachable/strata/a")
                .hasCauseInstanceOf(SdkClientException.class);
    }

    /** A loopback port that nothing listens on, so that connecting is refused at once. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
