package io.strata.tiered;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One multipart upload of a file: creates the upload, sends the parts with at most
 * {@code concurrency} of them in flight, and completes the upload, which makes the object visible
 * at once and whole.
 *
 * <p>If any step fails, the upload is aborted once no part is in flight any more, so that the bucket
 * keeps no parts that nothing would ever complete or delete (S3 bills them). The future then fails
 * with the first failure, and a failure of the abort itself is suppressed in it. A process that dies
 * mid-upload still leaves parts behind: a bucket lifecycle rule aborting incomplete multipart uploads
 * after a day or so cleans those up.
 *
 * <p>Each instance makes one upload. Parts complete on the SDK's threads; the state they share is
 * thread-safe.
 */
final class MultipartUpload {

    // S3 accepts no more parts per upload, so a file too large for them gets larger parts.
    private static final int MAX_PARTS = 10_000;
    // S3 validates each part, and the whole object from the parts' checksums.
    private static final ChecksumAlgorithm CHECKSUM = ChecksumAlgorithm.CRC32;

    private final S3AsyncClient client;
    private final String bucket;
    private final String key;
    private final Path source;
    private final long size;
    private final long partSize;
    private final int concurrency;
    // Each slot is written by the one worker that took the part, and read only after every worker has
    // completed, which orders the writes before the read.
    private final CompletedPart[] parts;
    private final AtomicInteger nextPart = new AtomicInteger();
    private final AtomicBoolean failed = new AtomicBoolean();

    private MultipartUpload(S3AsyncClient client, S3Settings settings, String key, Path source, long size) {
        this.client = client;
        this.bucket = settings.bucket();
        this.key = key;
        this.source = source;
        this.size = size;
        this.partSize = Math.max(settings.partSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
        this.concurrency = settings.partConcurrency();
        this.parts = new CompletedPart[(int) ((size + this.partSize - 1) / this.partSize)];
    }

    /**
     * Uploads the first {@code size} bytes of {@code source} as the object {@code key} of the settings'
     * bucket, in parts of the settings' part size with as many in flight as their part concurrency.
     */
    static CompletableFuture<Void> upload(S3AsyncClient client, S3Settings settings, String key, Path source,
                                          long size) {
        return new MultipartUpload(client, settings, key, source, size).start();
    }

    private CompletableFuture<Void> start() {
        return client.createMultipartUpload(request -> request.bucket(bucket).key(key).checksumAlgorithm(CHECKSUM))
                .thenCompose(created -> uploadAndComplete(created.uploadId()));
    }

    private CompletableFuture<Void> uploadAndComplete(String uploadId) {
        return uploadParts(uploadId)
                .thenCompose(uploaded -> client.completeMultipartUpload(request -> request
                        .bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(upload -> upload.parts(parts))))
                .<Void>thenApply(completed -> null)
                .exceptionallyCompose(failure -> abort(uploadId, Futures.unwrap(failure)));
    }

    /** Starts {@code concurrency} workers, each taking the next part not yet taken until none is left. */
    private CompletableFuture<Void> uploadParts(String uploadId) {
        return CompletableFuture.allOf(IntStream.range(0, Math.min(concurrency, parts.length))
                .mapToObj(worker -> uploadRemainingParts(uploadId))
                .toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> uploadRemainingParts(String uploadId) {
        int index = nextPart.getAndIncrement();
        // After a failure the upload is lost: stop taking parts, so that the abort comes sooner.
        if (index >= parts.length || failed.get()) {
            return CompletableFuture.completedFuture(null);
        }
        return uploadPart(uploadId, index)
                .whenComplete((part, failure) -> {
                    if (failure != null) {
                        failed.set(true);
                    }
                })
                .thenCompose(part -> {
                    parts[index] = part;
                    return uploadRemainingParts(uploadId);
                });
    }

    private CompletableFuture<CompletedPart> uploadPart(String uploadId, int index) {
        long offset = index * partSize;
        long length = Math.min(partSize, size - offset);
        int partNumber = index + 1;
        AsyncRequestBody body = AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder()
                .path(source).position(offset).numBytesToRead(length).build());
        return client.uploadPart(request -> request
                                .bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength(length).checksumAlgorithm(CHECKSUM),
                        body)
                .thenApply(response -> CompletedPart.builder()
                        .partNumber(partNumber).eTag(response.eTag()).checksumCRC32(response.checksumCRC32())
                        .build());
    }

    private CompletableFuture<Void> abort(String uploadId, Throwable failure) {
        return client.abortMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId))
                .handle((aborted, abortFailure) -> {
                    if (abortFailure != null) {
                        failure.addSuppressed(Futures.unwrap(abortFailure));
                    }
                    return failure;
                })
                .thenCompose(CompletableFuture::failedFuture);
    }
}
