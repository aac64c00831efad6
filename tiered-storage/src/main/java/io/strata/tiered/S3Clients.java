package io.strata.tiered;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/** Builds the SDK client that {@link S3Settings} describe. */
final class S3Clients {

    private S3Clients() {
    }

    /**
     * A client with its own Netty connection pool on the SDK's shared event loop, both released when
     * the client is closed. Creating it sends no request, so an unreachable or misconfigured store
     * shows only on the first call.
     */
    static S3AsyncClient create(S3Settings settings) {
        S3AsyncClientBuilder builder = S3AsyncClient.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().connectionTimeout(settings.connectTimeout()))
                .overrideConfiguration(override -> override
                        .apiCallAttemptTimeout(settings.attemptTimeout())
                        .apiCallTimeout(settings.callTimeout())
                        // The standard strategy retries what AWS documents as retryable (5xx, I/O errors,
                        // throttling); throttling keeps the SDK's longer backoff, so as not to add to the load.
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(settings.retryBaseDelay(),
                                        settings.retryMaxDelay()))
                                .build()));
        settings.endpoint().ifPresent(builder::endpointOverride);
        // Without given credentials the builder makes the default chain itself, and so closes it with the client.
        settings.credentials().ifPresent(given -> builder.credentialsProvider(StaticCredentialsProvider.create(
                credentials(given))));
        return builder.build();
    }

    private static AwsCredentials credentials(S3Settings.StaticCredentials given) {
        return given.sessionToken()
                .<AwsCredentials>map(token -> AwsSessionCredentials.create(given.accessKeyId(), given.secretAccessKey(),
                        token))
                .orElseGet(() -> AwsBasicCredentials.create(given.accessKeyId(), given.secretAccessKey()));
    }
}
