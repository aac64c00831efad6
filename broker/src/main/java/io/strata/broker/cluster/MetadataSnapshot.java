package io.strata.broker.cluster;

import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The snapshot format of the metadata state machine: the whole {@link MetadataImage}, which a Raft member
 * writes when it compacts its log and reads when it restarts or catches up from the leader's snapshot.
 * Like the commands, a format never changes once released: a new field means a new version, and every
 * older version stays readable. Stateless.
 */
final class MetadataSnapshot {

    /** "STMD": the first bytes of a snapshot. */
    static final int SNAPSHOT_MAGIC = 0x53544D44;
    /**
     * Version 1 added the remote segment manifests, version 2 their log start offsets, version 3 the
     * cluster id and each partition's replicas and leadership, version 4 the nodes' data directories,
     * version 5 the reassignments in progress and the dynamic broker configs, version 6 the users' SCRAM
     * credentials, the ACLs and the client quotas, version 7 each broker's endpoints by listener name instead
     * of its one host and port; older versions are still read.
     */
    static final byte SNAPSHOT_VERSION = 7;

    private MetadataSnapshot() {
    }

    /**
     * Writes {@code image}: magic, version, image version, next producer id, the topics sorted
     * by name, the brokers sorted by node id (each its node id, its endpoints as a count and then each
     * one's listener name, host and port, and its rack; before version 7 one host and port instead of the
     * endpoints), then (since version 1) the remote segments by topic
     * id, partition and base offset, each as its topic id and its length-prefixed serialized form,
     * then (since version 2) the tiered logs' start offsets: topic id, partition, offset, then (since
     * version 3) the cluster id (empty for none), whether each broker is fenced (in node id order) and,
     * per topic in name order and per partition, its replicas, in-sync replicas, leader and leader epoch,
     * then (since version 4) the registered data directories: a count, then node id and directory id by node id,
     * then (since version 5) per topic in name order and per partition, the replicas a reassignment adds and removes,
     * and the dynamic broker configs: a count, then per broker in name order its name and configs,
     * then (since version 6) the SCRAM credentials: a count of users, then per user in name order its name, a count,
     * and per mechanism its type byte, salt, stored key, server key and iteration count, then the ACLs: a count, then
     * per ACL in id order its id and the ACL, then the client quotas: a count, then per entity its entity and values.
     */
    static void write(MetadataImage image, DataOutput out) throws IOException {
        out.writeInt(SNAPSHOT_MAGIC);
        out.writeByte(SNAPSHOT_VERSION);
        out.writeLong(image.version());
        out.writeLong(image.nextProducerId());
        out.writeInt(image.topics().size());
        for (TopicImage topic : image.topics()) {
            MetadataCodec.writeString(out, topic.name());
            MetadataCodec.writeUuid(out, topic.topicId());
            out.writeInt(topic.partitions());
            out.writeShort(topic.replicationFactor());
            MetadataCodec.writeStringMap(out, topic.configs());
        }
        out.writeInt(image.brokers().size());
        for (BrokerImage broker : image.brokers()) {
            out.writeInt(broker.nodeId());
            MetadataCodec.writeEndpoints(out, broker.endpoints());
            MetadataCodec.writeString(out, broker.rack());
        }
        Map<Uuid, Map<Integer, RemoteManifest>> manifests = new TreeMap<>(image.remoteManifests());
        int segmentCount = 0;
        for (Map<Integer, RemoteManifest> partitions : manifests.values()) {
            for (RemoteManifest manifest : partitions.values()) {
                segmentCount += manifest.segments().size();
            }
        }
        out.writeInt(segmentCount);
        for (Map.Entry<Uuid, Map<Integer, RemoteManifest>> topic : manifests.entrySet()) {
            for (RemoteManifest manifest : topic.getValue().values()) {
                for (RemoteSegment segment : manifest.segments()) {
                    MetadataCodec.writeUuid(out, topic.getKey());
                    MetadataCodec.writeBytes(out, segment.toBytes());
                }
            }
        }
        out.writeInt(manifests.values().stream().mapToInt(Map::size).sum());
        for (Map.Entry<Uuid, Map<Integer, RemoteManifest>> topic : manifests.entrySet()) {
            for (Map.Entry<Integer, RemoteManifest> partition : topic.getValue().entrySet()) {
                MetadataCodec.writeUuid(out, topic.getKey());
                out.writeInt(partition.getKey());
                out.writeLong(partition.getValue().logStartOffset());
            }
        }
        MetadataCodec.writeString(out, image.clusterId().orElse(""));
        for (BrokerImage broker : image.brokers()) {
            out.writeBoolean(broker.fenced());
        }
        for (TopicImage topic : image.topics()) {
            for (PartitionImage partition : topic.partitionStates()) {
                MetadataCodec.writeIntList(out, partition.replicas());
                MetadataCodec.writeIntList(out, partition.isr());
                out.writeInt(partition.leader());
                out.writeInt(partition.leaderEpoch());
            }
        }
        out.writeInt(image.directories().size());
        for (Map.Entry<Integer, Uuid> directory : image.directories().entrySet()) {
            out.writeInt(directory.getKey());
            MetadataCodec.writeUuid(out, directory.getValue());
        }
        for (TopicImage topic : image.topics()) {
            for (PartitionImage partition : topic.partitionStates()) {
                MetadataCodec.writeIntList(out, partition.addingReplicas());
                MetadataCodec.writeIntList(out, partition.removingReplicas());
            }
        }
        out.writeInt(image.brokerConfigs().size());
        for (Map.Entry<String, Map<String, String>> broker : image.brokerConfigs().entrySet()) {
            MetadataCodec.writeString(out, broker.getKey());
            MetadataCodec.writeStringMap(out, broker.getValue());
        }
        Map<String, Map<ScramMechanism, ScramCredentialImage>> users = image.security().scramCredentials();
        out.writeInt(users.size());
        for (Map.Entry<String, Map<ScramMechanism, ScramCredentialImage>> user : users.entrySet()) {
            MetadataCodec.writeString(out, user.getKey());
            out.writeInt(user.getValue().size());
            for (Map.Entry<ScramMechanism, ScramCredentialImage> credential : user.getValue().entrySet()) {
                MetadataCodec.writeScramCredential(out, credential.getKey(), credential.getValue());
            }
        }
        out.writeInt(image.security().acls().size());
        for (Map.Entry<Uuid, AclBinding> acl : image.security().acls().entrySet()) {
            MetadataCodec.writeUuid(out, acl.getKey());
            MetadataCodec.writeAcl(out, acl.getValue());
        }
        out.writeInt(image.security().quotas().size());
        for (Map.Entry<ClientQuotaEntity, Map<String, Double>> quota : image.security().quotas().entrySet()) {
            MetadataCodec.writeQuotaEntity(out, quota.getKey());
            MetadataCodec.writeQuotas(out, quota.getValue());
        }
    }

    /** Reads a snapshot of any version this build knows. */
    static MetadataImage read(DataInput in) throws IOException {
        int magic = in.readInt();
        if (magic != SNAPSHOT_MAGIC) {
            throw new IOException("not a Strata metadata snapshot (magic " + Integer.toHexString(magic) + ")");
        }
        byte version = in.readByte();
        if (version < 0 || version > SNAPSHOT_VERSION) {
            throw new IOException("metadata snapshot version " + version + " is newer than this build reads ("
                    + SNAPSHOT_VERSION + ")");
        }
        long imageVersion = in.readLong();
        long nextProducerId = in.readLong();
        int topicCount = MetadataCodec.checkLength(in.readInt());
        List<TopicImage> topics = new ArrayList<>(topicCount);
        for (int i = 0; i < topicCount; i++) {
            String name = MetadataCodec.readString(in);
            Uuid topicId = MetadataCodec.readUuid(in);
            int partitions = in.readInt();
            short replicationFactor = in.readShort();
            // Until version 3 partitions have no replicas: the legacy placement is applied below.
            topics.add(new TopicImage(name, topicId, Collections.nCopies(partitions, PartitionImage.assigned(List.of())),
                    replicationFactor, MetadataCodec.readStringMap(in)));
        }
        int brokerCount = MetadataCodec.checkLength(in.readInt());
        List<BrokerImage> brokers = new ArrayList<>(brokerCount);
        for (int i = 0; i < brokerCount; i++) {
            int nodeId = in.readInt();
            List<Endpoint> endpoints = version >= 7 ? MetadataCodec.readEndpoints(in)
                    : List.of(MetadataCodec.readUnnamedEndpoint(in));
            brokers.add(new BrokerImage(nodeId, endpoints, MetadataCodec.readString(in), false));
        }
        Map<Uuid, Map<Integer, List<RemoteSegment>>> segments = new HashMap<>();
        if (version >= 1) {
            int remoteCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < remoteCount; i++) {
                Uuid topicId = MetadataCodec.readUuid(in);
                RemoteSegment segment = RemoteSegment.fromBytes(MetadataCodec.readBytes(in));
                segments.computeIfAbsent(topicId, id -> new HashMap<>())
                        .computeIfAbsent(segment.partition().partition(), p -> new ArrayList<>()).add(segment);
            }
        }
        Map<Uuid, Map<Integer, Long>> startOffsets = new HashMap<>();
        if (version >= 2) {
            int partitionCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < partitionCount; i++) {
                Uuid topicId = MetadataCodec.readUuid(in);
                int partition = in.readInt();
                startOffsets.computeIfAbsent(topicId, id -> new HashMap<>()).put(partition, in.readLong());
            }
        }
        Map<Uuid, Map<Integer, RemoteManifest>> manifests = new HashMap<>();
        segments.forEach((topicId, partitions) -> partitions.forEach((partition, list) ->
                manifests.computeIfAbsent(topicId, id -> new HashMap<>()).put(partition, RemoteManifest.EMPTY
                        .updated(0, Set.of(), list))));
        startOffsets.forEach((topicId, partitions) -> partitions.forEach((partition, start) -> {
            Map<Integer, RemoteManifest> byPartition = manifests.computeIfAbsent(topicId, id -> new HashMap<>());
            byPartition.put(partition, byPartition.getOrDefault(partition, RemoteManifest.EMPTY)
                    .updated(start, Set.of(), List.of()));
        }));
        String clusterId = null;
        if (version >= 3) {
            clusterId = MetadataCodec.readString(in);
            for (int b = 0; b < brokers.size(); b++) {
                brokers.set(b, brokers.get(b).withFenced(in.readBoolean()));
            }
            for (int t = 0; t < topics.size(); t++) {
                TopicImage topic = topics.get(t);
                List<PartitionImage> states = new ArrayList<>(topic.partitions());
                for (int p = 0; p < topic.partitions(); p++) {
                    List<Integer> replicas = MetadataCodec.readIntList(in);
                    List<Integer> isr = MetadataCodec.readIntList(in);
                    states.add(new PartitionImage(replicas, isr, in.readInt(), in.readInt()));
                }
                topics.set(t, topic.withPartitionStates(states));
            }
        } else if (!brokers.isEmpty()) {
            int legacyOwner = brokers.stream().mapToInt(BrokerImage::nodeId).min().orElseThrow();
            topics.replaceAll(topic -> topic.withPartitionStates(
                    Collections.nCopies(topic.partitions(), PartitionImage.assigned(List.of(legacyOwner)))));
        }
        Map<Integer, Uuid> directories = new HashMap<>();
        if (version >= 4) {
            int directoryCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < directoryCount; i++) {
                directories.put(in.readInt(), MetadataCodec.readUuid(in));
            }
        }
        Map<String, Map<String, String>> brokerConfigs = new HashMap<>();
        if (version >= 5) {
            for (int t = 0; t < topics.size(); t++) {
                topics.set(t, topics.get(t).withPartitionStates(readReassignments(in, topics.get(t))));
            }
            int brokerConfigCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < brokerConfigCount; i++) {
                brokerConfigs.put(MetadataCodec.readString(in), MetadataCodec.readStringMap(in));
            }
        }
        Map<String, Map<ScramMechanism, ScramCredentialImage>> users = new HashMap<>();
        Map<Uuid, AclBinding> acls = new HashMap<>();
        Map<ClientQuotaEntity, Map<String, Double>> quotas = new LinkedHashMap<>();
        if (version >= 6) {
            int userCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < userCount; i++) {
                String user = MetadataCodec.readString(in);
                int mechanismCount = MetadataCodec.checkLength(in.readInt());
                Map<ScramMechanism, ScramCredentialImage> credentials = new HashMap<>();
                for (int m = 0; m < mechanismCount; m++) {
                    credentials.put(MetadataCodec.readScramMechanism(in), MetadataCodec.readScramCredential(in));
                }
                users.put(user, credentials);
            }
            int aclCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < aclCount; i++) {
                acls.put(MetadataCodec.readUuid(in), MetadataCodec.readAcl(in));
            }
            int quotaCount = MetadataCodec.checkLength(in.readInt());
            for (int i = 0; i < quotaCount; i++) {
                quotas.put(MetadataCodec.readQuotaEntity(in), MetadataCodec.readQuotas(in));
            }
        }
        return MetadataImage.of(clusterId == null || clusterId.isEmpty() ? null : clusterId, topics, brokers, directories,
                manifests, brokerConfigs, new SecurityImage(users, acls, quotas), nextProducerId, imageVersion);
    }

    private static List<PartitionImage> readReassignments(DataInput in, TopicImage topic) throws IOException {
        List<PartitionImage> states = new ArrayList<>(topic.partitions());
        for (PartitionImage p : topic.partitionStates()) {
            List<Integer> adding = MetadataCodec.readIntList(in);
            List<Integer> removing = MetadataCodec.readIntList(in);
            states.add(new PartitionImage(p.replicas(), p.isr(), p.leader(), p.leaderEpoch(), adding, removing));
        }
        return states;
    }
}
