package io.strata.broker.protocol;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Routes each request to the handler of its API key and turns failures into the API's own error
 * response. What is registered here is what ApiVersions advertises, but for Produce's oldest versions (see
 * {@link #advertisedMinVersion}).
 */
public final class ApiRouter {

    private static final ClientLog CLIENT_LOG = new ClientLog(Logger.getLogger(ApiRouter.class));

    private final Map<ApiKeys, ApiHandler<?>> handlers = new EnumMap<>(ApiKeys.class);

    /**
     * Routes to {@code handlers}, plus ApiVersions: the API keys and version ranges registered here (Produce's
     * from v0, see {@link #advertisedMinVersion}). The router answers it itself so that it needs none of the
     * handlers it routes to.
     */
    public ApiRouter(Collection<? extends ApiHandler<?>> handlers) {
        // As Kafka, a client software name or version (from v3) that is not letters and digits, with '.' and '-'
        // between them, is refused.
        register(ApiHandler.<ApiVersionsRequest>of(ApiKeys.API_VERSIONS, (context, request) -> request.isValid()
                ? CompletableFuture.completedFuture(new ApiVersionsResponseData()
                        .setApiKeys(apiVersions())
                        .setFinalizedFeaturesEpoch(-1))
                : CompletableFuture.failedFuture(new InvalidRequestException("Invalid client software name or "
                        + "version in ApiVersions: " + request.data().clientSoftwareName() + " "
                        + request.data().clientSoftwareVersion()))));
        handlers.forEach(this::register);
    }

    private void register(ApiHandler<?> handler) {
        if (handlers.put(handler.apiKey(), handler) != null) {
            throw new IllegalArgumentException("two handlers for " + handler.apiKey());
        }
    }

    public boolean serves(ApiKeys apiKey, short version) {
        ApiHandler<?> handler = handlers.get(apiKey);
        return handler != null && version >= handler.minVersion() && version <= handler.maxVersion();
    }

    String versionRange(ApiKeys apiKey) {
        ApiHandler<?> handler = handlers.get(apiKey);
        return handler == null ? "none" : handler.minVersion() + "-" + handler.maxVersion();
    }

    /** The API keys and version ranges this broker advertises in ApiVersions. */
    public ApiVersionCollection apiVersions() {
        ApiVersionCollection versions = new ApiVersionCollection(handlers.size());
        handlers.values().forEach(handler -> versions.add(new ApiVersion()
                .setApiKey(handler.apiKey().id)
                .setMinVersion(advertisedMinVersion(handler))
                .setMaxVersion(handler.maxVersion())));
        return versions;
    }

    /**
     * Produce is advertised from v0, which no request may use, as Kafka does (KAFKA-18659): librdkafka clients
     * such as kcat compress with gzip, snappy or lz4 only for a broker that advertises Produce v0, and otherwise
     * send every batch uncompressed without a word. Clients pick the newest version both sides know, so none
     * sends v0-v2; a request that does closes its connection, as any version not served does.
     */
    private static short advertisedMinVersion(ApiHandler<?> handler) {
        return handler.apiKey() == ApiKeys.PRODUCE
                ? (short) Math.min(handler.minVersion(), ApiKeys.PRODUCE_API_VERSIONS_RESPONSE_MIN_VERSION)
                : handler.minVersion();
    }

    /**
     * Dispatches a request. The stage completes with the response (null for none) or, when the
     * client can only learn of a failure by losing its connection, with a {@link ConnectionClosingException}.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    CompletionStage<ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
        ApiHandler handler = handlers.get(request.apiKey());
        CompletionStage<? extends ApiMessage> stage;
        try {
            stage = handler.handle(context, request);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((response, error) -> {
            if (error == null) {
                return response;
            }
            Throwable cause = unwrap(error);
            if (!(cause instanceof ApiException) && !(cause instanceof ConnectionClosingException)) {
                // Answered UNKNOWN_SERVER_ERROR: a fault of the broker's own, to be found in its log.
                CLIENT_LOG.error(context.clientAddress(), cause, "%s v%d from %s failed", request.apiKey(),
                        request.version(), context.clientAddress());
            }
            AbstractResponse errorResponse = cause instanceof ConnectionClosingException
                    ? null : request.getErrorResponse(0, cause);
            if (errorResponse == null) {
                throw cause instanceof ConnectionClosingException closing ? closing
                        : new ConnectionClosingException(request.apiKey() + " without a response failed: " + cause);
            }
            return errorResponse.data();
        });
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
