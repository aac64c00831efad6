package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.broker.cluster.MetadataCommand.AllocateProducerIds;
import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.AlterTopicConfigs;
import io.strata.broker.cluster.MetadataCommand.CreatePartitions;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.SetBrokerFenced;
import io.strata.broker.cluster.MetadataCommand.SetClusterId;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataCommandTest {

    private static final Uuid ID = new Uuid(0x0102030405060708L, 0x090a0b0c0d0e0f10L);

    static List<MetadataCommand> everyCommand() {
        return List.of(
                new CreateTopic("orders", Uuid.randomUuid(), 3, (short) 1, Map.of("retention.ms", "1000", "cleanup.policy", "compact"), List.of()),
                new CreateTopic("empty-configs", Uuid.randomUuid(), 1, (short) 3, Map.of(), List.of()),
                new CreateTopic("ünïcødé", Uuid.randomUuid(), 1, (short) 1, Map.of("k", "välue"), List.of()),
                new DeleteTopic(Uuid.randomUuid()),
                new AlterTopicConfigs("orders", Map.of("retention.ms", "5"), Set.of("cleanup.policy", "segment.ms")),
                new AlterTopicConfigs("orders", Map.of(), Set.of()),
                AlterTopicConfigs.replaceAll("orders", Map.of("segment.bytes", "2048")),
                new CreatePartitions("orders", 12, List.of()),
                new AllocateProducerIds(1000),
                new RegisterBroker(1, List.of(new Endpoint("PLAINTEXT", "broker-1.example", 9092)), "rack-a"),
                new RegisterBroker(2, List.of(new Endpoint("INTERNAL", "127.0.0.1", 19092),
                        new Endpoint("EXTERNAL", "broker-2.example", 9092)), null),
                new AddRemoteSegment(Uuid.randomUuid(), 3, new byte[] {1, 2, 3}),
                new UpdateRemoteLog(Uuid.randomUuid(), 1, 500, List.of(UUID.randomUUID(), UUID.randomUUID()),
                        List.of(new byte[] {4, 5}, new byte[] {6})),
                new UpdateRemoteLog(Uuid.randomUuid(), 0, 0, List.of(), List.of()),
                new SetBrokerFenced(3, true),
                new MetadataCommand.UnregisterBroker(3),
                new SetClusterId("cluster-1"),
                new AlterPartition(Uuid.randomUuid(), 2, 1, 7, List.of(1, 3)),
                new ElectLeader(Uuid.randomUuid(), 4, Election.PREFERRED),
                new ElectLeader(Uuid.randomUuid(), 0, Election.IN_SYNC),
                new ElectLeader(Uuid.randomUuid(), 1, Election.UNCLEAN),
                new MetadataCommand.RegisterDirectory(2, Uuid.randomUuid()),
                new MetadataCommand.ReassignPartition(Uuid.randomUuid(), 3, List.of(3, 2)),
                new MetadataCommand.ReassignPartition(Uuid.randomUuid(), 0, List.of()),
                new MetadataCommand.AlterBrokerConfigs("2", Map.of("leader.replication.throttled.rate", "10"),
                        Set.of("follower.replication.throttled.rate")),
                new MetadataCommand.AlterBrokerConfigs("", Map.of(), Set.of()),
                new MetadataCommand.UpsertScramCredential("alice", ScramMechanism.SCRAM_SHA_512,
                        new ScramCredentialImage(new byte[] {1, 2}, new byte[] {3}, new byte[] {4, 5, 6}, 4096), false),
                new MetadataCommand.DeleteScramCredential("bob", ScramMechanism.SCRAM_SHA_256),
                new MetadataCommand.CreateAcl(Uuid.randomUuid(), new AclBinding(
                        new ResourcePattern(ResourceType.TOPIC, "orders-", PatternType.PREFIXED),
                        new AccessControlEntry("User:alice", "*", AclOperation.WRITE, AclPermissionType.ALLOW))),
                new MetadataCommand.DeleteAcls(List.of(Uuid.randomUuid(), Uuid.randomUuid())),
                new MetadataCommand.DeleteAcls(List.of()),
                new MetadataCommand.AlterClientQuota(new ClientQuotaEntity(entity("alice", "app")),
                        Map.of("producer_byte_rate", 1024.0), Set.of("consumer_byte_rate")),
                new MetadataCommand.AlterClientQuota(new ClientQuotaEntity(entity(null, "app")), Map.of(), Set.of()));
    }

    @Test
    void everyCommandSurvivesARoundTrip() throws IOException {
        for (MetadataCommand command : everyCommand()) {
            byte[] bytes = MetadataCommandFormat.serialize(command);
            assertThat(bytes[0]).as("opcode of %s", command).isEqualTo(command.opcode());
            assertThat(bytes[1]).as("version of %s", command).isEqualTo(command.version());
            assertThat(MetadataCommandFormat.deserialize(bytes, 0, bytes.length)).isEqualTo(command);
        }
    }

    @Test
    void readsFromAnOffsetInALargerBuffer() throws IOException {
        byte[] bytes = MetadataCommandFormat.serialize(new CreatePartitions("t", 4, List.of()));
        byte[] padded = new byte[bytes.length + 10];
        System.arraycopy(bytes, 0, padded, 7, bytes.length);
        assertThat(MetadataCommandFormat.deserialize(padded, 7, bytes.length)).isEqualTo(new CreatePartitions("t", 4, List.of()));
    }

    @Test
    void opcodesAreDistinct() {
        assertThat(everyCommand().stream().map(MetadataCommand::type).distinct()).hasSize(MetadataCommand.Type.values().length);
        assertThat(everyCommand().stream().map(MetadataCommand::opcode).distinct()).hasSize(MetadataCommand.Type.values().length);
    }

    @Test
    void equalCommandsGiveEqualBytes() {
        Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put("b", "2");
        a.put("a", "1");
        Map<String, String> b = new java.util.TreeMap<>(a);
        assertThat(MetadataCommandFormat.serialize(new CreateTopic("t", ID, 1, (short) 1, a, List.of())))
                .isEqualTo(MetadataCommandFormat.serialize(new CreateTopic("t", ID, 1, (short) 1, b, List.of())));
    }

    /**
     * Version 0 as written in existing logs. If one of these fails, the format changed and old
     * logs would no longer replay: add a new version instead.
     */
    @Test
    void version0EntriesStayReadable() throws IOException {
        assertReads("01" + "00"                                  // CreateTopic v0
                        + "00000006" + "6f7264657273"            // "orders"
                        + "0102030405060708090a0b0c0d0e0f10"     // topic id
                        + "00000003" + "0001"                    // 3 partitions, replication factor 1
                        + "00000001" + "0000000c" + "726574656e74696f6e2e6d73" + "00000004" + "31303030", // retention.ms=1000
                new CreateTopic("orders", ID, 3, (short) 1, Map.of("retention.ms", "1000"), List.of()), false);
        assertReads("02" + "00" + "0102030405060708090a0b0c0d0e0f10", new DeleteTopic(ID));
        assertReads("03" + "00" + "00000006" + "6f7264657273"
                        + "00000001" + "00000001" + "61" + "00000001" + "62"  // set a=b
                        + "00000001" + "00000001" + "63"                      // delete c
                        + "00",                                               // not a replace
                new AlterTopicConfigs("orders", Map.of("a", "b"), Set.of("c")));
        assertReads("04" + "00" + "00000006" + "6f7264657273" + "0000000c", new CreatePartitions("orders", 12, List.of()),
                false);
        assertReads("05" + "00" + "000003e8", new AllocateProducerIds(1000));
        // Before brokers had several listeners: the one endpoint is read as on every listener.
        assertReads("06" + "00" + "00000001" + "00000001" + "68" + "00002384" + "ffffffff",
                new RegisterBroker(1, List.of(new Endpoint(Endpoint.UNNAMED_LISTENER, "h", 9092)), null), false);
        assertReads("07" + "00" + "0102030405060708090a0b0c0d0e0f10" // AddRemoteSegment v0: topic id
                        + "00000002" + "00000003" + "0a0b0c",         // partition 2, the segment's 3 bytes
                new AddRemoteSegment(ID, 2, new byte[] {10, 11, 12}));
    }

    /** Version 1 of RegisterBroker: the endpoint of each of the broker's listeners, by name. */
    @Test
    void registrationsWithAnEndpointPerListenerStayReadable() throws IOException {
        assertReads("06" + "01" + "00000001"                                             // broker 1
                        + "00000002"                                                     // 2 endpoints:
                        + "00000008" + "494e5445524e414c" + "00000001" + "68" + "000023e8" // INTERNAL://h:9192
                        + "00000008" + "45585445524e414c" + "00000001" + "78" + "00002384" // EXTERNAL://x:9092
                        + "00000001" + "61",                                             // rack "a"
                new RegisterBroker(1, List.of(new Endpoint("INTERNAL", "h", 9192), new Endpoint("EXTERNAL", "x", 9092)),
                        "a"));
    }

    /** Version 1 of the topic commands added each partition's replicas; version 0 of SetClusterId. */
    @Test
    void replicaAssignmentsAndTheClusterIdStayReadable() throws IOException {
        assertReads("01" + "01"                                  // CreateTopic v1
                        + "00000001" + "74"                      // "t"
                        + "0102030405060708090a0b0c0d0e0f10"     // topic id
                        + "00000002" + "0002"                    // 2 partitions, replication factor 2
                        + "00000000"                             // no configs
                        + "00000002"                             // assignment of 2 partitions:
                        + "00000002" + "00000001" + "00000002"   // [1, 2]
                        + "00000002" + "00000002" + "00000001",  // [2, 1]
                new CreateTopic("t", ID, 2, (short) 2, Map.of(), List.of(List.of(1, 2), List.of(2, 1))));
        assertReads("04" + "01" + "00000001" + "74" + "00000002"  // CreatePartitions v1: "t" to 2
                        + "00000001" + "00000001" + "00000003",   // the new partition on [3]
                new CreatePartitions("t", 2, List.of(List.of(3))));
        assertReads("09" + "00" + "00000002" + "6964", new SetClusterId("id"));
    }

    /** Version 0 of the commands that fence and unregister brokers and change in-sync replicas. */
    @Test
    void fencingUnregisteringAndInSyncReplicaChangesStayReadable() throws IOException {
        assertReads("0a" + "00" + "00000003" + "01", new SetBrokerFenced(3, true));
        assertReads("15" + "00" + "00000003", new MetadataCommand.UnregisterBroker(3));
        assertReads("0b" + "00" + "0102030405060708090a0b0c0d0e0f10"  // AlterPartition v0: topic id
                        + "00000002" + "00000001" + "00000007"        // partition 2, leader 1, epoch 7
                        + "00000002" + "00000001" + "00000003",       // in-sync replicas [1, 3]
                new AlterPartition(ID, 2, 1, 7, List.of(1, 3)));
    }

    /** Version 0 of reassignments and dynamic broker configs. */
    @Test
    void reassignmentsAndBrokerConfigsStayReadable() throws IOException {
        assertReads("0e" + "00" + "0102030405060708090a0b0c0d0e0f10"  // ReassignPartition v0: topic id
                        + "00000002" + "00000002" + "00000003" + "00000002", // partition 2, target [3, 2]
                new MetadataCommand.ReassignPartition(ID, 2, List.of(3, 2)));
        assertReads("0f" + "00" + "00000001" + "31"                    // AlterBrokerConfigs v0: broker "1"
                        + "00000001" + "00000001" + "61" + "00000001" + "35" // set a=5
                        + "00000001" + "00000001" + "62",                     // delete b
                new MetadataCommand.AlterBrokerConfigs("1", Map.of("a", "5"), Set.of("b")));
    }

    /** Version 0 of SCRAM credentials: the mechanism by its type byte (1 for SHA-256, 2 for SHA-512). */
    @Test
    void scramCredentialsStayReadable() throws IOException {
        assertReads("10" + "00" + "00000001" + "61"                    // UpsertScramCredential v0: user "a"
                        + "02" + "00000002" + "0102" + "00000001" + "03" // SHA-512, salt, stored key
                        + "00000001" + "04" + "00001000" + "01",         // server key, 4096 iterations, overwrite
                new MetadataCommand.UpsertScramCredential("a", ScramMechanism.SCRAM_SHA_512,
                        new ScramCredentialImage(new byte[] {1, 2}, new byte[] {3}, new byte[] {4}, 4096), true));
        assertReads("11" + "00" + "00000001" + "62" + "01",          // DeleteScramCredential v0: "b", SHA-256
                new MetadataCommand.DeleteScramCredential("b", ScramMechanism.SCRAM_SHA_256));
    }

    /** Version 0 of ACLs: Kafka's protocol codes for resource type, pattern type, operation and permission. */
    @Test
    void aclsStayReadable() throws IOException {
        assertReads("12" + "00" + "0102030405060708090a0b0c0d0e0f10"  // CreateAcl v0: id
                        + "02" + "03" + "04" + "02"                    // TOPIC, LITERAL, WRITE, DENY
                        + "00000001" + "74"                            // name "t"
                        + "0000000a" + "557365723a616c696365"          // principal "User:alice"
                        + "00000001" + "2a",                           // host "*"
                new MetadataCommand.CreateAcl(ID, new AclBinding(new ResourcePattern(ResourceType.TOPIC, "t",
                        PatternType.LITERAL), new AccessControlEntry("User:alice", "*", AclOperation.WRITE,
                        AclPermissionType.DENY))));
        assertReads("13" + "00" + "00000001" + "0102030405060708090a0b0c0d0e0f10", // DeleteAcls v0: one id
                new MetadataCommand.DeleteAcls(List.of(ID)));
    }

    /** A quota entity of the default user (null) and a client id. */
    private static Map<String, String> entity(String user, String clientId) {
        Map<String, String> entries = new HashMap<>();
        entries.put(ClientQuotaEntity.USER, user);
        entries.put(ClientQuotaEntity.CLIENT_ID, clientId);
        return entries;
    }

    /** Version 0 of client quotas: the entity's parts by type name, a name only where the part is not a default. */
    @Test
    void clientQuotasStayReadable() throws IOException {
        assertReads("14" + "00" + "00000002"                           // AlterClientQuota v0: two parts
                        + "00000009" + "636c69656e742d6964" + "01" + "00000001" + "61" // client-id "a"
                        + "00000004" + "75736572" + "00"                           // default user
                        + "00000001" + "00000001" + "70" + "4090000000000000"      // set p = 1024.0
                        + "00000000",                                              // remove nothing
                new MetadataCommand.AlterClientQuota(new ClientQuotaEntity(entity(null, "a")), Map.of("p", 1024.0),
                        Set.of()));
    }

    /** Version 0 of leader elections, with each election's code. */
    @Test
    void leaderElectionsStayReadable() throws IOException {
        assertReads("0c" + "00" + "0102030405060708090a0b0c0d0e0f10"  // ElectLeader v0: topic id
                        + "00000002" + "00",                          // partition 2, preferred
                new ElectLeader(ID, 2, Election.PREFERRED));
        assertReads("0c" + "00" + "0102030405060708090a0b0c0d0e0f10" + "00000000" + "01",
                new ElectLeader(ID, 0, Election.IN_SYNC));
        assertReads("0c" + "00" + "0102030405060708090a0b0c0d0e0f10" + "00000000" + "02",
                new ElectLeader(ID, 0, Election.UNCLEAN));
        byte[] unknownElection = HexFormat.of().parseHex("0c00" + "0102030405060708090a0b0c0d0e0f10" + "00000000" + "07");
        assertThatThrownBy(() -> MetadataCommandFormat.deserialize(unknownElection, 0, unknownElection.length))
                .isInstanceOf(IOException.class).hasMessageContaining("election code 7");
    }

    @Test
    void directoryRegistrationsStayReadable() throws IOException {
        assertReads("0d" + "00" + "00000002" + "0102030405060708090a0b0c0d0e0f10",
                new MetadataCommand.RegisterDirectory(2, ID));
    }

    private static void assertReads(String hex, MetadataCommand expected) throws IOException {
        assertReads(hex, expected, true);
    }

    /** {@code written}: whether this build still writes the format, not only reads it. */
    private static void assertReads(String hex, MetadataCommand expected, boolean written) throws IOException {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(MetadataCommandFormat.deserialize(bytes, 0, bytes.length)).isEqualTo(expected);
        if (written) {
            assertThat(MetadataCommandFormat.serialize(expected)).isEqualTo(bytes);
        }
    }

    @Test
    void unknownOpcodesNewerVersionsAndGarbageAreRejected() {
        assertThatThrownBy(() -> MetadataCommandFormat.deserialize(new byte[] {42, 0}, 0, 2))
                .isInstanceOf(IOException.class).hasMessageContaining("opcode 42");
        byte[] newer = MetadataCommandFormat.serialize(new AllocateProducerIds(5));
        newer[1] = 1;
        assertThatThrownBy(() -> MetadataCommandFormat.deserialize(newer, 0, newer.length))
                .isInstanceOf(IOException.class).hasMessageContaining("version 1");
        byte[] trailing = java.util.Arrays.copyOf(MetadataCommandFormat.serialize(new AllocateProducerIds(5)), 8);
        assertThatThrownBy(() -> MetadataCommandFormat.deserialize(trailing, 0, trailing.length))
                .isInstanceOf(IOException.class).hasMessageContaining("trailing");
        byte[] truncated = java.util.Arrays.copyOf(MetadataCommandFormat.serialize(new CreatePartitions("orders", 3, List.of())), 5);
        assertThatThrownBy(() -> MetadataCommandFormat.deserialize(truncated, 0, truncated.length))
                .isInstanceOf(IOException.class);
    }

    @Test
    void resultsSurviveARoundTrip() {
        for (MetadataResult result : List.of(MetadataResult.ok(), MetadataResult.ok(4000),
                MetadataResult.failure(Errors.TOPIC_ALREADY_EXISTS, "Topic 'x' already exists."),
                MetadataResult.failure(Errors.INVALID_PARTITIONS, null))) {
            assertThat(MetadataResult.deserialize(result.serialize())).isEqualTo(result);
        }
        MetadataResult failure = MetadataResult.failure(Errors.UNKNOWN_TOPIC_ID, "gone");
        assertThat(failure.isError()).isTrue();
        assertThat(failure.exception()).isInstanceOf(org.apache.kafka.common.errors.UnknownTopicIdException.class)
                .hasMessage("gone");
        assertThat(MetadataResult.ok().exception()).isNull();
    }
}
