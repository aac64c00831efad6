package io.strata.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoresTest {

    @Test
    void rejectsAnUnsupportedSchemeNamingTheSupportedOnes() {
        assertThatThrownBy(() -> ObjectStores.open(URI.create("gs://bucket/prefix")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gs://bucket/prefix")
                .hasMessageContaining("supported schemes: file")
                .hasMessageContaining("s3 (s3://bucket/prefix)");
    }

    @Test
    void rejectsAFileUriWithoutAnAbsolutePath() {
        assertThatThrownBy(() -> ObjectStores.open(URI.create("file:relative/path")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void opensAnS3UriWithThePathStyleOption() {
        try (ObjectStore store = ObjectStores.open(URI.create("s3://bucket/prefix"),
                Map.of(ObjectStores.S3_PATH_STYLE, "true"), Map.of("AWS_ENDPOINT_URL", "http://minio:9000"))) {
            assertThat(store).isInstanceOfSatisfying(S3ObjectStore.class, s3 -> {
                assertThat(s3.settings().bucket()).isEqualTo("bucket");
                assertThat(s3.settings().prefix()).isEqualTo("prefix");
                assertThat(s3.settings().endpoint()).contains(URI.create("http://minio:9000"));
                assertThat(s3.settings().pathStyle()).isTrue();
            });
        }
    }

    @Test
    void opensAnS3UriWithTheTimeoutOptions() {
        try (ObjectStore store = ObjectStores.open(URI.create("s3://bucket/prefix"),
                Map.of(ObjectStores.S3_CONNECT_TIMEOUT_MS, "1500", ObjectStores.S3_ATTEMPT_TIMEOUT_MS, "20000",
                        ObjectStores.S3_CALL_TIMEOUT_MS, "90000"),
                Map.of("AWS_ENDPOINT_URL", "http://minio:9000"))) {
            assertThat(store).isInstanceOfSatisfying(S3ObjectStore.class, s3 -> {
                assertThat(s3.settings().connectTimeout()).isEqualTo(Duration.ofMillis(1500));
                assertThat(s3.settings().attemptTimeout()).isEqualTo(Duration.ofSeconds(20));
                assertThat(s3.settings().callTimeout()).isEqualTo(Duration.ofSeconds(90));
            });
        }
    }

    @Test
    void rejectsUnknownOptionsAndInvalidValues() {
        URI uri = URI.create("s3://bucket/prefix");

        assertThatThrownBy(() -> ObjectStores.open(uri, Map.of("s3.path-styel", "true")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3.path-styel");
        assertThatThrownBy(() -> ObjectStores.open(uri, Map.of(ObjectStores.S3_PATH_STYLE, "yes")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'yes'");
        assertThatThrownBy(() -> ObjectStores.open(uri, Map.of(ObjectStores.S3_CALL_TIMEOUT_MS, "2m")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ObjectStores.S3_CALL_TIMEOUT_MS)
                .hasMessageContaining("'2m'");
    }

    @Test
    void checksAUriAsOpenWouldWithoutCreatingAnything(@TempDir Path dir) {
        Path root = dir.resolve("store");
        ObjectStores.checkUri(root.toUri());
        ObjectStores.checkUri(URI.create("s3://bucket/some/prefix"));
        assertThat(Files.exists(root)).isFalse();

        assertThatThrownBy(() -> ObjectStores.checkUri(URI.create("gs://bucket/prefix")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("supported schemes: file");
        assertThatThrownBy(() -> ObjectStores.checkUri(URI.create("file:relative/path")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectStores.checkUri(URI.create("s3:///no-bucket")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected s3://bucket/prefix");
        assertThatThrownBy(() -> ObjectStores.checkUri(URI.create("s3://bucket/prefix?region=eu-west-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("query");
    }
}
