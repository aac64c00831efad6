package io.strata.tiered;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A client that passes the multipart upload requests on to a real one, counting the parts and how
 * many were in flight at once, and failing one part on demand. Any other request is unsupported.
 */
final class PartProbe implements S3AsyncClient {

    private final S3AsyncClient delegate;
    private final int failingPart;
    private final AtomicInteger parts = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger aborts = new AtomicInteger();

    /** @param failingPart the number of the part to fail instead of sending it, or 0 for none */
    PartProbe(S3AsyncClient delegate, int failingPart) {
        this.delegate = delegate;
        this.failingPart = failingPart;
    }

    int parts() {
        return parts.get();
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    int aborts() {
        return aborts.get();
    }

    @Override
    public CompletableFuture<CreateMultipartUploadResponse> createMultipartUpload(
            CreateMultipartUploadRequest request) {
        return delegate.createMultipartUpload(request);
    }

    @Override
    public CompletableFuture<UploadPartResponse> uploadPart(UploadPartRequest request, AsyncRequestBody body) {
        parts.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<UploadPartResponse> response = request.partNumber() == failingPart
                ? CompletableFuture.failedFuture(SdkClientException.create("injected failure of part " + failingPart))
                : delegate.uploadPart(request, body);
        return response.whenComplete((uploaded, failure) -> inFlight.decrementAndGet());
    }

    @Override
    public CompletableFuture<CompleteMultipartUploadResponse> completeMultipartUpload(
            CompleteMultipartUploadRequest request) {
        return delegate.completeMultipartUpload(request);
    }

    @Override
    public CompletableFuture<AbortMultipartUploadResponse> abortMultipartUpload(AbortMultipartUploadRequest request) {
        aborts.incrementAndGet();
        return delegate.abortMultipartUpload(request);
    }

    @Override
    public String serviceName() {
        return delegate.serviceName();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
