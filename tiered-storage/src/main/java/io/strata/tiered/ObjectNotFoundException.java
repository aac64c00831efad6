package io.strata.tiered;

import java.util.Objects;

/**
 * No object is stored under the key. Not an {@link ObjectStoreException}: retrying does not help,
 * the caller has to decide what a missing object means (usually lost or already deleted data).
 */
public class ObjectNotFoundException extends RuntimeException {

    private final ObjectKey key;

    public ObjectNotFoundException(ObjectKey key) {
        super("Object not found: " + key);
        this.key = Objects.requireNonNull(key, "key");
    }

    public ObjectKey key() {
        return key;
    }
}
