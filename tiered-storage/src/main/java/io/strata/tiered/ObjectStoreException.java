package io.strata.tiered;

import java.util.Objects;

/**
 * An operation on an {@link ObjectStore} failed for a reason worth retrying: an I/O error,
 * an unreachable or throttling store.
 */
public class ObjectStoreException extends RuntimeException {

    private final String operation;
    private final ObjectKey key;

    public ObjectStoreException(String operation, ObjectKey key, Throwable cause) {
        this(operation, key, null, cause);
    }

    /**
     * @param location where the store keeps {@code key}, such as {@code s3://bucket/prefix/key}, for
     *                 stores whose configuration the key alone does not name; may be null
     */
    public ObjectStoreException(String operation, ObjectKey key, String location, Throwable cause) {
        super(operation + " of '" + key + "'" + (location == null ? "" : " at " + location) + " failed: " + cause,
                cause);
        this.operation = Objects.requireNonNull(operation, "operation");
        this.key = Objects.requireNonNull(key, "key");
    }

    /** The {@link ObjectStore} method that failed, such as {@code put}. */
    public String operation() {
        return operation;
    }

    /** The key of the failed operation; for {@code list}, the prefix. */
    public ObjectKey key() {
        return key;
    }
}
