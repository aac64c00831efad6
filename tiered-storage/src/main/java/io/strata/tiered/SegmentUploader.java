package io.strata.tiered;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Uploads closed segments to an {@link ObjectStore}, yielding the {@link RemoteSegment} for the broker
 * to commit to its remote manifest.
 *
 * <p>Each call of {@link #upload} is one attempt with a new segment id (see {@link SegmentIds}), so its
 * objects have keys no other attempt uses: a broker that retries an upload, or uploads the segment again
 * after a crash, never overwrites objects that a committed segment or a reader relies on. Within an
 * attempt, a put that fails with an {@link ObjectStoreException} is retried under the same key, as the
 * {@link RetryPolicy} says: the object is the attempt's own, committed nowhere yet.
 *
 * <p>An attempt that fails for good deletes all its keys, once none of its puts is in flight any more,
 * and fails with a {@link SegmentUploadException}. Objects survive it only when those deletes fail, or
 * when the process dies mid-upload; nothing commits them, so the {@link OrphanSweeper} removes them.
 *
 * <p>Thread-safe; any number of uploads may run at once.
 */
public final class SegmentUploader {

    private final ObjectStore store;
    private final RemoteKeys layout;
    private final SegmentIds ids;
    private final RetryPolicy retry;
    private final Executor executor;

    /**
     * @param layout   the layout of the keys to upload under
     * @param ids      generates the id of each attempt
     * @param retry    how each put is retried
     * @param executor runs the check of the local files (a file-system call per file) and starts the
     *                 retries; it may run blocking file-system calls
     */
    public SegmentUploader(ObjectStore store, RemoteKeys layout, SegmentIds ids, RetryPolicy retry, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Uploads every file of the segment under a new segment id. Returns at once; the files must not
     * change until the future completes.
     *
     * @return the segment uploaded, to commit; or else a {@link SegmentUploadException} naming the
     *         segment, with the failure as its cause: that of a put still failing once its retries are
     *         spent, or the reason a file cannot be uploaded (such as a {@link java.nio.file.NoSuchFileException}),
     *         which is not retried
     */
    public CompletableFuture<RemoteSegment> upload(RemotePartition partition, LocalSegmentFiles files) {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(files, "files");
        UUID segmentId = ids.next();
        return Futures.unwrapped(CompletableFuture.supplyAsync(() -> describe(partition, files, segmentId), executor)
                .handle((segment, failure) -> failure == null
                        ? putAll(segment, files.files())
                        : CompletableFuture.<RemoteSegment>failedFuture(new SegmentUploadException(partition,
                                files.baseOffset(), segmentId, unwrapIo(failure))))
                .thenCompose(upload -> upload));
    }

    /** The segment that the files will make, checking that each is a file there is to upload. */
    private RemoteSegment describe(RemotePartition partition, LocalSegmentFiles files, UUID segmentId) {
        long logSize = -1;
        for (Map.Entry<SegmentFileType, Path> file : files.files().entrySet()) {
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file.getValue(), BasicFileAttributes.class);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!attributes.isRegularFile()) {
                throw new IllegalArgumentException("Segment file " + file.getValue() + " is not a regular file");
            }
            if (file.getKey() == SegmentFileType.LOG) {
                logSize = attributes.size();
            }
        }
        return new RemoteSegment(layout, partition, segmentId, files.baseOffset(), files.lastOffset(),
                files.maxTimestamp(), logSize, files.producerSnapshot().isPresent(), files.transactionIndex().isPresent());
    }

    private static Throwable unwrapIo(Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        return cause instanceof UncheckedIOException io ? io.getCause() : cause;
    }

    private CompletableFuture<RemoteSegment> putAll(RemoteSegment segment, Map<SegmentFileType, Path> files) {
        List<CompletableFuture<Void>> puts = files.entrySet().stream()
                .map(file -> retry.call(() -> store.put(segment.key(file.getKey()), file.getValue()), executor))
                .toList();
        // allOf waits for every put, so that no put in flight can land after the clean-up.
        return CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new))
                .handle((uploaded, failure) -> failure == null
                        ? CompletableFuture.completedFuture(segment)
                        : deleteAll(segment, Futures.unwrap(failure)))
                .thenCompose(result -> result);
    }

    /** Deletes every key of the segment, best effort, then fails with {@code failure}. */
    private CompletableFuture<RemoteSegment> deleteAll(RemoteSegment segment, Throwable failure) {
        SegmentUploadException error = new SegmentUploadException(segment.partition(), segment.baseOffset(),
                segment.segmentId(), failure);
        CompletableFuture<?>[] deletes = segment.keys().stream()
                .map(key -> store.delete(key).exceptionally(deleteFailure -> {
                    error.addSuppressed(Futures.unwrap(deleteFailure));
                    return null;
                }))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(deletes).thenCompose(deleted -> CompletableFuture.failedFuture(error));
    }
}
