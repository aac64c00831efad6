package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataCommand.AllocateProducerIds;
import io.strata.broker.cluster.MetadataCommand.AlterClientQuota;
import io.strata.broker.cluster.MetadataCommand.AlterBrokerConfigs;
import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.AlterTopicConfigs;
import io.strata.broker.cluster.MetadataCommand.CreateAcl;
import io.strata.broker.cluster.MetadataCommand.CreatePartitions;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.DeleteAcls;
import io.strata.broker.cluster.MetadataCommand.DeleteScramCredential;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataCommand.ReassignPartition;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.RegisterDirectory;
import io.strata.broker.cluster.MetadataCommand.SetBrokerFenced;
import io.strata.broker.cluster.MetadataCommand.UnregisterBroker;
import io.strata.broker.cluster.MetadataCommand.SetClusterId;
import io.strata.broker.cluster.MetadataCommand.Type;
import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.broker.cluster.MetadataCommand.UpsertScramCredential;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The log format of {@link MetadataCommand}s: an opcode byte, a version byte, then the command's fields.
 * Every version ever written stays readable. Stateless.
 */
final class MetadataCommandFormat {

    private MetadataCommandFormat() {
    }


    static byte[] serialize(MetadataCommand command) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            DataOutputStream out = new DataOutputStream(bytes);
            writeTo(command, out);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @throws IOException for bytes that are not a command this version knows */
    static MetadataCommand deserialize(byte[] data, int offset, int length) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length));
        MetadataCommand command = readFrom(in);
        if (in.available() > 0) {
            throw new IOException("corrupt metadata command: " + in.available() + " trailing bytes after " + command);
        }
        return command;
    }

    static void writeTo(MetadataCommand command, DataOutput out) throws IOException {
        out.writeByte(command.opcode());
        out.writeByte(command.version());
        if (command instanceof CreateTopic c) {
            MetadataCodec.writeString(out, c.name());
            MetadataCodec.writeUuid(out, c.topicId());
            out.writeInt(c.partitions());
            out.writeShort(c.replicationFactor());
            MetadataCodec.writeStringMap(out, c.configs());
            MetadataCodec.writeAssignment(out, c.assignment());
        } else if (command instanceof DeleteTopic c) {
            MetadataCodec.writeUuid(out, c.topicId());
        } else if (command instanceof AlterTopicConfigs c) {
            MetadataCodec.writeString(out, c.name());
            MetadataCodec.writeStringMap(out, c.set());
            MetadataCodec.writeStringSet(out, c.delete());
            out.writeBoolean(c.replace());
        } else if (command instanceof AlterBrokerConfigs c) {
            MetadataCodec.writeString(out, c.broker());
            MetadataCodec.writeStringMap(out, c.set());
            MetadataCodec.writeStringSet(out, c.delete());
        } else if (command instanceof UpsertScramCredential c) {
            MetadataCodec.writeString(out, c.user());
            MetadataCodec.writeScramCredential(out, c.mechanism(), c.credential());
            out.writeBoolean(c.overwrite());
        } else if (command instanceof DeleteScramCredential c) {
            MetadataCodec.writeString(out, c.user());
            out.writeByte(c.mechanism().type());
        } else if (command instanceof CreateAcl c) {
            MetadataCodec.writeUuid(out, c.id());
            MetadataCodec.writeAcl(out, c.acl());
        } else if (command instanceof DeleteAcls c) {
            out.writeInt(c.ids().size());
            for (Uuid id : c.ids()) {
                MetadataCodec.writeUuid(out, id);
            }
        } else if (command instanceof AlterClientQuota c) {
            MetadataCodec.writeQuotaEntity(out, c.entity());
            MetadataCodec.writeQuotas(out, c.set());
            MetadataCodec.writeStringSet(out, c.remove());
        } else if (command instanceof CreatePartitions c) {
            MetadataCodec.writeString(out, c.name());
            out.writeInt(c.totalCount());
            MetadataCodec.writeAssignment(out, c.assignment());
        } else if (command instanceof SetClusterId c) {
            MetadataCodec.writeString(out, c.clusterId());
        } else if (command instanceof SetBrokerFenced c) {
            out.writeInt(c.nodeId());
            out.writeBoolean(c.fenced());
        } else if (command instanceof UnregisterBroker c) {
            out.writeInt(c.nodeId());
        } else if (command instanceof RegisterDirectory c) {
            out.writeInt(c.nodeId());
            MetadataCodec.writeUuid(out, c.directoryId());
        } else if (command instanceof AlterPartition c) {
            MetadataCodec.writeUuid(out, c.topicId());
            out.writeInt(c.partition());
            out.writeInt(c.leader());
            out.writeInt(c.leaderEpoch());
            MetadataCodec.writeIntList(out, c.isr());
        } else if (command instanceof ElectLeader c) {
            MetadataCodec.writeUuid(out, c.topicId());
            out.writeInt(c.partition());
            out.writeByte(c.election().code);
        } else if (command instanceof ReassignPartition c) {
            MetadataCodec.writeUuid(out, c.topicId());
            out.writeInt(c.partition());
            MetadataCodec.writeIntList(out, c.targetReplicas());
        } else if (command instanceof AllocateProducerIds c) {
            out.writeInt(c.blockSize());
        } else if (command instanceof RegisterBroker c) {
            out.writeInt(c.nodeId());
            MetadataCodec.writeEndpoints(out, c.endpoints());
            MetadataCodec.writeString(out, c.rack());
        } else if (command instanceof AddRemoteSegment c) {
            MetadataCodec.writeUuid(out, c.topicId());
            out.writeInt(c.partition());
            MetadataCodec.writeBytes(out, c.remoteSegment());
        } else if (command instanceof UpdateRemoteLog c) {
            MetadataCodec.writeUuid(out, c.topicId());
            out.writeInt(c.partition());
            out.writeLong(c.logStartOffset());
            out.writeInt(c.removed().size());
            for (UUID id : c.removed()) {
                out.writeLong(id.getMostSignificantBits());
                out.writeLong(id.getLeastSignificantBits());
            }
            out.writeInt(c.added().size());
            for (byte[] segment : c.added()) {
                MetadataCodec.writeBytes(out, segment);
            }
        } else {
            throw new IllegalArgumentException("unknown command " + command);
        }
    }

    /** Reads a command of any version this build knows. */
    static MetadataCommand readFrom(DataInput in) throws IOException {
        Type type = Type.forOpcode(in.readByte());
        byte version = type.requireReadable(in.readByte());
        return switch (type) {
            case CREATE_TOPIC -> {
                String name = MetadataCodec.readString(in);
                Uuid topicId = MetadataCodec.readUuid(in);
                int partitions = in.readInt();
                short replicationFactor = in.readShort();
                Map<String, String> configs = MetadataCodec.readStringMap(in);
                List<List<Integer>> assignment = version >= 1 ? MetadataCodec.readAssignment(in) : List.of();
                yield new CreateTopic(name, topicId, partitions, replicationFactor, configs, assignment);
            }
            case DELETE_TOPIC -> new DeleteTopic(MetadataCodec.readUuid(in));
            case ALTER_TOPIC_CONFIGS -> {
                String name = MetadataCodec.readString(in);
                Map<String, String> set = MetadataCodec.readStringMap(in);
                Set<String> delete = MetadataCodec.readStringSet(in);
                yield new AlterTopicConfigs(name, set, delete, in.readBoolean());
            }
            case ALTER_BROKER_CONFIGS -> {
                String broker = MetadataCodec.readString(in);
                Map<String, String> set = MetadataCodec.readStringMap(in);
                yield new AlterBrokerConfigs(broker, set, MetadataCodec.readStringSet(in));
            }
            case UPSERT_SCRAM_CREDENTIAL -> {
                String user = MetadataCodec.readString(in);
                ScramMechanism mechanism = MetadataCodec.readScramMechanism(in);
                ScramCredentialImage credential = MetadataCodec.readScramCredential(in);
                yield new UpsertScramCredential(user, mechanism, credential, in.readBoolean());
            }
            case DELETE_SCRAM_CREDENTIAL ->
                    new DeleteScramCredential(MetadataCodec.readString(in), MetadataCodec.readScramMechanism(in));
            case CREATE_ACL -> new CreateAcl(MetadataCodec.readUuid(in), MetadataCodec.readAcl(in));
            case DELETE_ACLS -> {
                int count = MetadataCodec.checkLength(in.readInt());
                List<Uuid> ids = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    ids.add(MetadataCodec.readUuid(in));
                }
                yield new DeleteAcls(ids);
            }
            case ALTER_CLIENT_QUOTA -> {
                ClientQuotaEntity entity = MetadataCodec.readQuotaEntity(in);
                Map<String, Double> set = MetadataCodec.readQuotas(in);
                yield new AlterClientQuota(entity, set, MetadataCodec.readStringSet(in));
            }
            case CREATE_PARTITIONS -> {
                String name = MetadataCodec.readString(in);
                int totalCount = in.readInt();
                yield new CreatePartitions(name, totalCount, version >= 1 ? MetadataCodec.readAssignment(in) : List.of());
            }
            case SET_CLUSTER_ID -> new SetClusterId(MetadataCodec.readString(in));
            case SET_BROKER_FENCED -> new SetBrokerFenced(in.readInt(), in.readBoolean());
            case UNREGISTER_BROKER -> new UnregisterBroker(in.readInt());
            case REGISTER_DIRECTORY -> new RegisterDirectory(in.readInt(), MetadataCodec.readUuid(in));
            case ALTER_PARTITION -> {
                Uuid topicId = MetadataCodec.readUuid(in);
                int partition = in.readInt();
                int leader = in.readInt();
                int leaderEpoch = in.readInt();
                yield new AlterPartition(topicId, partition, leader, leaderEpoch, MetadataCodec.readIntList(in));
            }
            case ELECT_LEADER -> {
                Uuid topicId = MetadataCodec.readUuid(in);
                int partition = in.readInt();
                yield new ElectLeader(topicId, partition, Election.forCode(in.readByte()));
            }
            case REASSIGN_PARTITION -> {
                Uuid topicId = MetadataCodec.readUuid(in);
                int partition = in.readInt();
                yield new ReassignPartition(topicId, partition, MetadataCodec.readIntList(in));
            }
            case ALLOCATE_PRODUCER_IDS -> new AllocateProducerIds(in.readInt());
            case REGISTER_BROKER -> {
                int nodeId = in.readInt();
                List<Endpoint> endpoints = version >= 1 ? MetadataCodec.readEndpoints(in)
                        : List.of(MetadataCodec.readUnnamedEndpoint(in));
                yield new RegisterBroker(nodeId, endpoints, MetadataCodec.readString(in));
            }
            case ADD_REMOTE_SEGMENT -> {
                Uuid topicId = MetadataCodec.readUuid(in);
                int partition = in.readInt();
                yield new AddRemoteSegment(topicId, partition, MetadataCodec.readBytes(in));
            }
            case UPDATE_REMOTE_LOG -> {
                Uuid topicId = MetadataCodec.readUuid(in);
                int partition = in.readInt();
                long logStartOffset = in.readLong();
                int removedCount = MetadataCodec.checkLength(in.readInt());
                List<UUID> removed = new ArrayList<>(removedCount);
                for (int i = 0; i < removedCount; i++) {
                    removed.add(new UUID(in.readLong(), in.readLong()));
                }
                int addedCount = MetadataCodec.checkLength(in.readInt());
                List<byte[]> added = new ArrayList<>(addedCount);
                for (int i = 0; i < addedCount; i++) {
                    added.add(MetadataCodec.readBytes(in));
                }
                yield new UpdateRemoteLog(topicId, partition, logStartOffset, removed, added);
            }
        };
    }
}
