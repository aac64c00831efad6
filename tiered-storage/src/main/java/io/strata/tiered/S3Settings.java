package io.strata.tiered;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How an {@link S3ObjectStore} reaches its bucket: where, as whom, with which timeouts and retries,
 * and how it splits large uploads. Immutable; build one with {@link #builder(String)} or, from an
 * {@code s3://bucket/prefix} URI and the AWS SDK's environment variables, {@link #fromUri}.
 *
 * @param bucket             the bucket, which must exist
 * @param prefix             the segments every key of the store is put under, as in
 *                           {@code prefix/topics/…}; empty for the bucket's root
 * @param region             the bucket's region, such as {@code us-east-1}
 * @param endpoint           where to send requests instead of AWS, such as MinIO's
 *                           {@code http://minio:9000}
 * @param pathStyle          whether to name the bucket in the path ({@code http://host/bucket/key})
 *                           rather than the host name, as most S3-compatible stores need
 * @param credentials        fixed credentials; when empty the SDK's default provider chain finds them
 *                           (system properties, environment, profile, web identity, container or
 *                           instance role)
 * @param connectTimeout     how long to wait for a TCP connection
 * @param attemptTimeout     how long one HTTP attempt may take before it is retried
 * @param callTimeout        how long one S3 request may take, retries included; a multipart upload
 *                           makes several such requests
 * @param maxAttempts        the attempts per request, the first one included
 * @param retryBaseDelay     the backoff before the first retry, doubling (with jitter) for each further one;
 *                           throttling answers back off on the SDK's own, longer schedule
 * @param retryMaxDelay      the most the backoff grows to
 * @param multipartThreshold the largest object uploaded with a single PutObject; larger ones use a
 *                           multipart upload
 * @param partSize           the size of each part of a multipart upload but the last
 * @param partConcurrency    how many parts of one upload are in flight at once
 */
public record S3Settings(
        String bucket,
        String prefix,
        String region,
        Optional<URI> endpoint,
        boolean pathStyle,
        Optional<StaticCredentials> credentials,
        Duration connectTimeout,
        Duration attemptTimeout,
        Duration callTimeout,
        int maxAttempts,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        long multipartThreshold,
        long partSize,
        int partConcurrency) {

    public static final String DEFAULT_REGION = "us-east-1";

    /** S3 rejects smaller parts, except the last one of an upload. */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part, and the largest object a single PutObject may upload. */
    public static final long MAX_PART_SIZE = 5L << 30;

    private static final Pattern BUCKET_NAME = Pattern.compile("[A-Za-z0-9._-]+");

    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
        // Looser than AWS's naming rules, which some S3-compatible stores do not follow.
        if (!BUCKET_NAME.matcher(bucket).matches()) {
            throw new IllegalArgumentException("Invalid S3 bucket name '" + bucket + "'");
        }
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.isEmpty()) {
            requireValidPrefix(prefix);
        }
        Objects.requireNonNull(region, "region");
        if (region.isBlank()) {
            throw new IllegalArgumentException("The S3 region is blank");
        }
        Objects.requireNonNull(endpoint, "endpoint").ifPresent(S3Settings::requireHttpUrl);
        Objects.requireNonNull(credentials, "credentials");
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("attemptTimeout", attemptTimeout);
        requirePositive("callTimeout", callTimeout);
        requireAttemptWithinCall(attemptTimeout, callTimeout);
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        requirePositive("retryBaseDelay", retryBaseDelay);
        requirePositive("retryMaxDelay", retryMaxDelay);
        if (retryBaseDelay.compareTo(retryMaxDelay) > 0) {
            throw new IllegalArgumentException("retryBaseDelay " + retryBaseDelay + " exceeds retryMaxDelay "
                    + retryMaxDelay);
        }
        if (multipartThreshold < 0 || multipartThreshold > MAX_PART_SIZE) {
            throw new IllegalArgumentException("multipartThreshold must be between 0 and " + MAX_PART_SIZE + ": "
                    + multipartThreshold);
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be between " + MIN_PART_SIZE + " and "
                    + MAX_PART_SIZE + ": " + partSize);
        }
        if (partConcurrency < 1) {
            throw new IllegalArgumentException("partConcurrency must be at least 1: " + partConcurrency);
        }
    }

    /** Settings for {@code bucket} with every other one at its default, to change before building. */
    public static Builder builder(String bucket) {
        return new Builder(bucket);
    }

    /**
     * The settings that {@code uri}, such as {@code s3://bucket/some/prefix}, and the standard AWS SDK
     * environment variables name; the rest keep their defaults, to change before building.
     *
     * <ul>
     *   <li>{@code AWS_ENDPOINT_URL_S3}, or else {@code AWS_ENDPOINT_URL}: the endpoint</li>
     *   <li>{@code AWS_REGION}: the region, {@value #DEFAULT_REGION} if unset</li>
     *   <li>{@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, with the optional
     *       {@code AWS_SESSION_TOKEN}: fixed credentials; if either is unset, the SDK's default chain</li>
     * </ul>
     *
     * <p>The path-style flag has no standard variable, so it is left to the caller.
     *
     * @param environment the variables, {@link System#getenv()} outside tests
     * @throws IllegalArgumentException if {@code uri} is not an {@code s3} URI naming a bucket
     */
    public static Builder fromUri(URI uri, Map<String, String> environment) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(environment, "environment");
        if (!"s3".equalsIgnoreCase(uri.getScheme()) || uri.isOpaque() || uri.getAuthority() == null) {
            throw new IllegalArgumentException("Invalid S3 URI '" + uri + "': expected s3://bucket/prefix");
        }
        if (uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("Invalid S3 URI '" + uri + "': settings go in the environment, "
                    + "not in a query or fragment");
        }
        String prefix = uri.getPath().replaceFirst("^/", "").replaceFirst("/$", "");
        Builder builder = builder(uri.getAuthority()).prefix(prefix);
        variable(environment, "AWS_ENDPOINT_URL_S3")
                .or(() -> variable(environment, "AWS_ENDPOINT_URL"))
                .ifPresent(endpoint -> builder.endpoint(URI.create(endpoint)));
        variable(environment, "AWS_REGION").ifPresent(builder::region);
        Optional<String> accessKeyId = variable(environment, "AWS_ACCESS_KEY_ID");
        Optional<String> secretAccessKey = variable(environment, "AWS_SECRET_ACCESS_KEY");
        if (accessKeyId.isPresent() && secretAccessKey.isPresent()) {
            builder.credentials(new StaticCredentials(accessKeyId.get(), secretAccessKey.get(),
                    variable(environment, "AWS_SESSION_TOKEN")));
        }
        return builder;
    }

    private static Optional<String> variable(Map<String, String> environment, String name) {
        return Optional.ofNullable(environment.get(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    /**
     * Refuses an attempt timeout longer than the call timeout, as no attempt could then use it: for
     * callers that check their own settings before building these.
     *
     * @throws IllegalArgumentException if {@code attemptTimeout} exceeds {@code callTimeout}
     */
    public static void requireAttemptWithinCall(Duration attemptTimeout, Duration callTimeout) {
        if (attemptTimeout.compareTo(callTimeout) > 0) {
            throw new IllegalArgumentException("attemptTimeout " + attemptTimeout + " exceeds callTimeout "
                    + callTimeout + ", so no attempt could use it");
        }
    }

    /** The prefix follows the key rules, so that {@code prefix/key} is a well-formed key too. */
    private static void requireValidPrefix(String prefix) {
        try {
            new ObjectKey(prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid S3 key prefix '" + prefix + "': " + e.getMessage(), e);
        }
    }

    private static void requireHttpUrl(URI endpoint) {
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("Invalid S3 endpoint '" + endpoint + "': expected http(s)://host[:port]");
        }
    }

    private static void requirePositive(String name, Duration duration) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + duration);
        }
    }

    /** Fixed credentials; {@link #toString()} leaves the secrets out, so that settings can be logged. */
    public record StaticCredentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {

        public StaticCredentials {
            Objects.requireNonNull(accessKeyId, "accessKeyId");
            Objects.requireNonNull(secretAccessKey, "secretAccessKey");
            Objects.requireNonNull(sessionToken, "sessionToken");
        }

        public StaticCredentials(String accessKeyId, String secretAccessKey) {
            this(accessKeyId, secretAccessKey, Optional.empty());
        }

        @Override
        public String toString() {
            return "StaticCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=***"
                    + (sessionToken.isPresent() ? ", sessionToken=***" : "") + "]";
        }
    }

    /**
     * Collects settings, starting from the defaults; not thread-safe. The defaults (among them the
     * timeouts: 3 s to connect, 30 s an attempt, 2 min a call) are this library's own fallback for
     * callers that choose none; an application with settings of its own passes them all.
     */
    public static final class Builder {

        private final String bucket;
        private String prefix = "";
        private String region = DEFAULT_REGION;
        private Optional<URI> endpoint = Optional.empty();
        private boolean pathStyle;
        private Optional<StaticCredentials> credentials = Optional.empty();
        private Duration connectTimeout = Duration.ofSeconds(3);
        // Generous enough for a 16 MiB PutObject or an 8 MiB part on a slow link.
        private Duration attemptTimeout = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ofMinutes(2);
        private int maxAttempts = 4;
        private Duration retryBaseDelay = Duration.ofMillis(100);
        private Duration retryMaxDelay = Duration.ofSeconds(5);
        private long multipartThreshold = 16L << 20;
        private long partSize = 8L << 20;
        private int partConcurrency = 4;

        private Builder(String bucket) {
            this.bucket = bucket;
        }

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = Optional.of(endpoint);
            return this;
        }

        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        public Builder credentials(StaticCredentials credentials) {
            this.credentials = Optional.of(credentials);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder attemptTimeout(Duration attemptTimeout) {
            this.attemptTimeout = attemptTimeout;
            return this;
        }

        public Builder callTimeout(Duration callTimeout) {
            this.callTimeout = callTimeout;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder retryDelays(Duration base, Duration max) {
            this.retryBaseDelay = base;
            this.retryMaxDelay = max;
            return this;
        }

        public Builder multipart(long threshold, long partSize, int partConcurrency) {
            this.multipartThreshold = threshold;
            this.partSize = partSize;
            this.partConcurrency = partConcurrency;
            return this;
        }

        /** @throws IllegalArgumentException if a setting is out of range */
        public S3Settings build() {
            return new S3Settings(bucket, prefix, region, endpoint, pathStyle, credentials, connectTimeout,
                    attemptTimeout, callTimeout, maxAttempts, retryBaseDelay, retryMaxDelay, multipartThreshold,
                    partSize, partConcurrency);
        }
    }
}
