package io.strata.broker.cluster;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A change to the replicated metadata, as written in the Raft log: an opcode byte, a version byte,
 * then the command's fields. Log entries live as long as the log, so a format never changes once
 * released: a new field means a new version, and {@link MetadataCommandFormat} keeps reading every older one.
 *
 * <p>Commands carry everything {@link MetadataStateMachine} needs to apply them deterministically:
 * the caller picks random values such as a new topic's id before submitting. Config values are
 * validated by the caller ({@code TopicConfigCatalog}) before submitting, so a later version's
 * rules can never make an old entry apply differently.
 */
public sealed interface MetadataCommand {

    /** What kind of command this is, which decides its opcode and the version this build writes. */
    default Type type() {
        return Type.of(this);
    }

    /** Identifies the command type in the log; never reused. */
    default byte opcode() {
        return type().opcode;
    }

    /** The format version this build writes. */
    default byte version() {
        return type().version;
    }

    /**
     * Every command type with its opcode and the format version this build writes (and the newest it
     * reads). An opcode is never reused; a new format of a command raises its version.
     */
    enum Type {
        CREATE_TOPIC(CreateTopic.class, 1, 1),
        DELETE_TOPIC(DeleteTopic.class, 2, 0),
        ALTER_TOPIC_CONFIGS(AlterTopicConfigs.class, 3, 0),
        CREATE_PARTITIONS(CreatePartitions.class, 4, 1),
        ALLOCATE_PRODUCER_IDS(AllocateProducerIds.class, 5, 0),
        REGISTER_BROKER(RegisterBroker.class, 6, 1),
        ADD_REMOTE_SEGMENT(AddRemoteSegment.class, 7, 0),
        UPDATE_REMOTE_LOG(UpdateRemoteLog.class, 8, 0),
        SET_CLUSTER_ID(SetClusterId.class, 9, 0),
        SET_BROKER_FENCED(SetBrokerFenced.class, 10, 0),
        ALTER_PARTITION(AlterPartition.class, 11, 0),
        ELECT_LEADER(ElectLeader.class, 12, 0),
        REGISTER_DIRECTORY(RegisterDirectory.class, 13, 0),
        REASSIGN_PARTITION(ReassignPartition.class, 14, 0),
        ALTER_BROKER_CONFIGS(AlterBrokerConfigs.class, 15, 0),
        UPSERT_SCRAM_CREDENTIAL(UpsertScramCredential.class, 16, 0),
        DELETE_SCRAM_CREDENTIAL(DeleteScramCredential.class, 17, 0),
        CREATE_ACL(CreateAcl.class, 18, 0),
        DELETE_ACLS(DeleteAcls.class, 19, 0),
        ALTER_CLIENT_QUOTA(AlterClientQuota.class, 20, 0),
        UNREGISTER_BROKER(UnregisterBroker.class, 21, 0);

        private final Class<? extends MetadataCommand> recordClass;
        private final byte opcode;
        private final byte version;

        Type(Class<? extends MetadataCommand> recordClass, int opcode, int version) {
            this.recordClass = recordClass;
            this.opcode = (byte) opcode;
            this.version = (byte) version;
        }

        static Type of(MetadataCommand command) {
            for (Type type : values()) {
                if (type.recordClass == command.getClass()) {
                    return type;
                }
            }
            throw new IllegalArgumentException("no command type for " + command.getClass().getName());
        }

        /** @throws IOException for an opcode this build does not know */
        static Type forOpcode(byte opcode) throws IOException {
            for (Type type : values()) {
                if (type.opcode == opcode) {
                    return type;
                }
            }
            throw new IOException("unknown metadata command opcode " + opcode + " (written by a newer version of Strata?)");
        }

        /** Returns {@code writtenVersion}. @throws IOException for a version newer than this build reads */
        byte requireReadable(byte writtenVersion) throws IOException {
            if (writtenVersion < 0 || writtenVersion > version) {
                throw new IOException("metadata command opcode " + opcode + " has version " + writtenVersion
                        + ", this build reads up to " + version + " (written by a newer version of Strata?)");
            }
            return writtenVersion;
        }
    }

    /**
     * Creates a topic; fails if the name or id is taken. {@code assignment} holds each partition's
     * replicas, preferred leader first, as the submitter placed them. It is empty only in entries of
     * version 0, written before replicas were assigned: those partitions go to the lowest registered
     * broker (the only one, on the single node that wrote them).
     */
    record CreateTopic(String name, Uuid topicId, int partitions, short replicationFactor,
                       Map<String, String> configs, List<List<Integer>> assignment) implements MetadataCommand {
        public CreateTopic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(topicId, "topicId");
            configs = configs == null ? Map.of() : Map.copyOf(configs);
            assignment = copyAssignment(assignment, partitions);
        }
    }

    /** Deletes a topic by id (callers resolve a name against the image first). */
    record DeleteTopic(Uuid topicId) implements MetadataCommand {
        public DeleteTopic {
            Objects.requireNonNull(topicId, "topicId");
        }

    }

    /**
     * Changes the dynamic configs of {@code broker}, a node id or "" for the cluster-wide defaults, as
     * IncrementalAlterConfigs does for a BROKER resource: the configs in {@code set} are added or replaced and
     * those in {@code delete} removed. Names and values are validated by the caller.
     */
    record AlterBrokerConfigs(String broker, Map<String, String> set, Set<String> delete) implements MetadataCommand {
        public AlterBrokerConfigs {
            Objects.requireNonNull(broker, "broker");
            set = Map.copyOf(set);
            delete = Set.copyOf(delete);
        }
    }

    /**
     * Sets a user's credential for one SCRAM mechanism; with {@code overwrite} false, only if the user has
     * none for it yet (the bootstrap users, created once at first start and never reset by a restart).
     */
    record UpsertScramCredential(String user, ScramMechanism mechanism, ScramCredentialImage credential,
                                 boolean overwrite) implements MetadataCommand {
    }

    /** Removes a user's credential for one SCRAM mechanism; fails if there is none. */
    record DeleteScramCredential(String user, ScramMechanism mechanism) implements MetadataCommand {
    }

    /**
     * Adds an ACL under {@code id}, which the submitter picks; an ACL equal to one that exists changes nothing.
     * The binding is a literal or prefixed pattern with a definite principal, host, operation and permission.
     */
    record CreateAcl(Uuid id, AclBinding acl) implements MetadataCommand {
    }

    /**
     * Sets and removes quotas of one client quota entity ({@code producer_byte_rate}, ...); the submitter has
     * validated the entity, the keys and the values.
     */
    record AlterClientQuota(ClientQuotaEntity entity, Map<String, Double> set, Set<String> remove)
            implements MetadataCommand {
        public AlterClientQuota {
            set = Map.copyOf(set);
            remove = Set.copyOf(remove);
        }
    }

    /** Removes the ACLs of these ids; ids without an ACL (removed meanwhile) are passed over. */
    record DeleteAcls(List<Uuid> ids) implements MetadataCommand {
        public DeleteAcls {
            ids = List.copyOf(ids);
        }
    }

    /**
     * Changes a topic's config overrides. Incremental (IncrementalAlterConfigs): the overrides in
     * {@code set} are added or replaced and the names in {@code delete} return to their defaults;
     * a name in both is an error. With {@code replace} (legacy AlterConfigs) the overrides become
     * exactly {@code set}, whatever the topic had, and {@code delete} is ignored. Appending to or
     * subtracting from list configs is resolved into {@code set} by the caller.
     */
    record AlterTopicConfigs(String name, Map<String, String> set, Set<String> delete, boolean replace)
            implements MetadataCommand {
        public AlterTopicConfigs {
            Objects.requireNonNull(name, "name");
            set = set == null ? Map.of() : Map.copyOf(set);
            delete = delete == null ? Set.of() : Set.copyOf(delete);
        }

        /** An incremental change. */
        public AlterTopicConfigs(String name, Map<String, String> set, Set<String> delete) {
            this(name, set, delete, false);
        }

        /** Replaces all of a topic's overrides with {@code configs}. */
        public static AlterTopicConfigs replaceAll(String name, Map<String, String> configs) {
            return new AlterTopicConfigs(name, configs, Set.of(), true);
        }

    }

    /**
     * Raises a topic's partition count to {@code totalCount}; fails unless it grows. {@code assignment}
     * holds the new partitions' replicas, as in {@link CreateTopic} (empty in version 0 entries).
     */
    record CreatePartitions(String name, int totalCount, List<List<Integer>> assignment) implements MetadataCommand {
        public CreatePartitions {
            Objects.requireNonNull(name, "name");
            assignment = List.copyOf(assignment.stream().map(List::copyOf).toList());
        }
    }

    /**
     * Names the cluster. The first id committed stays: each broker proposes the id its data directory
     * remembers, or a new one, and every broker then adopts the committed one.
     */
    record SetClusterId(String clusterId) implements MetadataCommand {
        public SetClusterId {
            Objects.requireNonNull(clusterId, "clusterId");
        }
    }

    /**
     * Fences a broker the metadata quorum can no longer reach, or one that is stopping cleanly (controlled
     * shutdown), or unfences one (a broker that registers again is unfenced the same way): a fenced
     * broker leads nothing (each partition it led goes to the next live in-sync replica, or has no
     * leader) and leaves the in-sync replicas unless it is the last one; unfenced, it leads again the
     * partitions that had no leader and kept it in sync. Every change of leader raises the epoch.
     */
    record SetBrokerFenced(int nodeId, boolean fenced) implements MetadataCommand {
    }

    /**
     * Records that node {@code nodeId} runs on the data directory {@code directoryId}, a random id the
     * directory got when it was created (KIP-853's directory id). A node counts as a metadata voter only
     * once its own directory is recorded in the metadata it holds, so one that lost its data directory
     * votes again only after it caught up past this entry. A directory other than the one recorded
     * means the node's partition logs are gone too: it leaves every in-sync replica set, even as its
     * last member, and leads nothing.
     */
    record RegisterDirectory(int nodeId, Uuid directoryId) implements MetadataCommand {
        public RegisterDirectory {
            Objects.requireNonNull(directoryId, "directoryId");
        }
    }

    /**
     * A partition leader's change to its in-sync replicas, as Kafka's AlterPartition: it shrinks the set
     * when a follower falls behind and expands it when one has caught up. Applied only if {@code leader}
     * still leads the partition in {@code leaderEpoch}, so a deposed leader's change is refused; the new set
     * must include the leader, hold only replicas of the partition, and add only brokers that are not fenced.
     */
    record AlterPartition(Uuid topicId, int partition, int leader, int leaderEpoch, List<Integer> isr)
            implements MetadataCommand {
        public AlterPartition {
            Objects.requireNonNull(topicId, "topicId");
            isr = List.copyOf(isr);
        }
    }

    /**
     * Moves a partition's leadership by request (ElectLeaders) or by the controller's preferred-leader
     * balancing, in a new leader epoch. Whether a topic allows unclean elections is a config the caller
     * reads: the command says which election it may hold.
     */
    record ElectLeader(Uuid topicId, int partition, Election election) implements MetadataCommand {
        public ElectLeader {
            Objects.requireNonNull(topicId, "topicId");
            Objects.requireNonNull(election, "election");
        }
    }

    /**
     * Moves a partition to {@code targetReplicas}, preferred leader first, as Kafka's AlterPartitionReassignments:
     * the new replicas copy the log and the partition settles on the target once they are in sync. An empty
     * target cancels the reassignment in progress. Replaces one in progress with another target.
     */
    record ReassignPartition(Uuid topicId, int partition, List<Integer> targetReplicas) implements MetadataCommand {
        public ReassignPartition {
            Objects.requireNonNull(topicId, "topicId");
            targetReplicas = List.copyOf(targetReplicas);
        }
    }

    /** Who an {@link ElectLeader} may choose; each is written as its code, never reused. */
    enum Election {
        /** The first replica of the assignment, if it is live and in sync and does not lead already. */
        PREFERRED(0),
        /**
         * A live in-sync replica, when the partition has no live leader: an unclean election asked of a
         * topic whose {@code unclean.leader.election.enable} is false.
         */
        IN_SYNC(1),
        /**
         * A live in-sync replica when the partition has no live leader, else any live replica, which becomes
         * the only in-sync one: records it never copied are lost.
         */
        UNCLEAN(2);

        final byte code;

        Election(int code) {
            this.code = (byte) code;
        }

        static Election forCode(byte code) throws IOException {
            for (Election election : values()) {
                if (election.code == code) {
                    return election;
                }
            }
            throw new IOException("unknown leader election code " + code);
        }
    }

    /** An unmodifiable copy of {@code assignment}, which must be empty or name every partition. */
    private static List<List<Integer>> copyAssignment(List<List<Integer>> assignment, int partitions) {
        if (!assignment.isEmpty() && assignment.size() != partitions) {
            throw new IllegalArgumentException("an assignment of " + assignment.size() + " partitions for "
                    + partitions + " partitions");
        }
        return List.copyOf(assignment.stream().map(List::copyOf).toList());
    }

    /**
     * Reserves {@code blockSize} consecutive producer ids; the result's value is the first. The
     * counter is replicated and persisted, so a block is never handed out twice, across restarts
     * and brokers.
     */
    record AllocateProducerIds(int blockSize) implements MetadataCommand {
    }

    /**
     * Adds or updates a broker's registration: the endpoint of each of its listeners, and its rack, which may be
     * {@code null}. Version 0 carried one endpoint, read back as {@link Endpoint#UNNAMED_LISTENER}'s.
     */
    record RegisterBroker(int nodeId, List<Endpoint> endpoints, String rack) implements MetadataCommand {
        public RegisterBroker {
            endpoints = List.copyOf(endpoints);
        }
    }

    /**
     * Removes the registration of a broker gone for good ({@code kafka-cluster unregister}, Kafka's UnregisterBroker):
     * it is no longer listed, and the replicas it holds count as offline until they are moved. Only a fenced broker
     * is removed, so it already leads nothing; one that comes back (restarted, or still running and reachable again)
     * registers again and leads again where it is the last in-sync replica, as after a fence.
     */
    record UnregisterBroker(int nodeId) implements MetadataCommand {
    }

    /**
     * Commits a segment uploaded to the object store to its partition's remote manifest.
     * {@code remoteSegment} is the segment in {@code RemoteSegment}'s own versioned serialized
     * form, carried as bytes so that format can evolve without a new version of this command.
     */
    record AddRemoteSegment(Uuid topicId, int partition, byte[] remoteSegment) implements MetadataCommand {
        public AddRemoteSegment {
            Objects.requireNonNull(topicId, "topicId");
            remoteSegment = remoteSegment.clone();
        }

        @Override
        public byte[] remoteSegment() {
            return remoteSegment.clone();
        }


        // A record compares arrays by identity; commands are compared by content.
        @Override
        public boolean equals(Object o) {
            return o instanceof AddRemoteSegment other && topicId.equals(other.topicId)
                    && partition == other.partition && Arrays.equals(remoteSegment, other.remoteSegment);
        }

        @Override
        public int hashCode() {
            return Objects.hash(topicId, partition, Arrays.hashCode(remoteSegment));
        }

        @Override
        public String toString() {
            return "AddRemoteSegment[topicId=" + topicId + ", partition=" + partition + ", "
                    + remoteSegment.length + " bytes]";
        }
    }

    /**
     * Changes a partition's tiered log: takes the segments {@code removed} out, puts {@code added} in
     * (each in {@code RemoteSegment}'s serialized form, as for {@link AddRemoteSegment}) and moves its
     * start up to {@code logStartOffset}, dropping the segments then wholly below it. Retention and
     * DeleteRecords move the start; compaction swaps segments. Fails, changing nothing, if a segment
     * to remove is not there, so that two changes racing on the same segments cannot both apply.
     */
    record UpdateRemoteLog(Uuid topicId, int partition, long logStartOffset, List<UUID> removed,
                           List<byte[]> added) implements MetadataCommand {
        public UpdateRemoteLog {
            Objects.requireNonNull(topicId, "topicId");
            removed = List.copyOf(removed);
            added = added.stream().map(byte[]::clone).toList();
        }

        @Override
        public List<byte[]> added() {
            return added.stream().map(byte[]::clone).toList();
        }


        // A record compares arrays by identity; commands are compared by content.
        @Override
        public boolean equals(Object o) {
            if (!(o instanceof UpdateRemoteLog other) || !topicId.equals(other.topicId) || partition != other.partition
                    || logStartOffset != other.logStartOffset || !removed.equals(other.removed)
                    || added.size() != other.added.size()) {
                return false;
            }
            for (int i = 0; i < added.size(); i++) {
                if (!Arrays.equals(added.get(i), other.added.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return Objects.hash(topicId, partition, logStartOffset, removed,
                    added.stream().mapToInt(Arrays::hashCode).sum());
        }

        @Override
        public String toString() {
            return "UpdateRemoteLog[topicId=" + topicId + ", partition=" + partition + ", logStartOffset="
                    + logStartOffset + ", removed=" + removed + ", " + added.size() + " added]";
        }
    }
}
