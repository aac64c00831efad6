package io.strata.tiered;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/** Opens the {@link ObjectStore} that a URL names, choosing the implementation by its scheme. */
public final class ObjectStores {

    private static final String SUPPORTED_SCHEMES = "file (file:///path/to/directory)";

    private ObjectStores() {
    }

    /**
     * Opens the store at {@code uri}; the caller closes it.
     *
     * @throws IllegalArgumentException if the scheme is not supported or the URI is malformed for it
     */
    public static ObjectStore open(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return new LocalDirectoryObjectStore(Path.of(uri));
        }
        throw new IllegalArgumentException("Unsupported object store URI '" + uri + "': scheme '"
                + uri.getScheme() + "' is not supported; supported schemes: " + SUPPORTED_SCHEMES);
    }
}
