package io.strata.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class S3SettingsTest {

    @Test
    void takesTheBucketAndPrefixFromTheUriAndDefaultsTheRest() {
        S3Settings settings = fromUri("s3://tiered/strata/cluster-1/", Map.of());

        assertThat(settings.bucket()).isEqualTo("tiered");
        assertThat(settings.prefix()).isEqualTo("strata/cluster-1");
        assertThat(settings.region()).isEqualTo(S3Settings.DEFAULT_REGION);
        assertThat(settings.endpoint()).isEmpty();
        assertThat(settings.pathStyle()).isFalse();
        assertThat(settings.credentials()).isEmpty();
    }

    @Test
    void aUriWithoutPathPutsKeysAtTheBucketRoot() {
        assertThat(fromUri("s3://tiered", Map.of()).prefix()).isEmpty();
        assertThat(fromUri("s3://tiered/", Map.of()).prefix()).isEmpty();
    }

    @Test
    void takesTheS3EndpointBeforeTheGeneralOne() {
        assertThat(fromUri("s3://b", Map.of("AWS_ENDPOINT_URL", "http://general:9000")).endpoint())
                .contains(URI.create("http://general:9000"));
        assertThat(fromUri("s3://b", Map.of("AWS_ENDPOINT_URL", "http://general:9000",
                "AWS_ENDPOINT_URL_S3", "http://minio:9000")).endpoint())
                .contains(URI.create("http://minio:9000"));
    }

    @Test
    void takesTheRegionAndCredentialsFromTheEnvironment() {
        S3Settings settings = fromUri("s3://b", Map.of("AWS_REGION", "eu-central-1",
                "AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", "secret", "AWS_SESSION_TOKEN", "token"));

        assertThat(settings.region()).isEqualTo("eu-central-1");
        assertThat(settings.credentials())
                .contains(new S3Settings.StaticCredentials("key", "secret", Optional.of("token")));
    }

    @Test
    void leavesCredentialsToTheDefaultChainUnlessBothPartsAreSet() {
        assertThat(fromUri("s3://b", Map.of("AWS_ACCESS_KEY_ID", "key")).credentials()).isEmpty();
        assertThat(fromUri("s3://b", Map.of("AWS_ACCESS_KEY_ID", "key", "AWS_SECRET_ACCESS_KEY", " "))
                .credentials()).isEmpty();
    }

    @Test
    void neverShowsSecrets() {
        S3Settings settings = S3Settings.builder("b")
                .credentials(new S3Settings.StaticCredentials("key-id", "the-secret", Optional.of("the-token")))
                .build();

        assertThat(settings.toString()).contains("key-id").doesNotContain("the-secret").doesNotContain("the-token");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3:///prefix", "s3:bucket", "s3://bucket/a//b", "s3://bucket/../a", "s3://bucket/a?x=1",
            "file:///tmp", "s3://bucket@host/a"})
    void rejectsMalformedUris(String uri) {
        assertThatThrownBy(() -> fromUri(uri, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsAnEndpointThatIsNoHttpUrl() {
        assertThatThrownBy(() -> fromUri("s3://b", Map.of("AWS_ENDPOINT_URL", "minio:9000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minio:9000");
    }

    @Test
    void rejectsPartsS3WouldRefuse() {
        assertThatThrownBy(() -> S3Settings.builder("b").multipart(16L << 20, 1L << 20, 4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partSize");
        assertThatThrownBy(() -> S3Settings.builder("b").multipart(6L << 30, 8L << 20, 4).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multipartThreshold");
    }

    @Test
    void rejectsAnAttemptTimeoutLongerThanTheCall() {
        assertThatThrownBy(() -> S3Settings.builder("b")
                .attemptTimeout(Duration.ofSeconds(10)).callTimeout(Duration.ofSeconds(5)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attemptTimeout");
    }

    private static S3Settings fromUri(String uri, Map<String, String> environment) {
        return S3Settings.fromUri(URI.create(uri), environment).build();
    }
}
