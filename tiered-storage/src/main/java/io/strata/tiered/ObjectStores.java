package io.strata.tiered;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Opens the {@link ObjectStore} that a URL names, choosing the implementation by its scheme. */
public final class ObjectStores {

    /**
     * Option: {@code true} to name the bucket in the URL path rather than the host name, as MinIO and
     * most other S3-compatible stores need; {@code false} by default.
     */
    public static final String S3_PATH_STYLE = "s3.path-style";

    /** Option: how long to wait for a TCP connection to S3, in milliseconds (see {@link S3Settings#connectTimeout()}). */
    public static final String S3_CONNECT_TIMEOUT_MS = "s3.connect-timeout-ms";

    /** Option: how long one HTTP attempt may take before it is retried, in milliseconds. */
    public static final String S3_ATTEMPT_TIMEOUT_MS = "s3.attempt-timeout-ms";

    /** Option: how long one S3 request may take, retries included, in milliseconds. */
    public static final String S3_CALL_TIMEOUT_MS = "s3.call-timeout-ms";

    private static final Set<String> OPTIONS = Set.of(S3_PATH_STYLE, S3_CONNECT_TIMEOUT_MS, S3_ATTEMPT_TIMEOUT_MS,
            S3_CALL_TIMEOUT_MS);
    private static final String SUPPORTED_SCHEMES = "file (file:///path/to/directory), s3 (s3://bucket/prefix)";

    private ObjectStores() {
    }

    /** Opens the store at {@code uri} with no options; see {@link #open(URI, Map)}. */
    public static ObjectStore open(URI uri) {
        return open(uri, Map.of());
    }

    /**
     * Opens the store at {@code uri}; the caller closes it.
     *
     * <ul>
     *   <li>{@code file:///path/to/directory}: a {@link LocalDirectoryObjectStore}.</li>
     *   <li>{@code s3://bucket/prefix}: an {@link S3ObjectStore}, with the endpoint, region and
     *       credentials of the standard AWS environment variables (see {@link S3Settings#fromUri}) and
     *       the options {@value #S3_PATH_STYLE}, {@value #S3_CONNECT_TIMEOUT_MS}, {@value #S3_ATTEMPT_TIMEOUT_MS}
     *       and {@value #S3_CALL_TIMEOUT_MS}; a timeout not given keeps {@link S3Settings}' default.</li>
     * </ul>
     *
     * <p>Options that do not apply to the scheme are ignored, so one set can serve any URI.
     *
     * @throws IllegalArgumentException if the scheme is not supported, the URI is malformed for it,
     *                                  or an option is unknown or has an invalid value
     */
    public static ObjectStore open(URI uri, Map<String, String> options) {
        return open(uri, options, System.getenv());
    }

    /**
     * {@link #open(URI, Map)} with the environment variables given rather than the process's: for
     * tests, which cannot change their own environment.
     */
    public static ObjectStore open(URI uri, Map<String, String> options, Map<String, String> environment) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        for (String option : options.keySet()) {
            if (!OPTIONS.contains(option)) {
                throw new IllegalArgumentException("Unknown object store option '" + option + "'; known options: "
                        + OPTIONS);
            }
        }
        checkUri(uri);
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            return new LocalDirectoryObjectStore(Path.of(uri));
        }
        S3Settings.Builder s3 = S3Settings.fromUri(uri, environment).pathStyle(booleanOption(options, S3_PATH_STYLE));
        durationOption(options, S3_CONNECT_TIMEOUT_MS).ifPresent(s3::connectTimeout);
        durationOption(options, S3_ATTEMPT_TIMEOUT_MS).ifPresent(s3::attemptTimeout);
        durationOption(options, S3_CALL_TIMEOUT_MS).ifPresent(s3::callTimeout);
        return new S3ObjectStore(s3.build());
    }

    /**
     * Refuses a URI that {@link #open} could not open, without touching a disk or the network: so that a
     * bad URI can stop an application before it starts rather than when it opens the store.
     *
     * @throws IllegalArgumentException if the scheme is not supported or the URI is malformed for it
     */
    public static void checkUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        if ("file".equalsIgnoreCase(uri.getScheme())) {
            Path.of(uri);
        } else if ("s3".equalsIgnoreCase(uri.getScheme())) {
            // The bucket and prefix are checked by the settings they become; the environment adds neither.
            S3Settings.fromUri(uri, Map.of()).build();
        } else {
            throw new IllegalArgumentException("Unsupported object store URI '" + uri + "': scheme '"
                    + uri.getScheme() + "' is not supported; supported schemes: " + SUPPORTED_SCHEMES);
        }
    }

    private static boolean booleanOption(Map<String, String> options, String name) {
        String value = options.getOrDefault(name, "false").strip();
        // Boolean.parseBoolean would take a typo such as "ture" for false.
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new IllegalArgumentException("Invalid value '" + value + "' of object store option '" + name
                + "': expected true or false");
    }

    private static Optional<Duration> durationOption(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            return Optional.empty();
        }
        try {
            long millis = Long.parseLong(value.strip());
            if (millis > 0) {
                return Optional.of(Duration.ofMillis(millis));
            }
        } catch (NumberFormatException e) {
            // Answered below, with the option's name.
        }
        throw new IllegalArgumentException("Invalid value '" + value + "' of object store option '" + name
                + "': expected a positive number of milliseconds");
    }
}
