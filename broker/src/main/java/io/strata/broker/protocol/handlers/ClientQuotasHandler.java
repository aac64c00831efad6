package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.MetadataCommand.AlterClientQuota;
import io.strata.broker.protocol.RequestContext;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.DescribeClientQuotasResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterClientQuotasResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeClientQuotasRequest;
import org.apache.kafka.common.requests.DescribeClientQuotasResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * DescribeClientQuotas and AlterClientQuotas ({@code kafka-configs --entity-type users|clients}): quotas of users,
 * client ids, both, and their defaults, kept in the replicated metadata. Altering needs ALTER_CONFIGS on the
 * cluster, describing DESCRIBE_CONFIGS, as in Kafka. The byte rates and {@code request_percentage} are enforced;
 * {@code controller_mutation_rate} is refused rather than stored without effect.
 */
public final class ClientQuotasHandler {

    private static final String REQUEST_PERCENTAGE = "request_percentage";
    /** The quotas this broker enforces, which are the ones it accepts. */
    static final Set<String> KEYS = Set.of("producer_byte_rate", "consumer_byte_rate", REQUEST_PERCENTAGE);
    private static final Set<String> ENTITY_TYPES = Set.of(ClientQuotaEntity.USER, ClientQuotaEntity.CLIENT_ID);

    private final SecurityMetadata metadata;

    public ClientQuotasHandler(SecurityMetadata metadata) {
        this.metadata = metadata;
    }

    public CompletionStage<DescribeClientQuotasResponseData> describe(RequestContext context,
                                                                      DescribeClientQuotasRequest request) {
        if (!context.allowedOnCluster(AclOperation.DESCRIBE_CONFIGS)) {
            return CompletableFuture.failedFuture(new ClusterAuthorizationException(
                    "Not authorized to describe client quotas (DESCRIBE_CONFIGS on the cluster)"));
        }
        ClientQuotaFilter filter = request.filter();
        Set<String> types = new HashSet<>();
        for (ClientQuotaFilterComponent component : filter.components()) {
            if (!ClientQuotaEntity.isValidEntityType(component.entityType()) || !types.add(component.entityType())) {
                return CompletableFuture.completedFuture(new DescribeClientQuotasResponseData()
                        .setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Invalid or repeated entity type in the filter: " + component.entityType()));
            }
        }
        Map<ClientQuotaEntity, Map<String, Double>> matching = new LinkedHashMap<>();
        metadata.current().quotas().forEach((entity, values) -> {
            if (matches(filter, entity)) {
                matching.put(entity, values);
            }
        });
        return CompletableFuture.completedFuture(DescribeClientQuotasResponse.fromQuotaEntities(matching, 0).data());
    }

    /** Kafka's filter semantics: every component names a part the entity has; strict, nothing else. */
    private static boolean matches(ClientQuotaFilter filter, ClientQuotaEntity entity) {
        Map<String, String> entries = entity.entries();
        for (ClientQuotaFilterComponent component : filter.components()) {
            if (!entries.containsKey(component.entityType())) {
                return false;
            }
            String name = entries.get(component.entityType());
            // match(): null for any name, empty for the default, else the name.
            if (component.match() != null && !component.match().equals(Optional.ofNullable(name))) {
                return false;
            }
        }
        return !filter.strict() || entries.size() == filter.components().size();
    }

    public CompletionStage<AlterClientQuotasResponseData> alter(RequestContext context, AlterClientQuotasRequest request) {
        Map<ClientQuotaEntity, CompletableFuture<ApiError>> results = new LinkedHashMap<>();
        boolean allowed = context.allowedOnCluster(AclOperation.ALTER_CONFIGS);
        for (ClientQuotaAlteration alteration : request.entries()) {
            ClientQuotaEntity entity = alteration.entity();
            String invalid = allowed ? invalidity(alteration) : null;
            if (!allowed) {
                results.put(entity, CompletableFuture.completedFuture(new ApiError(Errors.CLUSTER_AUTHORIZATION_FAILED,
                        "Not authorized to alter client quotas (ALTER_CONFIGS on the cluster)")));
            } else if (invalid != null) {
                results.put(entity, CompletableFuture.completedFuture(new ApiError(Errors.INVALID_REQUEST, invalid)));
            } else if (request.validateOnly()) {
                results.put(entity, CompletableFuture.completedFuture(ApiError.NONE));
            } else {
                Map<String, Double> set = new HashMap<>();
                Set<String> remove = new HashSet<>();
                alteration.ops().forEach(op -> {
                    if (op.value() == null) {
                        remove.add(op.key());
                    } else {
                        set.put(op.key(), op.value());
                    }
                });
                results.put(entity, metadata.change(new AlterClientQuota(entity, set, remove)).handle((result, error) ->
                        error != null ? ApiError.fromThrowable(Futures.cause(error))
                                : result.isError() ? new ApiError(result.error(), result.message()) : ApiError.NONE));
            }
        }
        List<CompletableFuture<ApiError>> all = new ArrayList<>(results.values());
        return Futures.all(all).thenApply(done -> {
            Map<ClientQuotaEntity, ApiError> errors = new LinkedHashMap<>();
            results.forEach((entity, error) -> errors.put(entity, error.join()));
            return AlterClientQuotasResponse.fromQuotaEntities(errors, 0).data();
        });
    }

    /** Why Kafka's rules, or this broker's, refuse {@code alteration}; null if they do not. */
    private static String invalidity(ClientQuotaAlteration alteration) {
        Map<String, String> entries = alteration.entity().entries();
        if (entries.isEmpty()) {
            return "A quota entity names a user, a client id or both";
        }
        for (Map.Entry<String, String> entry : entries.entrySet()) {
            if (!ENTITY_TYPES.contains(entry.getKey())) {
                return "Quotas of entity type " + entry.getKey() + " are not supported; only user and client-id";
            }
            if (entry.getValue() != null && entry.getValue().isEmpty()) {
                return "An empty " + entry.getKey() + " name; use the default entity instead";
            }
        }
        Set<String> keys = new HashSet<>();
        for (ClientQuotaAlteration.Op op : alteration.ops()) {
            if (!KEYS.contains(op.key())) {
                return "Quota " + op.key() + " is not supported; supported: " + KEYS;
            }
            if (!keys.add(op.key())) {
                return "Quota " + op.key() + " is altered twice";
            }
            Double value = op.value();
            if (value == null) {
                continue;
            }
            if (op.key().equals(REQUEST_PERCENTAGE)) {
                if (!(value > 0) || value.isInfinite()) {
                    return "Quota " + op.key() + " must be a positive percentage of one thread's time, not " + value;
                }
            } else if (value <= 0 || value != Math.rint(value) || value.isInfinite()) {
                return "Quota " + op.key() + " must be a positive whole number of bytes per second, not " + value;
            }
        }
        return null;
    }
}
