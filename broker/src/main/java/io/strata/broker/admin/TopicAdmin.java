package io.strata.broker.admin;

import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.config.TopicConfigCatalog;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Topic administration shared by the Kafka APIs and the REST API: validates a request against the
 * current metadata image and Kafka's rules, then submits it as a metadata command. Failures are the
 * kafka-clients exceptions whose error codes Kafka answers with.
 */
public final class TopicAdmin {

    /** Kafka's limit on partitions per topic is practical rather than fixed; this one keeps a typo from opening a million files. */
    static final int MAX_PARTITIONS = 100_000;

    private final RaftMetadataLog metadata;
    private final TopicConfigCatalog catalog;
    private final Map<String, String> brokerDefaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;
    private final int liveBrokers;

    public TopicAdmin(RaftMetadataLog metadata, TopicConfigCatalog catalog, Map<String, String> brokerDefaults,
                      int defaultPartitions, short defaultReplicationFactor, int liveBrokers) {
        this.metadata = metadata;
        this.catalog = catalog;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
        this.liveBrokers = liveBrokers;
    }

    public MetadataImage image() {
        return metadata.image();
    }

    /**
     * Creates a topic; {@code partitions} and {@code replicationFactor} of -1 take the broker's
     * defaults. With {@code validateOnly} nothing changes and the would-be topic is returned.
     */
    public CompletableFuture<TopicImage> createTopic(String name, int partitions, short replicationFactor,
                                                     Map<String, String> configs, boolean validateOnly) {
        return guard(() -> doCreateTopic(name, partitions, replicationFactor, configs, validateOnly));
    }

    private CompletableFuture<TopicImage> doCreateTopic(String name, int partitions, short replicationFactor,
                                                        Map<String, String> configs, boolean validateOnly) {
        Topic.validate(name);
        if (image().topic(name).isPresent()) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        int count = partitions == -1 ? defaultPartitions : partitions;
        if (count <= 0 || count > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be between 1 and " + MAX_PARTITIONS
                    + " (or -1 for the default of " + defaultPartitions + "), was " + partitions + ".");
        }
        short factor = replicationFactor == -1 ? defaultReplicationFactor : replicationFactor;
        if (factor <= 0) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 for the default.");
        }
        if (factor > liveBrokers) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + factor
                    + " time(s): the number of brokers is " + liveBrokers + ".");
        }
        Map<String, String> validConfigs = catalog.validate(configs);
        Uuid topicId = Uuid.randomUuid();
        TopicImage topic = new TopicImage(name, topicId, count, factor, validConfigs);
        if (validateOnly) {
            return CompletableFuture.completedFuture(topic);
        }
        return submit(new MetadataCommand.CreateTopic(name, topicId, count, factor, validConfigs))
                .thenApply(ignored -> image().topic(topicId).orElse(topic));
    }

    public CompletableFuture<Uuid> deleteTopic(String name) {
        return guard(() -> {
            TopicImage topic = requireExternalTopic(name);
            return submit(new MetadataCommand.DeleteTopic(topic.topicId())).thenApply(ignored -> topic.topicId());
        });
    }

    public CompletableFuture<String> deleteTopic(Uuid topicId) {
        return guard(() -> {
            TopicImage topic = image().topic(topicId)
                    .orElseThrow(() -> new UnknownTopicIdException("Topic id " + topicId + " does not exist."));
            requireExternalTopic(topic.name());
            return submit(new MetadataCommand.DeleteTopic(topicId)).thenApply(ignored -> topic.name());
        });
    }

    public CompletableFuture<Void> createPartitions(String name, int totalCount, boolean validateOnly) {
        return guard(() -> doCreatePartitions(name, totalCount, validateOnly));
    }

    private CompletableFuture<Void> doCreatePartitions(String name, int totalCount, boolean validateOnly) {
        TopicImage topic = requireExternalTopic(name);
        if (totalCount < topic.partitions()) {
            throw new InvalidPartitionsException("Topic currently has " + topic.partitions()
                    + " partitions, which is higher than the requested " + totalCount + ".");
        }
        if (totalCount == topic.partitions()) {
            throw new InvalidPartitionsException("Topic already has " + topic.partitions() + " partitions.");
        }
        if (totalCount > MAX_PARTITIONS) {
            throw new InvalidPartitionsException("Number of partitions must be at most " + MAX_PARTITIONS + ".");
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(null);
        }
        return submit(new MetadataCommand.CreatePartitions(name, totalCount)).thenApply(ignored -> null);
    }

    /**
     * Changes a topic's configs: {@code set} overrides are validated and applied, {@code delete}
     * names return to their defaults. {@code replace} drops every override not in {@code set}
     * (the legacy AlterConfigs semantics).
     */
    public CompletableFuture<Void> alterConfigs(String name, Map<String, String> set, Set<String> delete,
                                                boolean replace, boolean validateOnly) {
        return guard(() -> doAlterConfigs(name, set, delete, replace, validateOnly));
    }

    private CompletableFuture<Void> doAlterConfigs(String name, Map<String, String> set, Set<String> delete,
                                                   boolean replace, boolean validateOnly) {
        requireTopic(name);
        Map<String, String> validSet = catalog.validate(set);
        for (String key : delete) {
            if (!catalog.isKnown(key)) {
                throw new InvalidConfigurationException("Unknown topic config name: " + key);
            }
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(null);
        }
        MetadataCommand command = replace
                ? MetadataCommand.AlterTopicConfigs.replaceAll(name, validSet)
                : new MetadataCommand.AlterTopicConfigs(name, validSet, delete);
        return submit(command).thenApply(ignored -> null);
    }

    /** Every config of the topic with the value in force: its override, else the broker's default, else Kafka's. */
    public Map<String, String> effectiveConfigs(String name) {
        return catalog.effective(brokerDefaults, requireTopic(name).configs());
    }

    /** The topic's configs as DescribeConfigs reports them. */
    public List<ConfigEntry> describeConfigs(TopicImage topic, boolean includeSynonyms) {
        return catalog.describe(brokerDefaults, topic.configs(), includeSynonyms);
    }

    public boolean isListConfig(String name) {
        return catalog.isList(name);
    }

    /**
     * The topic, unless it is one the broker manages itself ({@code __consumer_offsets}): its
     * partition count is part of the group-to-partition mapping and deleting it loses every
     * committed offset, so clients may not delete it or add partitions to it.
     */
    private TopicImage requireExternalTopic(String name) {
        TopicImage topic = requireTopic(name);
        if (Topic.isInternal(name)) {
            throw new PolicyViolationException("Topic '" + name + "' is internal to the broker and cannot be deleted"
                    + " or repartitioned by clients.");
        }
        return topic;
    }

    /** The topic, or UNKNOWN_TOPIC_OR_PARTITION. */
    public TopicImage requireTopic(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("A topic name is required.");
        }
        return image().topic(name)
                .orElseThrow(() -> new UnknownTopicOrPartitionException("This server does not host topic '" + name + "'."));
    }

    /** The public operations report every failure through their future, never by throwing. */
    private static <T> CompletableFuture<T> guard(Supplier<CompletableFuture<T>> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<MetadataResult> submit(MetadataCommand command) {
        return metadata.submit(command).thenApply(result -> {
            if (result.isError()) {
                throw result.exception();
            }
            return result;
        });
    }
}
