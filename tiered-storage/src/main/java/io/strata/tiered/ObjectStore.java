package io.strata.tiered;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Where closed log segments are tiered to: a flat space of immutable objects addressed by
 * {@link ObjectKey}, such as an S3 bucket or a local directory.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Immutable objects.</b> An object is written whole by {@link #put} and never modified in
 *       place. Overwriting a key replaces the object atomically, but callers use unique keys, so
 *       a key that was read once always reads the same bytes until it is deleted.</li>
 *   <li><b>Atomic visibility.</b> Once a {@code put} has completed, every later call sees the
 *       object; while it is in progress, readers see the previous state (no object, or the old one),
 *       never a partial object.</li>
 *   <li><b>Idempotent operations.</b> Repeating a {@code put} or {@code delete} after a failure or
 *       a timeout is always safe; deleting a missing key succeeds.</li>
 *   <li><b>Keys are not directories.</b> A key must not be a segment prefix of another stored key
 *       ({@code a/b} and {@code a/b/c}): file-system stores cannot hold both, so such a
 *       {@code put} may fail. A prefix that only exists because of longer keys is not an object:
 *       {@code get} fails with {@link ObjectNotFoundException}, {@code size} is empty, and
 *       {@code delete} removes nothing.</li>
 *   <li><b>Never blocks the caller.</b> Every operation returns at once; remote or disk I/O runs
 *       elsewhere, so the broker's network threads may call any method. Continuations attached
 *       without an executor may run on the store's own threads, which must not be blocked either.</li>
 *   <li><b>Errors.</b> Invalid arguments throw {@link IllegalArgumentException} or
 *       {@link NullPointerException} from the method itself. Everything else completes the
 *       returned future exceptionally, with the exception itself rather than a
 *       {@link java.util.concurrent.CompletionException} wrapping it:
 *       {@link ObjectNotFoundException} for a missing key, {@link ObjectStoreException} for
 *       failures worth retrying (I/O errors, an unreachable store), and
 *       {@link IllegalStateException} once the store is closed.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Uploads the whole of {@code source} as the object {@code key}, replacing any existing object.
     * The future completes when the object is durable and visible; {@code source} must not change
     * until then.
     */
    CompletableFuture<Void> put(ObjectKey key, Path source);

    /**
     * Reads up to {@code length} bytes of the object, starting at byte {@code position}. A range
     * reaching past the end yields the bytes that exist, so a read starting at or after the end
     * yields an empty buffer. The buffer is positioned at 0 with its limit at the bytes read.
     *
     * @throws IllegalArgumentException if {@code position} or {@code length} is negative
     */
    CompletableFuture<ByteBuffer> get(ObjectKey key, long position, int length);

    /** The size of the object in bytes, or empty if there is none. */
    CompletableFuture<OptionalLong> size(ObjectKey key);

    /** Deletes the object; succeeds too when there is none. */
    CompletableFuture<Void> delete(ObjectKey key);

    /** Deletes every object of {@code keys}, concurrently; fails if any deletion fails, once all are done. */
    default CompletableFuture<Void> deleteAll(Collection<ObjectKey> keys) {
        return Futures.unwrapped(CompletableFuture.allOf(keys.stream().map(this::delete).toArray(CompletableFuture[]::new)));
    }

    /**
     * Every key under {@code prefix} as a segment prefix, at any depth, in {@link ObjectKey} order
     * (UTF-8 bytes, as S3 lists them): listing
     * {@code topics/a} finds {@code topics/a/0/1.log} but neither {@code topics/ab/0/1.log} nor
     * {@code topics/a} itself.
     */
    CompletableFuture<List<ObjectKey>> list(ObjectKey prefix);

    /**
     * Releases the store's threads and connections. Operations already started complete or fail;
     * later ones fail with {@link IllegalStateException}. Calling it again has no effect.
     */
    @Override
    void close();
}
