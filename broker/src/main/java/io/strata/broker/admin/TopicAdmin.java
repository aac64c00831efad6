package io.strata.broker.admin;

import io.strata.broker.cluster.BrokerImage;
import io.strata.broker.cluster.MetadataCommand;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataImage;
import io.strata.broker.cluster.MetadataResult;
import io.strata.broker.cluster.PartitionImage;
import io.strata.broker.cluster.RaftMetadataLog;
import io.strata.broker.cluster.ReplicaPlacement;
import io.strata.broker.cluster.TopicImage;
import io.strata.broker.config.ConfigEntry;
import io.strata.broker.config.DynamicBrokerConfigs;
import io.strata.broker.config.TopicConfigCatalog;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Topic administration, and the dynamic broker configs, shared by the Kafka APIs and the REST API: validates a
 * request against the
 * current metadata image and Kafka's rules, then submits it as a metadata command. Failures are the
 * kafka-clients exceptions whose error codes Kafka answers with.
 */
public final class TopicAdmin {

    /** Kafka's limit on partitions per topic is practical rather than fixed; this one keeps a typo from opening a million files. */
    static final int MAX_PARTITIONS = 100_000;
    /** As Kafka's controller: the most partitions one request may create, across all its topics. */
    public static final int MAX_PARTITIONS_PER_REQUEST = 10_000;

    private final RaftMetadataLog metadata;
    private final TopicConfigCatalog catalog;
    private final Map<String, String> brokerDefaults;
    private final int defaultPartitions;
    private final short defaultReplicationFactor;

    public TopicAdmin(RaftMetadataLog metadata, TopicConfigCatalog catalog, Map<String, String> brokerDefaults,
                      int defaultPartitions, short defaultReplicationFactor) {
        this.metadata = metadata;
        this.catalog = catalog;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.defaultPartitions = defaultPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
    }

    public MetadataImage image() {
        return metadata.image();
    }

    /** The partitions a topic created with {@code partitions} gets (-1 for the broker's default, none if invalid). */
    public int partitionsToCreate(int partitions) {
        return partitions == -1 ? defaultPartitions : Math.max(partitions, 0);
    }

    /** The refusal of a request to create {@code partitions} in all, if that is more than one may, as Kafka's. */
    public static Optional<PolicyViolationException> excessivePartitions(long partitions) {
        return partitions <= MAX_PARTITIONS_PER_REQUEST ? Optional.empty() : Optional.of(new PolicyViolationException(
                "Excessively large number of partitions per request: " + partitions + ", at most "
                        + MAX_PARTITIONS_PER_REQUEST + "."));
    }

    /**
     * Creates a topic; {@code partitions} and {@code replicationFactor} of -1 take the broker's
     * defaults, and the replicas are placed over the brokers that are up (see {@link ReplicaPlacement}).
     * With {@code validateOnly} nothing changes and the would-be topic is returned.
     */
    public CompletableFuture<TopicImage> createTopic(String name, int partitions, short replicationFactor,
                                                     Map<String, String> configs, boolean validateOnly) {
        return guard(() -> doCreateTopic(name, partitions, replicationFactor, configs, List.of(), validateOnly));
    }

    /** Creates a topic whose partitions have the replicas {@code assignment} names, preferred leader first. */
    public CompletableFuture<TopicImage> createTopic(String name, List<List<Integer>> assignment,
                                                     Map<String, String> configs, boolean validateOnly) {
        return guard(() -> {
            short factor = (short) requireAssignment(assignment);
            return doCreateTopic(name, assignment.size(), factor, configs, assignment, validateOnly);
        });
    }

    private CompletableFuture<TopicImage> doCreateTopic(String name, int partitions, short replicationFactor,
                                                        Map<String, String> configs, List<List<Integer>> explicit,
                                                        boolean validateOnly) {
        Topic.validate(name);
        if (image().topic(name).isPresent()) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
        }
        int count = partitionsToCreate(partitions);
        if (count == 0) {
            throw new InvalidPartitionsException("Number of partitions must be at least 1 (or -1 for the default of "
                    + defaultPartitions + "), was " + partitions + ".");
        }
        excessivePartitions(count).ifPresent(refusal -> {
            throw refusal;
        });
        short factor = replicationFactor == -1 ? defaultReplicationFactor : replicationFactor;
        if (factor <= 0) {
            throw new InvalidReplicationFactorException("Replication factor must be larger than 0, or -1 for the default.");
        }
        Map<String, String> validConfigs = catalog.validate(configs);
        List<List<Integer>> assignment = explicit.isEmpty() ? placement().place(0, count, factor) : explicit;
        Uuid topicId = Uuid.randomUuid();
        TopicImage topic = new TopicImage(name, topicId, assignment.stream().map(PartitionImage::assigned).toList(),
                factor, validConfigs);
        if (validateOnly) {
            return CompletableFuture.completedFuture(topic);
        }
        return submit(new MetadataCommand.CreateTopic(name, topicId, count, factor, validConfigs, assignment))
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

    /**
     * Raises the topic's partition count to {@code totalCount}; the new partitions get the replicas
     * {@code assignment} names, or, when it is empty, are placed over the brokers that are up.
     */
    public CompletableFuture<Void> createPartitions(String name, int totalCount, List<List<Integer>> assignment,
                                                    boolean validateOnly) {
        return guard(() -> doCreatePartitions(name, totalCount, assignment, validateOnly));
    }

    private CompletableFuture<Void> doCreatePartitions(String name, int totalCount, List<List<Integer>> explicit,
                                                       boolean validateOnly) {
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
        int added = totalCount - topic.partitions();
        excessivePartitions(added).ifPresent(refusal -> {
            throw refusal;
        });
        List<List<Integer>> assignment;
        if (explicit.isEmpty()) {
            assignment = placement().place(topic.partitions(), added, topic.replicationFactor());
        } else {
            if (explicit.size() != added) {
                throw new InvalidReplicaAssignmentException("The assignment names " + explicit.size()
                        + " new partitions, but the topic grows by " + added + ".");
            }
            ReplicaPlacement.requireValid(image(), explicit, topic.replicationFactor());
            assignment = explicit;
        }
        if (validateOnly) {
            return CompletableFuture.completedFuture(null);
        }
        return submit(new MetadataCommand.CreatePartitions(name, totalCount, assignment)).thenApply(ignored -> null);
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

    /**
     * Changes the dynamic configs of {@code broker} (a node id, or "" for every broker's default), validated by
     * {@link DynamicBrokerConfigs}; {@code replace} (the legacy AlterConfigs) drops those not in {@code set}.
     */
    public CompletableFuture<Void> alterBrokerConfigs(String broker, Map<String, String> set, Set<String> delete,
                                                      boolean replace, boolean validateOnly) {
        return guard(() -> {
            Map<String, String> validSet = DynamicBrokerConfigs.validate(set, delete);
            Set<String> dropped = new HashSet<>(delete);
            if (replace) {
                dropped.addAll(image().brokerConfigs(broker).keySet());
                dropped.removeAll(validSet.keySet());
            }
            if (validateOnly) {
                return CompletableFuture.completedFuture(null);
            }
            return submit(new MetadataCommand.AlterBrokerConfigs(broker, validSet, dropped))
                    .thenApply(ignored -> (Void) null);
        });
    }

    /**
     * Elects a leader of a partition, as Kafka's ElectLeaders: {@code PREFERRED} gives the leadership to the
     * first replica of its assignment if it is live and in sync; {@code UNCLEAN}, when no live broker leads,
     * to a live in-sync replica, or to any live one if the topic's {@code unclean.leader.election.enable}
     * allows it. Fails with the election's error (ELECTION_NOT_NEEDED when there is nothing to do).
     */
    public CompletableFuture<Void> electLeader(String name, int partition, ElectionType type) {
        return guard(() -> {
            TopicImage topic = requirePartition(name, partition);
            Election election = switch (type) {
                case PREFERRED -> Election.PREFERRED;
                case UNCLEAN -> Boolean.parseBoolean(effectiveConfigs(name).get(
                        TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG)) ? Election.UNCLEAN : Election.IN_SYNC;
            };
            return submit(new MetadataCommand.ElectLeader(topic.topicId(), partition, election))
                    .thenApply(ignored -> (Void) null);
        });
    }

    /**
     * Moves a partition to the {@code target} replicas, preferred leader first, or, with an empty target, cancels
     * the reassignment in progress (AlterPartitionReassignments). The new replicas copy the log from the leader
     * and the partition settles on the target once they are in sync; the future completes when the reassignment
     * has started. Without {@code allowReplicationFactorChange} the target must have as many replicas as the
     * partition had before.
     */
    public CompletableFuture<Void> reassignPartition(String name, int partition, Optional<List<Integer>> target,
                                                     boolean allowReplicationFactorChange) {
        return guard(() -> {
            TopicImage topic = requirePartition(name, partition);
            if (target.isPresent() && target.get().isEmpty()) {
                throw new InvalidReplicaAssignmentException("The target replicas of " + name + "-" + partition
                        + " are empty.");
            }
            int current = topic.partition(partition).originalReplicas().size();
            if (!allowReplicationFactorChange && target.isPresent() && target.get().size() != current) {
                throw new InvalidReplicationFactorException("The replication factor of " + name + "-" + partition
                        + " would change from " + current + " to " + target.get().size() + ", which the request does"
                        + " not allow.");
            }
            return submit(new MetadataCommand.ReassignPartition(topic.topicId(), partition, target.orElse(List.of())))
                    .thenApply(ignored -> (Void) null);
        });
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

    public boolean isTopicConfig(String name) {
        return catalog.isKnown(name);
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

    /** The topic that has partition {@code partition}, or UNKNOWN_TOPIC_OR_PARTITION. */
    private TopicImage requirePartition(String name, int partition) {
        TopicImage topic = requireTopic(name);
        if (partition < 0 || partition >= topic.partitions()) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' has no partition " + partition + ".");
        }
        return topic;
    }

    /**
     * Places replicas over the live brokers this one can reach now, so a broker that is down gets no new
     * partitions even before it is fenced.
     */
    private ReplicaPlacement placement() {
        Set<Integer> reachable = metadata.reachableNodeIds();
        List<BrokerImage> up = image().liveBrokers().stream().filter(broker -> reachable.contains(broker.nodeId())).toList();
        return new ReplicaPlacement(up, ThreadLocalRandom.current());
    }

    /**
     * Checks an explicit assignment: every partition names as many distinct registered brokers as the first,
     * which is returned as the replication factor.
     */
    private int requireAssignment(List<List<Integer>> assignment) {
        if (assignment.isEmpty()) {
            throw new InvalidReplicaAssignmentException("The replica assignment names no partitions.");
        }
        int factor = assignment.get(0).size();
        ReplicaPlacement.requireValid(image(), assignment, factor);
        return factor;
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
