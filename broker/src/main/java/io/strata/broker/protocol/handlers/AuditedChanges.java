package io.strata.broker.protocol.handlers;

import io.strata.broker.cluster.SecurityImage;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.broker.security.AuditLog;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.UnregisterBrokerResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterClientQuotasRequest;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.UnregisterBrokerRequest;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Puts the {@link AuditLog} behind the Kafka APIs that change topics, configs, brokers or security metadata: once such a
 * request is answered, one line per resource it named, with the error the answer gave it. What changed is read from
 * the request (partition counts, config names, ACL entries, SCRAM mechanisms, quota values; never config values,
 * which may be secrets, nor salts); a validate-only request changes nothing and is not audited. Stateless.
 */
public final class AuditedChanges {

    private static final Logger LOG = Logger.getLogger(AuditedChanges.class);

    /** What a request did to one resource, and the error it got. */
    private record Change(String resourceType, String resource, String detail, short errorCode) {
    }

    private static final Map<ApiKeys, BiFunction<AbstractRequest, ApiMessage, List<Change>>> CHANGES = Map.ofEntries(
            Map.entry(ApiKeys.CREATE_TOPICS, AuditedChanges::createdTopics),
            Map.entry(ApiKeys.DELETE_TOPICS, (request, response) -> ((DeleteTopicsResponseData) response).responses()
                    .stream().map(topic -> new Change("TOPIC", topic.name() != null ? topic.name()
                            : topic.topicId().toString(), null, topic.errorCode())).toList()),
            Map.entry(ApiKeys.CREATE_PARTITIONS, AuditedChanges::createdPartitions),
            Map.entry(ApiKeys.ALTER_CONFIGS, AuditedChanges::alteredConfigs),
            Map.entry(ApiKeys.INCREMENTAL_ALTER_CONFIGS, AuditedChanges::incrementallyAlteredConfigs),
            Map.entry(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, AuditedChanges::reassigned),
            Map.entry(ApiKeys.DELETE_RECORDS, AuditedChanges::deletedRecords),
            Map.entry(ApiKeys.CREATE_ACLS, AuditedChanges::createdAcls),
            Map.entry(ApiKeys.DELETE_ACLS, AuditedChanges::deletedAcls),
            Map.entry(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, AuditedChanges::alteredScramCredentials),
            Map.entry(ApiKeys.ALTER_CLIENT_QUOTAS, AuditedChanges::alteredQuotas),
            Map.entry(ApiKeys.UNREGISTER_BROKER, (request, response) -> List.of(new Change("BROKER",
                    String.valueOf(((UnregisterBrokerRequest) request).data().brokerId()), "unregister",
                    ((UnregisterBrokerResponseData) response).errorCode()))));

    private AuditedChanges() {
    }

    /** {@code handlers}, those of the APIs that change topics, configs or security metadata audited. */
    public static List<ApiHandler<?>> wrap(List<ApiHandler<?>> handlers) {
        return handlers.stream().<ApiHandler<?>>map(handler -> CHANGES.containsKey(handler.apiKey())
                ? audited(handler) : handler).toList();
    }

    private static <R extends AbstractRequest> ApiHandler<R> audited(ApiHandler<R> handler) {
        return handler.around((context, request, inner) -> inner.handle(context, request)
                .whenComplete((response, failure) -> {
                    try {
                        audit(handler.apiKey(), context, request,
                                // A failed request is answered with its API's error response: audit what that says.
                                failure != null ? request.getErrorResponse(0, failure).data() : response);
                    } catch (RuntimeException e) {
                        // The change is made and answered whatever becomes of its audit line.
                        LOG.errorf(e, "Cannot audit a %s request", handler.apiKey());
                    }
                }));
    }

    /**
     * One line per resource the answer gives an outcome for; a resource refused for want of an ACL has its denial's
     * line already, which says more.
     */
    private static void audit(ApiKeys apiKey, RequestContext context, AbstractRequest request, ApiMessage answer) {
        for (Change change : CHANGES.get(apiKey).apply(request, answer)) {
            Errors error = Errors.forCode(change.errorCode());
            if (!(error.exception() instanceof AuthorizationException)) {
                AuditLog.changed(apiKey.name(), context.session().principal(), context.clientHost(),
                        change.resourceType(), change.resource(), change.detail(), error.name());
            }
        }
    }

    private static List<Change> createdTopics(AbstractRequest request, ApiMessage response) {
        var data = ((CreateTopicsRequest) request).data();
        if (data.validateOnly()) {
            return List.of();
        }
        return ((CreateTopicsResponseData) response).topics().stream().map(topic -> {
            CreatableTopic asked = data.topics().find(topic.name());
            String detail = asked == null ? null : "partitions=" + asked.numPartitions() + " replication-factor="
                    + asked.replicationFactor() + configNames(asked.configs().stream().map(c -> c.name()));
            return new Change("TOPIC", topic.name(), detail, topic.errorCode());
        }).toList();
    }

    private static List<Change> createdPartitions(AbstractRequest request, ApiMessage response) {
        var data = ((CreatePartitionsRequest) request).data();
        if (data.validateOnly()) {
            return List.of();
        }
        return ((CreatePartitionsResponseData) response).results().stream().map(topic -> {
            var asked = data.topics().find(topic.name());
            return new Change("TOPIC", topic.name(), asked == null ? null : "count=" + asked.count(),
                    topic.errorCode());
        }).toList();
    }

    private static List<Change> alteredConfigs(AbstractRequest request, ApiMessage response) {
        var data = ((AlterConfigsRequest) request).data();
        if (data.validateOnly()) {
            return List.of();
        }
        return ((AlterConfigsResponseData) response).responses().stream().map(resource -> {
            var asked = data.resources().find(resource.resourceType(), resource.resourceName());
            return configChange(resource.resourceType(), resource.resourceName(), asked == null ? null
                    : "SET" + configNames(asked.configs().stream().map(c -> c.name())), resource.errorCode());
        }).toList();
    }

    private static List<Change> incrementallyAlteredConfigs(AbstractRequest request, ApiMessage response) {
        var data = ((IncrementalAlterConfigsRequest) request).data();
        if (data.validateOnly()) {
            return List.of();
        }
        return ((IncrementalAlterConfigsResponseData) response).responses().stream().map(resource -> {
            var asked = data.resources().find(resource.resourceType(), resource.resourceName());
            String detail = asked == null ? null : asked.configs().stream()
                    .map(c -> AlterConfigOp.OpType.forId(c.configOperation()) + " "
                            + c.name())
                    .collect(Collectors.joining(", "));
            return configChange(resource.resourceType(), resource.resourceName(), detail, resource.errorCode());
        }).toList();
    }

    private static Change configChange(byte resourceType, String resourceName, String detail, short errorCode) {
        return new Change(ConfigResource.Type.forId(resourceType) + "_CONFIG", resourceName, detail, errorCode);
    }

    /** The config names, without their values, which may be secrets. */
    private static String configNames(Stream<String> names) {
        String joined = names.collect(Collectors.joining(", "));
        return joined.isEmpty() ? "" : " configs=[" + joined + "]";
    }

    private static List<Change> reassigned(AbstractRequest request, ApiMessage response) {
        Map<TopicPartition, String> asked = new HashMap<>();
        ((AlterPartitionReassignmentsRequest) request).data().topics().forEach(topic -> topic.partitions().forEach(p ->
                asked.putIfAbsent(new TopicPartition(topic.name(), p.partitionIndex()),
                        p.replicas() == null ? "cancel" : "replicas=" + p.replicas())));
        var answer = (AlterPartitionReassignmentsResponseData) response;
        List<Change> changes = new ArrayList<>();
        for (var topic : answer.responses()) {
            for (var partition : topic.partitions()) {
                short error = answer.errorCode() != Errors.NONE.code() ? answer.errorCode() : partition.errorCode();
                changes.add(partitionChange(asked, topic.name(), partition.partitionIndex(), error));
            }
        }
        return changes;
    }

    private static List<Change> deletedRecords(AbstractRequest request, ApiMessage response) {
        Map<TopicPartition, String> asked = new HashMap<>();
        ((DeleteRecordsRequest) request).data().topics().forEach(topic -> topic.partitions().forEach(p ->
                asked.putIfAbsent(new TopicPartition(topic.name(), p.partitionIndex()), "before offset " + p.offset())));
        List<Change> changes = new ArrayList<>();
        for (var topic : ((DeleteRecordsResponseData) response).topics()) {
            for (var partition : topic.partitions()) {
                changes.add(partitionChange(asked, topic.name(), partition.partitionIndex(), partition.errorCode()));
            }
        }
        return changes;
    }

    /** A partition's change, with what the request asked of it ({@code asked}, by partition) as its detail. */
    private static Change partitionChange(Map<TopicPartition, String> asked, String topic, int partition,
                                          short errorCode) {
        return new Change("PARTITION", topic + "-" + partition, asked.get(new TopicPartition(topic, partition)),
                errorCode);
    }

    private static List<Change> createdAcls(AbstractRequest request, ApiMessage response) {
        List<AclCreation> asked = ((CreateAclsRequest) request).data().creations();
        var results = ((CreateAclsResponseData) response).results();
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < Math.min(asked.size(), results.size()); i++) {
            AclCreation acl = asked.get(i);
            changes.add(new Change("ACL", pattern(acl.resourceType(), acl.resourceName(), acl.resourcePatternType()),
                    entry(acl.principal(), acl.host(), acl.operation(), acl.permissionType()),
                    results.get(i).errorCode()));
        }
        return changes;
    }

    private static List<Change> deletedAcls(AbstractRequest request, ApiMessage response) {
        List<Change> changes = new ArrayList<>();
        for (var filter : ((DeleteAclsResponseData) response).filterResults()) {
            for (var acl : filter.matchingAcls()) {
                changes.add(new Change("ACL", pattern(acl.resourceType(), acl.resourceName(), acl.patternType()),
                        entry(acl.principal(), acl.host(), acl.operation(), acl.permissionType()),
                        filter.errorCode() != Errors.NONE.code() ? filter.errorCode() : acl.errorCode()));
            }
            if (filter.matchingAcls().isEmpty() && filter.errorCode() != Errors.NONE.code()) {
                changes.add(new Change("ACL", null, null, filter.errorCode()));
            }
        }
        return changes;
    }

    private static String pattern(byte resourceType, String name, byte patternType) {
        return ResourceType.fromCode(resourceType) + ":" + PatternType.fromCode(patternType) + ":" + name;
    }

    private static String entry(String principal, String host, byte operation, byte permission) {
        return principal + " " + AclPermissionType.fromCode(permission) + " " + AclOperation.fromCode(operation)
                + " from " + host;
    }

    private static List<Change> alteredScramCredentials(AbstractRequest request, ApiMessage response) {
        AlterUserScramCredentialsRequestData data = ((AlterUserScramCredentialsRequest) request).data();
        return ((AlterUserScramCredentialsResponseData) response).results().stream().map(user -> {
            String detail = Stream.concat(
                    data.upsertions().stream().filter(u -> u.name().equals(user.user()))
                            .map(u -> "upsert " + scramName(u.mechanism()) + " iterations="
                                    + u.iterations()),
                    data.deletions().stream().filter(d -> d.name().equals(user.user()))
                            .map(d -> "delete " + scramName(d.mechanism())))
                    .collect(Collectors.joining(", "));
            return new Change("USER", user.user(), detail, user.errorCode());
        }).toList();
    }

    private static String scramName(byte type) {
        return SecurityImage.scramMechanism(type).map(ScramMechanism::mechanismName).orElse("mechanism " + type);
    }

    private static List<Change> alteredQuotas(AbstractRequest request, ApiMessage response) {
        AlterClientQuotasRequestData data = ((AlterClientQuotasRequest) request).data();
        if (data.validateOnly()) {
            return List.of();
        }
        var entries = ((AlterClientQuotasResponseData) response).entries();
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            var entry = entries.get(i);
            String entity = entry.entity().stream().map(e -> e.entityType() + "=" + e.entityName())
                    .collect(Collectors.joining(","));
            String detail = i < data.entries().size() ? data.entries().get(i).ops().stream()
                    .map(op -> op.remove() ? "remove " + op.key() : op.key() + "=" + op.value())
                    .collect(Collectors.joining(", ")) : null;
            changes.add(new Change("CLIENT_QUOTA", entity, detail, entry.errorCode()));
        }
        return changes;
    }
}
