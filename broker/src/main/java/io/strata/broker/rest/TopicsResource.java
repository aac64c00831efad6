package io.strata.broker.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.security.Authorizer;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.resource.ResourceType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Topics: list, create, describe, add partitions, delete. Changes go through the broker's
 * {@code TopicAdmin}, as the Kafka APIs' do, and answer once the metadata change is applied.
 */
@Path("/v3/clusters/{cluster}/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Topics")
public class TopicsResource {

    private final BrokerAccess access;
    private final RestAuthorization authorization;
    private final RestAudit audit;

    public TopicsResource(BrokerAccess access, RestAuthorization authorization, RestAudit audit) {
        this.access = access;
        this.authorization = authorization;
        this.audit = audit;
    }

    @GET
    public ResourceList<TopicData> list(@RestPath String cluster) {
        Broker broker = access.broker(cluster);
        // As Metadata: the topics the principal may not describe are left out.
        List<TopicImage> topics = authorization.filter(broker.metadataImage().topics(), AclOperation.DESCRIBE,
                ResourceType.TOPIC, TopicImage::name);
        return new ResourceList<>("KafkaTopicList", topics.stream()
                .sorted(Comparator.comparing(TopicImage::name))
                .map(topic -> topicData(broker, topic))
                .toList());
    }

    /** Creates a topic; answers 201 with it, or with the topic that would be created when {@code validate_only}. */
    @POST
    public CompletionStage<Response> create(@RestPath String cluster, CreateTopicRequest request) {
        Broker broker = access.broker(cluster);
        if (request == null || request.topicName() == null) {
            throw RestException.badRequest("topic_name is required.");
        }
        // As CreateTopics: CREATE on the cluster, or on the topic.
        if (!authorization.allowed(AclOperation.CREATE, ResourceType.CLUSTER, Authorizer.CLUSTER)) {
            authorization.require(AclOperation.CREATE, ResourceType.TOPIC, request.topicName());
        }
        int partitions = positive(request.partitionsCount(), "partitions_count");
        int replicationFactor = positive(request.replicationFactor(), "replication_factor");
        if (replicationFactor > Short.MAX_VALUE) {
            throw RestException.badRequest("replication_factor must be at most " + Short.MAX_VALUE + ".");
        }
        Map<String, String> configs = ConfigValue.toMap(request.configs());
        boolean validateOnly = Boolean.TRUE.equals(request.validateOnly());
        CompletionStage<TopicImage> created = broker.topicAdmin()
                .createTopic(request.topicName(), partitions, (short) replicationFactor, configs, validateOnly);
        if (!validateOnly) {
            created = audit.change("TOPIC", request.topicName(), "partitions=" + partitions + " replication-factor="
                    + replicationFactor + (configs.isEmpty() ? "" : " configs=" + configs.keySet()), created);
        }
        // A REST client writes to the topic next: answer once its partitions are open.
        CompletionStage<TopicImage> open = created.thenCompose(topic -> validateOnly
                ? CompletableFuture.completedFuture(topic)
                : broker.partitions().reconciled(broker.metadataImage().version()).thenApply(reconciled -> topic));
        return KafkaErrors.answer(open,
                topic -> Response.status(validateOnly ? 200 : 201).entity(topicData(broker, topic)).build());
    }

    @GET
    @Path("/{topic}")
    public TopicData get(@RestPath String cluster, @RestPath String topic) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE, ResourceType.TOPIC, topic);
        return topicData(broker, access.topic(cluster, topic));
    }

    /** Raises the partition count: {@code {"partitions_count": N}}. Partitions cannot be removed. */
    @PATCH
    @Path("/{topic}")
    public CompletionStage<TopicData> update(@RestPath String cluster, @RestPath String topic, UpdateTopicRequest request) {
        Broker broker = access.broker(cluster);
        // As CreatePartitions.
        authorization.require(AclOperation.ALTER, ResourceType.TOPIC, topic);
        access.topic(cluster, topic);
        if (request == null || request.partitionsCount() == null) {
            throw RestException.badRequest("partitions_count is required.");
        }
        return KafkaErrors.answer(audit.change("TOPIC", topic, "count=" + request.partitionsCount(),
                        broker.topicAdmin().createPartitions(topic, request.partitionsCount(), List.of(), false)),
                ignored -> topicData(broker, access.topic(cluster, topic)));
    }

    @DELETE
    @Path("/{topic}")
    public CompletionStage<Response> delete(@RestPath String cluster, @RestPath String topic) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DELETE, ResourceType.TOPIC, topic);
        access.topic(cluster, topic);
        return KafkaErrors.answer(audit.change("TOPIC", topic, null, broker.topicAdmin().deleteTopic(topic)),
                ignored -> Response.noContent().build());
    }

    private static int positive(Integer value, String field) {
        if (value == null) {
            return -1;
        }
        if (value <= 0) {
            throw RestException.badRequest(field + " must be positive (or left out for the broker's default), was "
                    + value + ".");
        }
        return value;
    }

    static TopicData topicData(Broker broker, TopicImage topic) {
        return new TopicData("KafkaTopic", broker.identity().clusterId(), topic.name(), topic.topicId().toString(),
                Topic.isInternal(topic.name()), topic.replicationFactor(), topic.partitions());
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TopicData(String kind, String clusterId, String topicName, String topicId, boolean isInternal,
                            int replicationFactor, int partitionsCount) {
    }

    /**
     * @param partitionsCount   the broker's default ({@code STRATA_TOPICS_DEFAULT_PARTITIONS}) when left out
     * @param replicationFactor the broker's default when left out
     * @param validateOnly      check the request without creating the topic
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CreateTopicRequest(String topicName, Integer partitionsCount, Integer replicationFactor,
                                     List<ConfigValue> configs, Boolean validateOnly) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record UpdateTopicRequest(Integer partitionsCount) {
    }

    /** A config name and value in a request. */
    public record ConfigValue(String name, String value) {

        static Map<String, String> toMap(List<ConfigValue> configs) {
            Map<String, String> map = new LinkedHashMap<>();
            if (configs == null) {
                return map;
            }
            for (ConfigValue config : configs) {
                if (config == null || config.name() == null || config.name().isBlank()) {
                    throw RestException.badRequest("Every config needs a name.");
                }
                if (config.value() == null) {
                    throw RestException.badRequest("Config " + config.name() + " needs a value.");
                }
                if (map.put(config.name(), config.value()) != null) {
                    throw RestException.badRequest("Config " + config.name() + " is given twice.");
                }
            }
            return map;
        }
    }
}
