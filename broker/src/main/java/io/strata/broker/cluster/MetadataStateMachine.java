package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataCommand.AllocateProducerIds;
import io.strata.broker.cluster.MetadataCommand.AlterBrokerConfigs;
import io.strata.broker.cluster.MetadataCommand.AlterClientQuota;
import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.AlterTopicConfigs;
import io.strata.broker.cluster.MetadataCommand.CreateAcl;
import io.strata.broker.cluster.MetadataCommand.CreatePartitions;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.DeleteAcls;
import io.strata.broker.cluster.MetadataCommand.DeleteScramCredential;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.ReassignPartition;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.RegisterDirectory;
import io.strata.broker.cluster.MetadataCommand.SetBrokerFenced;
import io.strata.broker.cluster.MetadataCommand.UnregisterBroker;
import io.strata.broker.cluster.MetadataCommand.SetClusterId;
import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.broker.cluster.MetadataCommand.UpsertScramCredential;
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
            result = apply(MetadataCommandFormat.deserialize(data, offset, length));
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
            case ALTER_PARTITION -> PartitionTransitions.alterPartition(image, (AlterPartition) command);
            case ELECT_LEADER -> PartitionTransitions.electLeader(image, (ElectLeader) command);
            case REGISTER_DIRECTORY -> registerDirectory(image, (RegisterDirectory) command);
            case REASSIGN_PARTITION -> PartitionTransitions.reassignPartition(image, (ReassignPartition) command);
            case ALTER_BROKER_CONFIGS -> alterBrokerConfigs(image, (AlterBrokerConfigs) command);
            case UPSERT_SCRAM_CREDENTIAL -> upsertScramCredential(image, (UpsertScramCredential) command);
            case DELETE_SCRAM_CREDENTIAL -> deleteScramCredential(image, (DeleteScramCredential) command);
            case CREATE_ACL -> createAcl(image, (CreateAcl) command);
            case DELETE_ACLS -> deleteAcls(image, (DeleteAcls) command);
            case ALTER_CLIENT_QUOTA -> alterClientQuota(image, (AlterClientQuota) command);
            case UNREGISTER_BROKER -> unregisterBroker(image, (UnregisterBroker) command);
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

    private static Outcome alterBrokerConfigs(MetadataImage image, AlterBrokerConfigs c) {
        if (!c.broker().isEmpty() && !c.broker().matches("\\d{1,9}")) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "A broker config resource names a node id or \"\", not '"
                    + c.broker() + "'.");
        }
        if (c.delete().stream().anyMatch(c.set()::containsKey)) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Configs both set and deleted: " + c.delete());
        }
        Map<String, String> configs = new TreeMap<>(image.brokerConfigs(c.broker()));
        configs.keySet().removeAll(c.delete());
        configs.putAll(c.set());
        return configs.equals(image.brokerConfigs(c.broker())) ? Outcome.ok(image)
                : Outcome.ok(image.withBrokerConfigs(c.broker(), configs));
    }

    private static Outcome upsertScramCredential(MetadataImage image, UpsertScramCredential c) {
        if (c.user().isEmpty()) {
            return Outcome.failed(image, Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        SecurityImage security = image.security();
        if (!c.overwrite() && security.scramCredential(c.user(), c.mechanism()).isPresent()) {
            return Outcome.ok(image);
        }
        return Outcome.ok(image.withSecurity(security.withScramCredential(c.user(), c.mechanism(), c.credential())));
    }

    private static Outcome deleteScramCredential(MetadataImage image, DeleteScramCredential c) {
        SecurityImage security = image.security();
        if (security.scramCredential(c.user(), c.mechanism()).isEmpty()) {
            return Outcome.failed(image, Errors.RESOURCE_NOT_FOUND,
                    "Attempt to delete a user credential that does not exist");
        }
        return Outcome.ok(image.withSecurity(security.withoutScramCredential(c.user(), c.mechanism())));
    }

    private static Outcome alterClientQuota(MetadataImage image, AlterClientQuota c) {
        Map<String, Double> quotas = new TreeMap<>(image.security().quotas(c.entity()));
        quotas.keySet().removeAll(c.remove());
        quotas.putAll(c.set());
        return quotas.equals(image.security().quotas(c.entity())) ? Outcome.ok(image)
                : Outcome.ok(image.withSecurity(image.security().withQuotas(c.entity(), quotas)));
    }

    private static Outcome deleteAcls(MetadataImage image, DeleteAcls c) {
        SecurityImage security = image.security();
        return c.ids().stream().noneMatch(security.acls()::containsKey) ? Outcome.ok(image)
                : Outcome.ok(image.withSecurity(security.withoutAcls(c.ids())));
    }

    private static Outcome createAcl(MetadataImage image, CreateAcl c) {
        SecurityImage security = image.security();
        if (security.aclId(c.acl()).isPresent()) {
            return Outcome.ok(image);
        }
        if (security.acls().containsKey(c.id())) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "ACL id " + c.id() + " is taken");
        }
        return Outcome.ok(image.withSecurity(security.withAcl(c.id(), c.acl())));
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
        String invalid = invalidEndpoints(c.endpoints());
        if (invalid != null) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Broker " + c.nodeId() + " " + invalid + ".");
        }
        BrokerImage broker = new BrokerImage(c.nodeId(), c.endpoints(), c.rack(), false);
        Optional<BrokerImage> previous = image.broker(c.nodeId());
        if (previous.filter(broker::equals).isPresent()) {
            return new Outcome(image, MetadataResult.ok());
        }
        MetadataImage registered = PartitionTransitions.adoptUnassigned(image.withBroker(broker), c.nodeId());
        // A broker unregistered was fenced, and is back as after a fence; a new one has no partition to lead again.
        if (previous.map(BrokerImage::fenced).orElse(true)) {
            registered = PartitionTransitions.leadAgain(registered, c.nodeId());
        }
        return new Outcome(registered, MetadataResult.ok());
    }

    /** What is wrong with a broker's endpoints, to follow "Broker n"; null if nothing. */
    private static String invalidEndpoints(List<Endpoint> endpoints) {
        if (endpoints.isEmpty()) {
            return "has no endpoint";
        }
        Set<String> listeners = new HashSet<>();
        for (Endpoint endpoint : endpoints) {
            if (endpoint.listener().isEmpty() || endpoint.host().isEmpty() || endpoint.port() <= 0
                    || endpoint.port() > 65535) {
                return "has an invalid endpoint " + endpoint;
            }
            if (!listeners.add(endpoint.listener())) {
                return "has two endpoints on listener " + endpoint.listener();
            }
        }
        return null;
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
        return Outcome.ok(c.fenced() ? PartitionTransitions.stepDown(changed, c.nodeId())
                : PartitionTransitions.leadAgain(changed, c.nodeId()));
    }

    private static Outcome unregisterBroker(MetadataImage image, UnregisterBroker c) {
        Optional<BrokerImage> broker = image.broker(c.nodeId());
        if (broker.isEmpty()) {
            return Outcome.failed(image, Errors.BROKER_ID_NOT_REGISTERED, "Broker " + c.nodeId() + " is not registered.");
        }
        if (!broker.get().fenced()) {
            return Outcome.failed(image, Errors.INVALID_REQUEST, "Broker " + c.nodeId()
                    + " is live; stop it before unregistering it, or it registers again as it runs.");
        }
        return Outcome.ok(image.withoutBroker(c.nodeId()));
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
            registered = PartitionTransitions.forgetReplicas(registered, c.nodeId());
        }
        return new Outcome(registered, MetadataResult.ok());
    }

    /**
     * Commits a tiered segment to its partition's manifest. A segment id already there is a
     * repeated commit (a retry after a lost reply) and changes nothing; so is a segment wholly below
     * the tiered log's start, which retention or DeleteRecords passed while it was uploaded.
     */
    private static Outcome addRemoteSegment(MetadataImage image, AddRemoteSegment c) {
        return PartitionTransitions.onPartition(image, c.topicId(), c.partition(), (topic, partition, name) -> {
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
        });
    }

    private static Outcome updateRemoteLog(MetadataImage image, UpdateRemoteLog c) {
        return PartitionTransitions.onPartition(image, c.topicId(), c.partition(), (topic, partition, name) -> {
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
        });
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
