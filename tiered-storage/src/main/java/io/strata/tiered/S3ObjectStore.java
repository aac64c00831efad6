package io.strata.tiered;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An {@link ObjectStore} in an S3 bucket, or any store speaking the S3 API (MinIO, Ceph, …): the
 * object {@code key} is the S3 object {@code prefix/key}.
 *
 * <p>Objects up to {@link S3Settings#multipartThreshold()} are uploaded with one PutObject, larger
 * ones with a {@link MultipartUpload}; either way S3 makes an object visible only once it is whole.
 * Reads are ranged GetObjects. Each request is retried with exponential backoff and bounded by the
 * timeouts of the {@link S3Settings}; once it has failed for good, the future fails with an
 * {@link ObjectStoreException} naming the operation and the {@code s3://bucket/key}, with the SDK's
 * exception as its cause.
 *
 * <p>S3 answers a HEAD without a body, so a missing bucket looks like a missing object to
 * {@link #size} (empty) and to a {@link #get} of zero bytes ({@link ObjectNotFoundException}).
 *
 * <p>Thread-safe. The futures complete on the SDK's response threads, never on its Netty event loop.
 */
public final class S3ObjectStore implements ObjectStore {

    private static final int RANGE_NOT_SATISFIABLE = 416;
    private static final int NOT_FOUND = 404;

    private final S3Settings settings;
    private final S3AsyncClient client;
    private final String keyPrefix;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Opens the store; it sends no request until the first operation. */
    public S3ObjectStore(S3Settings settings) {
        this(settings, S3Clients.create(settings));
    }

    /** A store over {@code client}, which it closes with itself; lets tests interpose on the client. */
    S3ObjectStore(S3Settings settings, S3AsyncClient client) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = Objects.requireNonNull(client, "client");
        this.keyPrefix = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
    }

    public S3Settings settings() {
        return settings;
    }

    @Override
    public CompletableFuture<Void> put(ObjectKey key, Path source) {
        Objects.requireNonNull(source, "source");
        String s3Key = s3Key(key);
        return call("put", key, () -> {
            long size = Files.size(source);
            if (size > settings.multipartThreshold()) {
                return MultipartUpload.upload(client, settings, s3Key, source, size);
            }
            return client.putObject(request -> request.bucket(settings.bucket()).key(s3Key).contentLength(size),
                            AsyncRequestBody.fromFile(source))
                    .thenApply(response -> null);
        }, S3ObjectStore::fail);
    }

    @Override
    public CompletableFuture<ByteBuffer> get(ObjectKey key, long position, int length) {
        if (position < 0 || length < 0) {
            throw new IllegalArgumentException("Negative range: position " + position + ", length " + length);
        }
        String s3Key = s3Key(key);
        if (length == 0) {
            // S3 ignores an empty range such as bytes=10-9 and would send the whole object, so only
            // check that there is one.
            return call("get", key,
                    () -> client.headObject(request -> request.bucket(settings.bucket()).key(s3Key))
                            .thenApply(response -> ByteBuffer.allocate(0)),
                    error -> {
                        if (error.statusCode() == NOT_FOUND) {
                            throw new ObjectNotFoundException(key);
                        }
                        return fail(error);
                    });
        }
        // The range is inclusive; one ending past the object yields the bytes up to its end.
        long last = position > Long.MAX_VALUE - length ? Long.MAX_VALUE : position + length - 1;
        return call("get", key,
                () -> client.getObject(request -> request.bucket(settings.bucket()).key(s3Key)
                                        .range("bytes=" + position + "-" + last),
                                AsyncResponseTransformer.toBytes())
                        // The bytes are this call's alone, so a writable buffer over them is safe.
                        .thenApply(bytes -> ByteBuffer.wrap(bytes.asByteArrayUnsafe())),
                error -> {
                    if (error instanceof NoSuchKeyException) {
                        throw new ObjectNotFoundException(key);
                    }
                    // S3's answer to a range starting at or after the end, even of an empty object.
                    if (error.statusCode() == RANGE_NOT_SATISFIABLE) {
                        return ByteBuffer.allocate(0);
                    }
                    return fail(error);
                });
    }

    @Override
    public CompletableFuture<OptionalLong> size(ObjectKey key) {
        String s3Key = s3Key(key);
        return call("size", key,
                () -> client.headObject(request -> request.bucket(settings.bucket()).key(s3Key))
                        .thenApply(response -> OptionalLong.of(response.contentLength())),
                error -> error.statusCode() == NOT_FOUND ? OptionalLong.empty() : fail(error));
    }

    /** S3 answers a delete of a missing key with success too. */
    @Override
    public CompletableFuture<Void> delete(ObjectKey key) {
        String s3Key = s3Key(key);
        return call("delete", key,
                () -> client.deleteObject(request -> request.bucket(settings.bucket()).key(s3Key))
                        .thenApply(response -> null),
                S3ObjectStore::fail);
    }

    /**
     * Pages through ListObjectsV2. Everything under the store's prefix is taken for the store's: a key
     * there that is no valid {@link ObjectKey}, such as a console's {@code folder/} marker, fails the
     * list with an {@link ObjectStoreException}.
     */
    @Override
    public CompletableFuture<List<ObjectKey>> list(ObjectKey prefix) {
        String s3Prefix = s3Key(prefix) + "/";
        return call("list", prefix, () -> {
            // The publisher signals one object at a time, each signal happening before the next.
            List<ObjectKey> keys = new ArrayList<>();
            return client.listObjectsV2Paginator(request -> request.bucket(settings.bucket()).prefix(s3Prefix))
                    .contents()
                    .subscribe(object -> keys.add(new ObjectKey(object.key().substring(keyPrefix.length()))))
                    .thenApply(done -> {
                        keys.sort(Comparator.naturalOrder());
                        return keys;
                    });
        }, S3ObjectStore::fail);
    }

    /**
     * Closes the SDK client and its connections; requests in flight fail. Closing the last S3 client
     * of the process blocks for about two seconds while Netty winds its event loop down.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
        }
    }

    private String s3Key(ObjectKey key) {
        return keyPrefix + Objects.requireNonNull(key, "key").value();
    }

    /**
     * Sends a request and completes the returned future with its result or its failure as the
     * {@link ObjectStore} contract has it: S3's error answers go to {@code onError}, which turns those
     * that are results of this operation into one (a 404 into an empty size) or throws the contract's
     * own exception; any other failure becomes an {@link ObjectStoreException}. The future is completed
     * by hand, since a dependent stage would wrap the exception in a {@code CompletionException}.
     */
    private <T> CompletableFuture<T> call(String operation, ObjectKey key, Callable<CompletableFuture<T>> request,
                                          ErrorAnswer<T> onError) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed.get()) {
            result.completeExceptionally(new IllegalStateException("Object store "
                    + location(keyPrefix) + " is closed"));
            return result;
        }
        CompletableFuture<T> response;
        try {
            response = request.call();
        } catch (Exception e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
                return;
            }
            Throwable cause = Futures.unwrap(failure);
            try {
                if (cause instanceof S3Exception error) {
                    result.complete(onError.answer(error));
                } else {
                    result.completeExceptionally(storeFailure(operation, key, cause));
                }
            } catch (ObjectNotFoundException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(storeFailure(operation, key, e));
            }
        });
        return result;
    }

    private ObjectStoreException storeFailure(String operation, ObjectKey key, Throwable cause) {
        return new ObjectStoreException(operation, key, location(s3Key(key)), cause);
    }

    private String location(String s3Key) {
        return "s3://" + settings.bucket() + "/" + s3Key;
    }

    /** For an {@link ErrorAnswer} to which {@code error} is a failure of the operation. */
    private static <T> T fail(S3Exception error) {
        throw error;
    }

    /** What an S3 error answer means to one operation. */
    @FunctionalInterface
    private interface ErrorAnswer<T> {

        /**
         * The operation's result for {@code error}, or else the operation's failure, thrown: an
         * {@link ObjectNotFoundException} as it is, anything else to be wrapped in an
         * {@link ObjectStoreException}.
         */
        T answer(S3Exception error);
    }

    /** The store's URL, for log lines. */
    @Override
    public String toString() {
        return location(keyPrefix);
    }
}
