package io.strata.broker.remote;

import io.strata.tiered.ObjectStore;
import io.strata.tiered.ObjectStores;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.URI;
import java.util.Map;

/**
 * The tiered log in a real MinIO, in a container; skipped, with the reason reported, where no Docker
 * engine answers.
 */
@EnabledIf("dockerAnswers")
@Testcontainers
class MinioTieredLogTest extends TieredLogTest {

    private static final String BUCKET = "strata";

    @Container
    private static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-02-28T09-55-16Z");

    /** Says so on the build's console when not: the reason of a skipped class is otherwise only in the XML reports. */
    static boolean dockerAnswers() {
        boolean answers = DockerClientFactory.instance().isDockerAvailable();
        if (!answers) {
            System.err.println("MinioTieredLogTest skipped: no Docker engine answers (Testcontainers found none)");
        }
        return answers;
    }

    private final URI url = URI.create("s3://" + BUCKET + "/run-" + System.nanoTime());

    @BeforeAll
    static void createBucket() {
        try (S3AsyncClient client = S3AsyncClient.builder()
                .endpointOverride(URI.create(MINIO.getS3URL()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(MINIO.getUserName(), MINIO.getPassword())))
                .build()) {
            client.createBucket(request -> request.bucket(BUCKET)).join();
        }
    }

    private static Map<String, String> environment() {
        return Map.of("AWS_ENDPOINT_URL", MINIO.getS3URL(), "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", MINIO.getUserName(), "AWS_SECRET_ACCESS_KEY", MINIO.getPassword());
    }

    @Override
    protected Map<String, String> storeConfig() {
        return Map.of("strata.tiering.url", url.toString(), "strata.tiering.s3-path-style", "true");
    }

    @Override
    protected Map<String, String> storeEnvironment() {
        return environment();
    }

    @Override
    protected ObjectStore openStore() {
        return ObjectStores.open(url, Map.of(ObjectStores.S3_PATH_STYLE, "true"), environment());
    }
}
