package io.strata.broker.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.server.Broker;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A topic's configs: every Kafka topic config with the value in force and where it comes from; set
 * one, reset one to its default, or change several at once ({@code configs:alter}).
 */
@Path("/v3/clusters/{cluster}/topics/{topic}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Topic configs")
public class TopicConfigsResource {

    private final BrokerAccess access;
    private final RestAuthorization authorization;
    private final RestAudit audit;

    public TopicConfigsResource(BrokerAccess access, RestAuthorization authorization, RestAudit audit) {
        this.access = access;
        this.authorization = authorization;
        this.audit = audit;
    }

    @GET
    @Path("/configs")
    public ResourceList<ConfigData> list(@RestPath String cluster, @RestPath String topic) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic);
        TopicImage image = access.topic(cluster, topic);
        return new ResourceList<>("KafkaTopicConfigList", broker.topicAdmin().describeConfigs(image, true).stream()
                .map(entry -> configData(broker, topic, entry))
                .toList());
    }

    @GET
    @Path("/configs/{name}")
    public ConfigData get(@RestPath String cluster, @RestPath String topic, @RestPath String name) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic);
        TopicImage image = access.topic(cluster, topic);
        return broker.topicAdmin().describeConfigs(image, true).stream()
                .filter(entry -> entry.name().equals(name))
                .findFirst()
                .map(entry -> configData(broker, topic, entry))
                .orElseThrow(() -> RestException.notFound("Topic config " + name + " not found."));
    }

    /** Sets one config: {@code {"value": "..."}}. */
    @PUT
    @Path("/configs/{name}")
    public CompletionStage<Response> set(@RestPath String cluster, @RestPath String topic, @RestPath String name,
                                         ConfigUpdate update) {
        if (update == null || update.value() == null) {
            throw RestException.badRequest("value is required.");
        }
        return alter(cluster, topic, Map.of(name, update.value()), Set.of(), false);
    }

    /** Resets one config to its default. */
    @DELETE
    @Path("/configs/{name}")
    public CompletionStage<Response> reset(@RestPath String cluster, @RestPath String topic, @RestPath String name) {
        return alter(cluster, topic, Map.of(), Set.of(name), false);
    }

    /**
     * Sets and resets several configs at once, all or none:
     * {@code {"data": [{"name": "...", "value": "...", "operation": "SET"|"DELETE"}], "validate_only": false}}.
     */
    @POST
    // The colon as sent, or percent-encoded as some clients send it: RESTEasy Reactive matches the raw path.
    @Path("/{alter: configs(:|%3[aA])alter}")
    public CompletionStage<Response> alterBatch(@RestPath String cluster, @RestPath String topic, AlterConfigsRequest request) {
        if (request == null || request.data() == null) {
            throw RestException.badRequest("data is required.");
        }
        Map<String, String> set = new LinkedHashMap<>();
        Set<String> delete = new HashSet<>();
        for (AlterConfig config : request.data()) {
            if (config == null || config.name() == null || config.name().isBlank()) {
                throw RestException.badRequest("Every config needs a name.");
            }
            if (set.containsKey(config.name()) || delete.contains(config.name())) {
                throw RestException.badRequest("Config " + config.name() + " is given twice.");
            }
            String operation = config.operation() == null ? "SET" : config.operation().toUpperCase(Locale.ROOT);
            switch (operation) {
                case "SET" -> {
                    if (config.value() == null) {
                        throw RestException.badRequest("Config " + config.name() + " needs a value to be set.");
                    }
                    set.put(config.name(), config.value());
                }
                case "DELETE" -> delete.add(config.name());
                default -> throw RestException.badRequest("Unknown operation " + config.operation()
                        + " for config " + config.name() + "; use SET or DELETE.");
            }
        }
        return alter(cluster, topic, set, delete, Boolean.TRUE.equals(request.validateOnly()));
    }

    private CompletionStage<Response> alter(String cluster, String topic, Map<String, String> set, Set<String> delete,
                                            boolean validateOnly) {
        Broker broker = access.broker(cluster);
        authorization.require(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, topic);
        access.topic(cluster, topic);
        CompletionStage<?> altered = broker.topicAdmin().alterConfigs(topic, set, delete, false, validateOnly);
        if (!validateOnly) {
            // The names only: a value may be a secret.
            altered = audit.change("TOPIC_CONFIG", topic, Stream.concat(set.keySet().stream().map(name -> "SET " + name),
                    delete.stream().map(name -> "DELETE " + name)).collect(Collectors.joining(", ")), altered);
        }
        return KafkaErrors.answer(altered, ignored -> Response.noContent().build());
    }

    private static ConfigData configData(Broker broker, String topic, ConfigEntry entry) {
        return new ConfigData("KafkaTopicConfig", broker.identity().clusterId(), topic, entry.name(), entry.value(),
                entry.source() == ConfigSource.DEFAULT_CONFIG, entry.readOnly(), entry.sensitive(),
                sourceName(entry.source()),
                entry.synonyms().stream().map(s -> new Synonym(s.name(), s.value(), sourceName(s.source()))).toList());
    }

    /** Confluent's and the admin client's names of a config's source. */
    private static String sourceName(ConfigSource source) {
        return source == ConfigSource.TOPIC_CONFIG ? "DYNAMIC_TOPIC_CONFIG" : source.name();
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ConfigData(String kind, String clusterId, String topicName, String name, String value,
                             boolean isDefault, boolean isReadOnly, boolean isSensitive, String source,
                             List<Synonym> synonyms) {
    }

    public record Synonym(String name, String value, String source) {
    }

    public record ConfigUpdate(String value) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AlterConfigsRequest(List<AlterConfig> data, Boolean validateOnly) {
    }

    public record AlterConfig(String name, String value, String operation) {
    }
}
