package io.strata.tiered;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The contract against a real MinIO, in a container; skipped, with the reason reported, where no
 * Docker engine answers.
 */
@EnabledIf("dockerAnswers")
@Testcontainers
class MinioObjectStoreTest extends ObjectStoreContractTest {

    @Container
    private static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2025-02-28T09-55-16Z");

    /** Says so on the build's console when not: the reason of a skipped class is otherwise only in the XML reports. */
    static boolean dockerAnswers() {
        boolean answers = DockerClientFactory.instance().isDockerAvailable();
        if (!answers) {
            System.err.println("MinioObjectStoreTest skipped: no Docker engine answers (Testcontainers found none)");
        }
        return answers;
    }

    private static S3TestBuckets buckets;

    // Runs after the extension has started the container.
    @BeforeAll
    static void connect() {
        buckets = new S3TestBuckets(URI.create(MINIO.getS3URL()),
                new S3Settings.StaticCredentials(MINIO.getUserName(), MINIO.getPassword()));
    }

    @AfterAll
    static void disconnect() {
        buckets.close();
    }

    @Override
    protected ObjectStore newStore() {
        return new S3ObjectStore(buckets.create().build());
    }
}
