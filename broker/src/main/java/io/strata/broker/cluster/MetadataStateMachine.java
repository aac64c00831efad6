package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataCommand.AllocateProducerIds;
import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.AlterTopicConfigs;
import io.strata.broker.cluster.MetadataCommand.CreatePartitions;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.RegisterDirectory;
import io.strata.broker.cluster.MetadataCommand.SetBrokerFenced;
import io.strata.broker.cluster.MetadataCommand.SetClusterId;
import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.jboss.logging.Logger;
import org.jgroups.raft.StateMachine;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The replicated metadata as a JGroups-Raft state machine. {@link #apply} runs on Raft's single
 * applier thread, is deterministic (a function of the image and the command only) and never
 * throws: a command that fails validation changes nothing and returns a {@link MetadataResult}
 * with the Kafka error instead. After every change the image is replaced atomically (readers take
 * it lock-free) and the listeners are called with it, on the applier thread, before the change's
 * {@code submit} future completes.
 */
public final class MetadataStateMachine implements StateMachine {

    private static final Logger LOG = Logger.getLogger(MetadataStateMachine.class);

    private volatile MetadataImage image = MetadataImage.EMPTY;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile Runnable afterApply = () -> { };

    /** The current image; never {@code null}. */
    public MetadataImage image() {
        return image;
    }

    /**
     * Calls {@code listener} with the new image after every change, including one restored from
     * a snapshot. Runs on the Raft applier thread (on the thread calling {@code start()} while a
     * restart replays the log): keep it short, and never wait on a metadata future from it. A
     * listener that throws is logged and does not stop the others.
     */
    public void addListener(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    public void removeListener(Consumer<MetadataImage> listener) {
        listeners.remove(listener);
    }

    /** Run after every log entry applied through Raft (the snapshot trigger). */
    void afterApply(Runnable hook) {
        this.afterApply = hook;
    }

    @Override
    public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
        MetadataResult result;
        try {
            result = apply(MetadataCommand.deserialize(data, offset, length));
        } catch (Throwable e) {
            LOG.errorf(e, "Cannot apply a metadata log entry of %d bytes; skipping it", length);
            result = MetadataResult.failure(Errors.UNKNOWN_SERVER_ERROR, "cannot apply metadata command: " + e);
        }
        try {
            afterApply.run();
        } catch (RuntimeException e) {
            LOG.warnf(e, "Post-apply hook failed");
        }
        return serializeResponse ? result.serialize() : null;
    }

    /** Applies one command to the current image, bypassing Raft (tests only). Never throws. */
    synchronized MetadataResult apply(MetadataCommand command) {
        MetadataImage current = image;
        Outcome outcome;
        try {
            outcome = transition(current, command);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Applying %s failed", command);
            outcome = new Outcome(current, MetadataResult.failure(Errors.UNKNOWN_SERVER_ERROR, e.toString()));
        }
        if (outcome.image() != current) {
            image = outcome.image();
            notifyListeners(outcome.image());
        }
        return outcome.result();
    }

    private void notifyListeners(MetadataImage newImage) {
        for (Consumer<MetadataImage> listener : listeners) {
            try {
                listener.accept(newImage);
            } catch (RuntimeException e) {
                LOG.errorf(e, "A metadata listener failed on image version %d", newImage.version());
            }
        }
    }

    private record Outcome(MetadataImage image, MetadataResult result) {
        static Outcome failed(MetadataImage unchanged, Errors error, String message) {
            return new Outcome(unchanged, MetadataResult.failure(error, message));
        }
    }

    /** One case per command type: a type added to {@link MetadataCommand.Type} does not compile until handled here. */
    private static Outcome transition(MetadataImage image, MetadataCommand command) {
        return switch (command.type()) {
            case CREATE_TOPIC -> createTopic(image, (CreateTopic) command);
            case DELETE_TOPIC -> deleteTopic(image, (DeleteTopic) command);
            case ALTER_TOPIC_CONFIGS -> alterTopicConfigs(image, (AlterTopicConfigs) command);
            case CREATE_PARTITIONS -> createPartitions(image, (CreatePartitions) command);
            case ALLOCATE_PRODUCER_IDS -> allocateProducerIds(image, (AllocateProducerIds) command);
            case REGISTER_BROKER -> registerBroker(image, (RegisterBroker) command);
            case ADD_REMOTE_SEGMENT -> addRemoteSegment(image, (AddRemoteSegment) command);
            case UPDATE_REMOTE_LOG -> updateRemoteLog(image, (UpdateRemoteLog) command);
            case SET_CLUSTER_ID -> setClusterId(image, (SetClusterId) command);
            case SET_BROKER_FENCED -> setBrokerFenced(image, (SetBrokerFenced) command);
            case ALTER_PARTITION -> alterPartition(image, (AlterPartition) command);
            case ELECT_LEADER -> electLeader(image, (ElectLeader) command);
            case REGISTER_DIRECTORY -> registerDirectory(image, (RegisterDirectory) command);
        };
    }

    private static Outcome createTopic(MetadataImage image, CreateTopic c) {
        try {
            Topic.validate(c.name());
        } catch (InvalidTopicException e) {
            return Outcome.failed(image, Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (image.topic(c.name()).isPresent()) {
            return Outcome.failed(image, Errors.TOPIC_ALREADY_EXISTS, "Topic '" + c.name() + "' already exists.");
        }
        if (image.topic(c.topicId()).isPresent() || c.topicId().equals(org.apache.kafka.common.Uuid.ZERO_UUID)) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Topic id " + c.topicId() + " cannot be used.");
        }
        for (String existing : image.topicsByName().keySet()) {
            if (Topic.hasCollision(c.name(), existing)) {
                return Outcome.failed(image, Errors.INVALID_TOPIC_EXCEPTION,
                        "Topic '" + c.name() + "' collides with existing topic: " + existing);
            }
        }
        if (c.partitions() <= 0) {
            return Outcome.failed(image, Errors.INVALID_PARTITIONS,
                    "Number of partitions was set to an invalid non-positive value.");
        }
        if (c.replicationFactor() <= 0) {
            return Outcome.failed(image, Errors.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be larger than 0.");
        }
        int brokers = image.brokers().size();
        if (brokers > 0 && c.replicationFactor() > brokers) {
            return Outcome.failed(image, Errors.INVALID_REPLICATION_FACTOR, "Unable to replicate the partition "
                    + c.replicationFactor() + " time(s): The target replication factor of " + c.replicationFactor()
                    + " cannot be reached because only " + brokers + " broker(s) are registered.");
        }
        List<PartitionImage> partitions;
        try {
            partitions = assign(image, c.partitions(), c.replicationFactor(), c.assignment());
        } catch (InvalidReplicaAssignmentException e) {
            return Outcome.failed(image, Errors.INVALID_REPLICA_ASSIGNMENT, e.getMessage());
        }
        TopicImage topic = new TopicImage(c.name(), c.topicId(), partitions, c.replicationFactor(), c.configs());
        return new Outcome(image.withTopic(topic), MetadataResult.ok());
    }

    private static Outcome deleteTopic(MetadataImage image, DeleteTopic c) {
        return image.topic(c.topicId())
                .map(topic -> new Outcome(image.withoutTopic(topic), MetadataResult.ok()))
                .orElseGet(() -> Outcome.failed(image, Errors.UNKNOWN_TOPIC_ID,
                        "Topic id " + c.topicId() + " does not exist."));
    }

    private static Outcome alterTopicConfigs(MetadataImage image, AlterTopicConfigs c) {
        TopicImage topic = image.topic(c.name()).orElse(null);
        if (topic == null) {
            return Outcome.failed(image, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host topic '" + c.name() + "'.");
        }
        Map<String, String> configs;
        if (c.replace()) {
            configs = new TreeMap<>(c.set());
        } else {
            Set<String> both = new HashSet<>(c.delete());
            both.retainAll(c.set().keySet());
            if (!both.isEmpty()) {
                return Outcome.failed(image, Errors.INVALID_REQUEST,
                        "Configs both set and deleted: " + new TreeMap<>(c.set()).keySet().stream().filter(both::contains).toList());
            }
            configs = new TreeMap<>(topic.configs());
            configs.keySet().removeAll(c.delete());
            configs.putAll(c.set());
        }
        if (configs.equals(topic.configs())) {
            return new Outcome(image, MetadataResult.ok());
        }
        return new Outcome(image.withTopic(topic.withConfigs(configs)), MetadataResult.ok());
    }

    private static Outcome createPartitions(MetadataImage image, CreatePartitions c) {
        TopicImage topic = image.topic(c.name()).orElse(null);
        if (topic == null) {
            return Outcome.failed(image, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "This server does not host topic '" + c.name() + "'.");
        }
        if (c.totalCount() < topic.partitions()) {
            return Outcome.failed(image, Errors.INVALID_PARTITIONS, "Topic currently has " + topic.partitions()
                    + " partitions, which is higher than the requested " + c.totalCount() + ".");
        }
        if (c.totalCount() == topic.partitions()) {
            return Outcome.failed(image, Errors.INVALID_PARTITIONS,
                    "Topic already has " + topic.partitions() + " partitions.");
        }
        List<PartitionImage> added;
        try {
            added = assign(image, c.totalCount() - topic.partitions(), topic.replicationFactor(), c.assignment());
        } catch (InvalidReplicaAssignmentException e) {
            return Outcome.failed(image, Errors.INVALID_REPLICA_ASSIGNMENT, e.getMessage());
        }
        return new Outcome(image.withTopic(topic.withAddedPartitions(added)), MetadataResult.ok());
    }

    /**
     * New partitions on the replicas {@code assignment} names, each checked; an empty assignment (a
     * command written before replicas were assigned) puts every partition on the lowest registered
     * broker, or leaves it unassigned until a broker registers.
     */
    private static List<PartitionImage> assign(MetadataImage image, int count, short replicationFactor,
                                               List<List<Integer>> assignment) {
        List<PartitionImage> partitions = new ArrayList<>(count);
        if (assignment.isEmpty()) {
            List<Integer> legacy = image.brokers().stream().findFirst().map(b -> List.of(b.nodeId())).orElse(List.of());
            for (int p = 0; p < count; p++) {
                partitions.add(PartitionImage.assigned(legacy));
            }
            return partitions;
        }
        if (assignment.size() != count) {
            throw new InvalidReplicaAssignmentException("The assignment names " + assignment.size()
                    + " partitions, not " + count + ".");
        }
        ReplicaPlacement.requireValid(image, assignment, replicationFactor);
        assignment.forEach(replicas -> partitions.add(PartitionImage.assigned(replicas)));
        return partitions;
    }

    private static Outcome setClusterId(MetadataImage image, SetClusterId c) {
        if (image.clusterId().isPresent()) {
            return new Outcome(image, MetadataResult.ok());
        }
        if (c.clusterId().isBlank()) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "A cluster id must not be blank.");
        }
        return new Outcome(image.withClusterId(c.clusterId()), MetadataResult.ok());
    }

    private static Outcome allocateProducerIds(MetadataImage image, AllocateProducerIds c) {
        if (c.blockSize() <= 0) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Producer id block size must be positive, was "
                    + c.blockSize() + ".");
        }
        long first = image.nextProducerId();
        if (first > Long.MAX_VALUE - c.blockSize()) {
            return Outcome.failed(image, Errors.UNKNOWN_SERVER_ERROR, "Producer ids are exhausted.");
        }
        return new Outcome(image.withNextProducerId(first + c.blockSize()), MetadataResult.ok(first));
    }

    private static Outcome registerBroker(MetadataImage image, RegisterBroker c) {
        if (c.nodeId() < 0) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Broker node id must not be negative, was " + c.nodeId() + ".");
        }
        if (c.host().isEmpty() || c.port() <= 0 || c.port() > 65535) {
            return Outcome.failed(image, Errors.INVALID_REQUEST,
                    "Broker " + c.nodeId() + " has an invalid endpoint " + c.host() + ":" + c.port() + ".");
        }
        BrokerImage broker = new BrokerImage(c.nodeId(), c.host(), c.port(), c.rack(), false);
        Optional<BrokerImage> previous = image.broker(c.nodeId());
        if (previous.filter(broker::equals).isPresent()) {
            return new Outcome(image, MetadataResult.ok());
        }
        MetadataImage registered = adoptUnassigned(image.withBroker(broker), c.nodeId());
        if (previous.map(BrokerImage::fenced).orElse(false)) {
            registered = leadAgain(registered, c.nodeId());
        }
        return new Outcome(registered, MetadataResult.ok());
    }

    private static Outcome setBrokerFenced(MetadataImage image, SetBrokerFenced c) {
        Optional<BrokerImage> broker = image.broker(c.nodeId());
        if (broker.isEmpty()) {
            return Outcome.failed(image, Errors.BROKER_ID_NOT_REGISTERED, "Broker " + c.nodeId() + " is not registered.");
        }
        if (broker.get().fenced() == c.fenced()) {
            return new Outcome(image, MetadataResult.ok());
        }
        MetadataImage changed = image.withBroker(broker.get().withFenced(c.fenced()));
        return new Outcome(c.fenced() ? stepDown(changed, c.nodeId()) : leadAgain(changed, c.nodeId()), MetadataResult.ok());
    }

    private static Outcome registerDirectory(MetadataImage image, RegisterDirectory c) {
        if (c.nodeId() < 0) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Node id must not be negative, was " + c.nodeId() + ".");
        }
        Optional<Uuid> previous = image.directory(c.nodeId());
        if (previous.filter(c.directoryId()::equals).isPresent()) {
            return new Outcome(image, MetadataResult.ok());
        }
        MetadataImage registered = image.withDirectory(c.nodeId(), c.directoryId());
        if (previous.isPresent()) {
            LOG.infof("Node %d is back on a new data directory %s (was %s): its partition logs are gone",
                    c.nodeId(), c.directoryId(), previous.get());
            registered = forgetReplicas(registered, c.nodeId());
        }
        return new Outcome(registered, MetadataResult.ok());
    }

    private static Outcome alterPartition(MetadataImage image, AlterPartition c) {
        Outcome missing = requirePartition(image, c.topicId(), c.partition());
        if (missing != null) {
            return missing;
        }
        TopicImage topic = image.topic(c.topicId()).orElseThrow();
        PartitionImage partition = topic.partition(c.partition());
        if (partition.leader() != c.leader() || partition.leaderEpoch() != c.leaderEpoch()) {
            return Outcome.failed(image, Errors.FENCED_LEADER_EPOCH, "Broker " + c.leader() + " in epoch "
                    + c.leaderEpoch() + " no longer leads " + topic.name() + "-" + c.partition() + " (leader "
                    + partition.leader() + ", epoch " + partition.leaderEpoch() + ").");
        }
        if (!c.isr().contains(c.leader()) || !partition.replicas().containsAll(c.isr())
                || c.isr().stream().distinct().count() != c.isr().size()) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "In-sync replicas " + c.isr() + " of "
                    + topic.name() + "-" + c.partition() + " must be distinct replicas of " + partition.replicas()
                    + " including the leader " + c.leader() + ".");
        }
        for (int id : c.isr()) {
            if (!partition.isr().contains(id) && image.liveBroker(id).isEmpty()) {
                return Outcome.failed(image, Errors.INELIGIBLE_REPLICA, "Broker " + id + " is fenced or not registered:"
                        + " it cannot join the in-sync replicas of " + topic.name() + "-" + c.partition() + ".");
            }
        }
        // Kept in replica order, so that every broker derives the same image whatever order the leader sent.
        List<Integer> isr = partition.replicas().stream().filter(c.isr()::contains).toList();
        if (isr.equals(partition.isr())) {
            return new Outcome(image, MetadataResult.ok());
        }
        PartitionImage altered = new PartitionImage(partition.replicas(), isr, partition.leader(), partition.leaderEpoch());
        return new Outcome(image.withTopic(topic.withPartition(c.partition(), altered)), MetadataResult.ok());
    }

    /**
     * Moves a partition's leadership as {@link Election} says, in a new epoch. ELECTION_NOT_NEEDED when the
     * preferred replica leads already (preferred) or a live broker leads (the others); otherwise, when no
     * replica may lead, PREFERRED_LEADER_NOT_AVAILABLE or ELIGIBLE_LEADERS_NOT_AVAILABLE.
     */
    private static Outcome electLeader(MetadataImage image, ElectLeader c) {
        Outcome missing = requirePartition(image, c.topicId(), c.partition());
        if (missing != null) {
            return missing;
        }
        TopicImage topic = image.topic(c.topicId()).orElseThrow();
        PartitionImage partition = topic.partition(c.partition());
        String name = topic.name() + "-" + c.partition();
        PartitionImage elected;
        if (c.election() == Election.PREFERRED) {
            int preferred = partition.replicas().isEmpty() ? PartitionImage.NO_LEADER : partition.replicas().get(0);
            if (preferred != PartitionImage.NO_LEADER && partition.leader() == preferred) {
                return Outcome.failed(image, Errors.ELECTION_NOT_NEEDED, "Broker " + preferred
                        + ", the preferred leader of " + name + ", leads it already.");
            }
            if (preferred == PartitionImage.NO_LEADER
                    || nextLeader(image, partition, partition.isr(), PartitionImage.NO_LEADER) != preferred) {
                return Outcome.failed(image, Errors.PREFERRED_LEADER_NOT_AVAILABLE, "The preferred leader of " + name
                        + ", broker " + preferred + ", is not live and in sync (in-sync replicas " + partition.isr() + ").");
            }
            elected = partition.withLeader(preferred, partition.isr());
        } else {
            if (image.liveBroker(partition.leader()).isPresent()) {
                return Outcome.failed(image, Errors.ELECTION_NOT_NEEDED, "Broker " + partition.leader() + " leads "
                        + name + ".");
            }
            int inSync = nextLeader(image, partition, partition.isr(), PartitionImage.NO_LEADER);
            int live = nextLeader(image, partition, partition.replicas(), PartitionImage.NO_LEADER);
            if (inSync != PartitionImage.NO_LEADER) {
                elected = partition.withLeader(inSync, partition.isr());
            } else if (c.election() == Election.UNCLEAN && live != PartitionImage.NO_LEADER) {
                elected = partition.withLeader(live, List.of(live));
            } else {
                return Outcome.failed(image, Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE, "No live replica of " + name
                        + " may lead: in-sync replicas " + partition.isr() + (c.election() == Election.UNCLEAN ? ""
                        : ", and its topic does not allow unclean leader election") + ".");
            }
        }
        return new Outcome(image.withTopic(topic.withPartition(c.partition(), elected)), MetadataResult.ok());
    }

    /**
     * Takes a fenced broker out of leadership: each partition it leads gets the first other in-sync replica
     * that is registered and not fenced, or no leader; it leaves every ISR it is not the last member of.
     */
    private static MetadataImage stepDown(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> {
            if (!partition.isr().contains(nodeId)) {
                return partition;
            }
            List<Integer> isr = partition.isr().size() > 1
                    ? partition.isr().stream().filter(id -> id != nodeId).toList() : partition.isr();
            if (partition.leader() != nodeId) {
                return new PartitionImage(partition.replicas(), isr, partition.leader(), partition.leaderEpoch());
            }
            return partition.withLeader(nextLeader(image, partition, isr, nodeId), isr);
        });
    }

    /**
     * Takes a broker whose partition logs are gone out of every in-sync replica set, even as its last member
     * (the partition then has no leader until an unclean election), and out of leadership.
     */
    private static MetadataImage forgetReplicas(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> {
            if (!partition.isr().contains(nodeId) && partition.leader() != nodeId) {
                return partition;
            }
            List<Integer> isr = partition.isr().stream().filter(id -> id != nodeId).toList();
            if (partition.leader() != nodeId) {
                return new PartitionImage(partition.replicas(), isr, partition.leader(), partition.leaderEpoch());
            }
            return partition.withLeader(nextLeader(image, partition, isr, nodeId), isr);
        });
    }

    /**
     * Who may lead {@code partition} next: its first replica, in assignment order (the preferred leader first),
     * that is among {@code candidates}, is not {@code excluded} and is registered and not fenced; or
     * {@link PartitionImage#NO_LEADER}. Every change of leader chooses through here.
     */
    private static int nextLeader(MetadataImage image, PartitionImage partition, List<Integer> candidates, int excluded) {
        return partition.replicas().stream()
                .filter(id -> id != excluded && candidates.contains(id))
                .filter(id -> image.liveBroker(id).isPresent())
                .findFirst().orElse(PartitionImage.NO_LEADER);
    }

    /** Gives a broker that is back the leadership of the partitions left without a leader that it is in sync for. */
    private static MetadataImage leadAgain(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> partition.leader() == PartitionImage.NO_LEADER
                && partition.isr().contains(nodeId) ? partition.withLeader(nodeId, partition.isr()) : partition);
    }

    /** The image with {@code change} applied to every partition; topics it leaves alone stay the same objects. */
    private static MetadataImage mapPartitions(MetadataImage image, UnaryOperator<PartitionImage> change) {
        MetadataImage changed = image;
        for (TopicImage topic : image.topics()) {
            List<PartitionImage> states = topic.partitionStates().stream().map(change).toList();
            if (!states.equals(topic.partitionStates())) {
                changed = changed.withTopic(topic.withPartitionStates(states));
            }
        }
        return changed;
    }

    /** Gives {@code nodeId} the partitions written before replicas were assigned and held by nobody yet. */
    private static MetadataImage adoptUnassigned(MetadataImage image, int nodeId) {
        return mapPartitions(image, partition -> partition.replicas().isEmpty()
                ? PartitionImage.assigned(List.of(nodeId)) : partition);
    }

    /**
     * Commits a tiered segment to its partition's manifest. A segment id already there is a
     * repeated commit (a retry after a lost reply) and changes nothing; so is a segment wholly below
     * the tiered log's start, which retention or DeleteRecords passed while it was uploaded.
     */
    private static Outcome addRemoteSegment(MetadataImage image, AddRemoteSegment c) {
        Outcome missing = requirePartition(image, c.topicId(), c.partition());
        if (missing != null) {
            return missing;
        }
        RemoteSegment segment;
        try {
            segment = readSegment(c.topicId(), c.partition(), c.remoteSegment());
        } catch (IOException e) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, e.getMessage());
        }
        RemoteManifest manifest = image.remoteManifest(c.topicId(), c.partition());
        RemoteManifest updated = manifest.with(segment);
        if (manifest.contains(segment.segmentId()) || updated.equals(manifest)) {
            return new Outcome(image, MetadataResult.ok());
        }
        return new Outcome(image.withRemoteManifest(c.topicId(), c.partition(), updated), MetadataResult.ok());
    }

    private static Outcome updateRemoteLog(MetadataImage image, UpdateRemoteLog c) {
        Outcome missing = requirePartition(image, c.topicId(), c.partition());
        if (missing != null) {
            return missing;
        }
        RemoteManifest manifest = image.remoteManifest(c.topicId(), c.partition());
        for (UUID id : c.removed()) {
            if (!manifest.contains(id)) {
                return Outcome.failed(image, Errors.INVALID_REQUEST, "Remote segment " + id + " of partition "
                        + c.partition() + " of topic id " + c.topicId() + " is no longer in its manifest.");
            }
        }
        List<RemoteSegment> added = new ArrayList<>();
        for (byte[] bytes : c.added()) {
            try {
                added.add(readSegment(c.topicId(), c.partition(), bytes));
            } catch (IOException e) {
                return Outcome.failed(image, Errors.INVALID_REQUEST, e.getMessage());
            }
        }
        RemoteManifest updated = manifest.updated(c.logStartOffset(), Set.copyOf(c.removed()), added);
        if (updated.equals(manifest)) {
            return new Outcome(image, MetadataResult.ok());
        }
        return new Outcome(image.withRemoteManifest(c.topicId(), c.partition(), updated), MetadataResult.ok());
    }

    /** A failed outcome if the partition does not exist, else {@code null}. */
    private static Outcome requirePartition(MetadataImage image, Uuid topicId, int partition) {
        TopicImage topic = image.topic(topicId).orElse(null);
        if (topic == null || partition < 0 || partition >= topic.partitions()) {
            return Outcome.failed(image, Errors.UNKNOWN_TOPIC_OR_PARTITION,
                    "Partition " + partition + " of topic id " + topicId + " does not exist.");
        }
        return null;
    }

    private static RemoteSegment readSegment(Uuid topicId, int partition, byte[] bytes) throws IOException {
        RemoteSegment segment;
        try {
            segment = RemoteSegment.fromBytes(bytes);
        } catch (IOException e) {
            throw new IOException("Invalid remote segment: " + e.getMessage(), e);
        }
        if (!segment.partition().topicId().equals(topicId.toString()) || segment.partition().partition() != partition) {
            throw new IOException("Remote segment of " + segment.partition() + " committed to another partition.");
        }
        return segment;
    }

    // ---- snapshots ----

    /** Writes the whole image ({@link MetadataSnapshot} has the format). */
    @Override
    public void writeContentTo(DataOutput out) throws IOException {
        MetadataSnapshot.write(image, out);
    }

    /** Replaces the image with a snapshot's and tells the listeners. */
    @Override
    public void readContentFrom(DataInput in) throws IOException {
        MetadataImage restored = MetadataSnapshot.read(in);
        synchronized (this) {
            image = restored;
        }
        notifyListeners(restored);
    }

}
