package io.strata.broker.cluster;

import io.strata.broker.cluster.MetadataCommand.AddRemoteSegment;
import io.strata.broker.cluster.MetadataCommand.UpdateRemoteLog;
import io.strata.broker.cluster.MetadataCommand.UpsertScramCredential;
import io.strata.broker.cluster.MetadataCommand.AllocateProducerIds;
import io.strata.broker.cluster.MetadataCommand.AlterTopicConfigs;
import io.strata.broker.cluster.MetadataCommand.CreatePartitions;
import io.strata.broker.cluster.MetadataCommand.AlterBrokerConfigs;
import io.strata.broker.cluster.MetadataCommand.CreateAcl;
import io.strata.broker.cluster.MetadataCommand.DeleteAcls;
import io.strata.broker.cluster.MetadataCommand.DeleteScramCredential;
import io.strata.broker.cluster.MetadataCommand.AlterPartition;
import io.strata.broker.cluster.MetadataCommand.CreateTopic;
import io.strata.broker.cluster.MetadataCommand.SetBrokerFenced;
import io.strata.broker.cluster.MetadataCommand.DeleteTopic;
import io.strata.broker.cluster.MetadataCommand.ElectLeader;
import io.strata.broker.cluster.MetadataCommand.Election;
import io.strata.broker.cluster.MetadataCommand.ReassignPartition;
import io.strata.broker.cluster.MetadataCommand.RegisterBroker;
import io.strata.broker.cluster.MetadataCommand.SetClusterId;
import io.strata.tiered.ObjectKey;
import io.strata.tiered.RemoteKeys;
import io.strata.tiered.RemoteManifest;
import io.strata.tiered.RemotePartition;
import io.strata.tiered.RemoteSegment;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataStateMachineTest {

    private final MetadataStateMachine machine = new MetadataStateMachine();

    private TopicImage create(String name, int partitions, Map<String, String> configs) {
        Uuid id = Uuid.randomUuid();
        assertThat(machine.apply(new CreateTopic(name, id, partitions, (short) 1, configs, List.of()))).isEqualTo(MetadataResult.ok());
        return machine.image().topic(id).orElseThrow();
    }

    @Test
    void createTopicAddsItByNameAndById() {
        Uuid id = Uuid.randomUuid();
        MetadataResult result = machine.apply(new CreateTopic("orders", id, 3, (short) 1, Map.of("retention.ms", "1000"), List.of()));

        assertThat(result.isError()).isFalse();
        TopicImage expected = new TopicImage("orders", id, Collections.nCopies(3, PartitionImage.assigned(List.of())), (short) 1,
                Map.of("retention.ms", "1000"));
        assertThat(machine.image().topic("orders")).contains(expected);
        assertThat(machine.image().topic(id)).contains(expected);
        assertThat(machine.image().topics()).containsExactly(expected);
        assertThat(machine.image().version()).isEqualTo(1);
    }

    @Test
    void createTopicErrors() {
        TopicImage orders = create("orders", 1, Map.of());
        MetadataImage before = machine.image();

        assertError(new CreateTopic("orders", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of()), Errors.TOPIC_ALREADY_EXISTS);
        assertError(new CreateTopic("other", orders.topicId(), 1, (short) 1, Map.of(), List.of()), Errors.INVALID_REQUEST);
        assertError(new CreateTopic("bad name!", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of()), Errors.INVALID_TOPIC_EXCEPTION);
        assertError(new CreateTopic("", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of()), Errors.INVALID_TOPIC_EXCEPTION);
        assertError(new CreateTopic("zero", Uuid.randomUuid(), 0, (short) 1, Map.of(), List.of()), Errors.INVALID_PARTITIONS);
        assertError(new CreateTopic("zero", Uuid.randomUuid(), 1, (short) 0, Map.of(), List.of()), Errors.INVALID_REPLICATION_FACTOR);
        create("a.b", 1, Map.of());
        MetadataImage withDots = machine.image();
        assertThat(machine.apply(new CreateTopic("a_b", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of())))
                .satisfies(r -> assertThat(r.error()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION))
                .satisfies(r -> assertThat(r.message()).contains("collides"));
        assertThat(machine.image()).isSameAs(withDots);
        assertThat(before.topics()).hasSize(1);
    }

    @Test
    void replicationFactorIsCheckedAgainstRegisteredBrokers() {
        // Nobody registered yet (a broker registers itself after start): any factor is taken.
        assertThat(machine.apply(new CreateTopic("early", Uuid.randomUuid(), 1, (short) 3, Map.of(), List.of())).isError()).isFalse();
        machine.apply(new RegisterBroker(1, plaintext("localhost", 9092), null));
        MetadataResult tooMany = machine.apply(new CreateTopic("late", Uuid.randomUuid(), 1, (short) 2, Map.of(), List.of()));
        assertThat(tooMany.error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(tooMany.message()).contains("only 1 broker(s)");
    }

    @Test
    void deleteTopicRemovesItAndUnknownIdsFail() {
        TopicImage orders = create("orders", 2, Map.of());
        assertThat(machine.apply(new DeleteTopic(orders.topicId()))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().topic("orders")).isEmpty();
        assertThat(machine.image().topic(orders.topicId())).isEmpty();

        MetadataResult again = machine.apply(new DeleteTopic(orders.topicId()));
        assertThat(again.error()).isEqualTo(Errors.UNKNOWN_TOPIC_ID);
        // The name is free again, under a new id.
        TopicImage reborn = create("orders", 1, Map.of());
        assertThat(reborn.topicId()).isNotEqualTo(orders.topicId());
    }

    @Test
    void alterConfigsIncrementallyAndInFull() {
        create("orders", 1, Map.of("retention.ms", "1000", "cleanup.policy", "compact"));

        machine.apply(new AlterTopicConfigs("orders", Map.of("segment.bytes", "2048", "retention.ms", "5"), Set.of("cleanup.policy")));
        assertThat(machine.image().topic("orders").orElseThrow().configs())
                .containsExactlyInAnyOrderEntriesOf(Map.of("segment.bytes", "2048", "retention.ms", "5"));

        // Deleting what is not set is fine, as in Kafka.
        assertThat(machine.apply(new AlterTopicConfigs("orders", Map.of(), Set.of("flush.ms"))).isError()).isFalse();

        machine.apply(AlterTopicConfigs.replaceAll("orders", Map.of("max.message.bytes", "100")));
        assertThat(machine.image().topic("orders").orElseThrow().configs()).isEqualTo(Map.of("max.message.bytes", "100"));

        machine.apply(AlterTopicConfigs.replaceAll("orders", Map.of()));
        assertThat(machine.image().topic("orders").orElseThrow().configs()).isEmpty();
    }

    @Test
    void alterConfigsErrors() {
        create("orders", 1, Map.of());
        assertError(new AlterTopicConfigs("nope", Map.of("retention.ms", "1"), Set.of()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(new AlterTopicConfigs("orders", Map.of("retention.ms", "1"), Set.of("retention.ms")), Errors.INVALID_REQUEST);
    }

    @Test
    void unchangedConfigsDoNotMakeANewImage() {
        create("orders", 1, Map.of("retention.ms", "1"));
        MetadataImage before = machine.image();
        assertThat(machine.apply(new AlterTopicConfigs("orders", Map.of("retention.ms", "1"), Set.of())).isError()).isFalse();
        assertThat(machine.image()).isSameAs(before);
    }

    @Test
    void createPartitionsOnlyGrows() {
        create("orders", 3, Map.of());
        assertThat(machine.apply(new CreatePartitions("orders", 5, List.of()))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().topic("orders").orElseThrow().partitions()).isEqualTo(5);

        MetadataResult same = machine.apply(new CreatePartitions("orders", 5, List.of()));
        assertThat(same.error()).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(same.message()).isEqualTo("Topic already has 5 partitions.");
        MetadataResult fewer = machine.apply(new CreatePartitions("orders", 2, List.of()));
        assertThat(fewer.error()).isEqualTo(Errors.INVALID_PARTITIONS);
        assertThat(fewer.message()).contains("higher than the requested 2");
        assertError(new CreatePartitions("nope", 9, List.of()), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void producerIdBlocksAreContiguousAndNeverOverlap() {
        assertThat(machine.apply(new AllocateProducerIds(1000)).value()).isEqualTo(0);
        assertThat(machine.apply(new AllocateProducerIds(10)).value()).isEqualTo(1000);
        assertThat(machine.apply(new AllocateProducerIds(1)).value()).isEqualTo(1010);
        assertThat(machine.image().nextProducerId()).isEqualTo(1011);
        assertError(new AllocateProducerIds(0), Errors.INVALID_REQUEST);
        assertThat(machine.image().nextProducerId()).isEqualTo(1011);
    }

    @Test
    void registerBrokerAddsAndUpdates() {
        machine.apply(new RegisterBroker(2, plaintext("b2", 9093), "r1"));
        machine.apply(new RegisterBroker(1, plaintext("b1", 9092), null));
        assertThat(machine.image().brokers()).containsExactly(new BrokerImage(1, plaintext("b1", 9092), null, false),
                new BrokerImage(2, plaintext("b2", 9093), "r1", false));
        long version = machine.image().version();
        machine.apply(new RegisterBroker(1, plaintext("b1", 9092), null));
        assertThat(machine.image().version()).as("re-registering unchanged is a no-op").isEqualTo(version);
        machine.apply(new RegisterBroker(1, plaintext("b1-new", 9092), null));
        assertThat(machine.image().broker(1)).contains(new BrokerImage(1, plaintext("b1-new", 9092), null, false));
        assertError(new RegisterBroker(-1, plaintext("x", 1), null), Errors.INVALID_REQUEST);
        assertError(new RegisterBroker(3, plaintext("x", 0), null), Errors.INVALID_REQUEST);
    }

    @Test
    void aBrokerRegistersAnEndpointPerListenerFoundByName() {
        List<Endpoint> endpoints = List.of(new Endpoint("INTERNAL", "10.0.0.1", 9192),
                new Endpoint("EXTERNAL", "broker-1.example", 9092));
        assertThat(machine.apply(new RegisterBroker(1, endpoints, null)).isError()).isFalse();

        BrokerImage broker = machine.image().broker(1).orElseThrow();
        assertThat(broker.endpoints()).isEqualTo(endpoints);
        assertThat(broker.endpoint("EXTERNAL")).contains(new Endpoint("EXTERNAL", "broker-1.example", 9092));
        assertThat(broker.endpoint("INTERNAL")).contains(new Endpoint("INTERNAL", "10.0.0.1", 9192));
        assertThat(broker.endpoint("PLAINTEXT")).isEmpty();
        assertThat(broker.clientEndpoint("INTERNAL")).as("the endpoint the REST API reports")
                .isEqualTo(new Endpoint("EXTERNAL", "broker-1.example", 9092));
        assertThat(broker.clientEndpoint("EXTERNAL")).isEqualTo(new Endpoint("INTERNAL", "10.0.0.1", 9192));
        assertThat(new BrokerImage(2, plaintext("h", 9092), null, false).clientEndpoint("PLAINTEXT"))
                .as("a broker's only endpoint, inter-broker or not").isEqualTo(new Endpoint("PLAINTEXT", "h", 9092));
    }

    @Test
    void aRegistrationWithoutEndpointsOrWithABadOneIsRefusedNamingIt() {
        assertThat(machine.apply(new RegisterBroker(1, List.of(), null)).message()).isEqualTo(
                "Broker 1 has no endpoint.");
        assertThat(machine.apply(new RegisterBroker(1, List.of(new Endpoint("INTERNAL", "h", 9192),
                new Endpoint("INTERNAL", "h", 9193)), null)).message()).isEqualTo(
                "Broker 1 has two endpoints on listener INTERNAL.");
        assertThat(machine.apply(new RegisterBroker(1, List.of(new Endpoint("INTERNAL", "h", 9192),
                new Endpoint("EXTERNAL", "", 9092)), null)).message()).isEqualTo(
                "Broker 1 has an invalid endpoint EXTERNAL://:9092.");
        assertError(new RegisterBroker(1, List.of(new Endpoint("", "h", 9092)), null), Errors.INVALID_REQUEST);
        assertError(new RegisterBroker(1, List.of(new Endpoint("EXTERNAL", "h", 65536)), null), Errors.INVALID_REQUEST);
        assertThat(machine.image().brokers()).isEmpty();
    }

    @Test
    void listenersSeeEachChangeButNotFailures() {
        List<MetadataImage> seen = new ArrayList<>();
        machine.addListener(seen::add);
        machine.addListener(image -> {
            throw new IllegalStateException("a broken listener must not stop the others");
        });
        create("orders", 1, Map.of());
        machine.apply(new CreatePartitions("orders", 1, List.of()));
        machine.apply(new AllocateProducerIds(5));
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0).topic("orders")).isPresent();
        assertThat(seen.get(1).nextProducerId()).isEqualTo(5);
    }

    @Test
    void applyingRaftBytesNeverThrows() {
        byte[] command = MetadataCommandFormat.serialize(new AllocateProducerIds(7));
        byte[] response = machine.apply(command, 0, command.length, true);
        assertThat(MetadataResult.deserialize(response)).isEqualTo(MetadataResult.ok(0));
        assertThat(machine.apply(command, 0, command.length, false)).isNull();
        assertThat(machine.image().nextProducerId()).isEqualTo(14);

        byte[] garbage = {99, 1, 2, 3};
        MetadataResult failure = MetadataResult.deserialize(machine.apply(garbage, 0, garbage.length, true));
        assertThat(failure.error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(machine.image().nextProducerId()).isEqualTo(14);
    }

    @Test
    void applyIsDeterministic() {
        List<MetadataCommand> commands = List.of(
                new CreateTopic("a", Uuid.randomUuid(), 1, (short) 1, Map.of("retention.ms", "1"), List.of()),
                new CreateTopic("b", Uuid.randomUuid(), 2, (short) 1, Map.of(), List.of()),
                new CreateTopic("a", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of()),
                new CreatePartitions("b", 4, List.of()),
                new AllocateProducerIds(100),
                new AlterTopicConfigs("a", Map.of("segment.ms", "10"), Set.of("retention.ms")),
                new RegisterBroker(1, plaintext("h", 1), null));
        MetadataStateMachine other = new MetadataStateMachine();
        List<MetadataResult> first = commands.stream().map(machine::apply).toList();
        List<MetadataResult> second = commands.stream().map(other::apply).toList();
        assertThat(second).isEqualTo(first);
        assertThat(other.image()).isEqualTo(machine.image());
    }

    private static RemoteSegment remoteSegment(TopicImage topic, int partition, long baseOffset, long lastOffset) {
        return new RemoteSegment(new RemoteKeys(new ObjectKey("tiered")),
                new RemotePartition(topic.name(), topic.topicId().toString(), partition), UUID.randomUUID(),
                baseOffset, lastOffset, 1_000L, 4096, false, false);
    }

    private static AddRemoteSegment add(TopicImage topic, RemoteSegment segment) {
        return new AddRemoteSegment(topic.topicId(), segment.partition().partition(), segment.toBytes());
    }

    @Test
    void remoteSegmentsFormASortedManifestPerPartitionAndGoWithTheirTopic() throws IOException {
        TopicImage orders = create("orders", 2, Map.of());
        RemoteSegment later = remoteSegment(orders, 1, 100, 199);
        RemoteSegment earlier = remoteSegment(orders, 1, 0, 99);
        assertThat(machine.apply(add(orders, later))).isEqualTo(MetadataResult.ok());
        assertThat(machine.apply(add(orders, earlier))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().remoteManifest(orders.topicId(), 1).segments()).containsExactly(earlier, later);
        assertThat(machine.image().remoteManifest(orders.topicId(), 0).segments()).isEmpty();

        MetadataImage before = machine.image();
        assertThat(machine.apply(add(orders, later))).as("a repeated commit").isEqualTo(MetadataResult.ok());
        assertThat(machine.image()).isSameAs(before);

        assertError(add(orders, remoteSegment(orders, 2, 0, 9)), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(new AddRemoteSegment(orders.topicId(), 0, add(orders, later).remoteSegment()), Errors.INVALID_REQUEST);
        assertError(new AddRemoteSegment(orders.topicId(), 0, new byte[] {9}), Errors.INVALID_REQUEST);

        machine.apply(new DeleteTopic(orders.topicId()));
        TopicImage again = create("orders", 2, Map.of());
        assertThat(machine.image().remoteManifest(orders.topicId(), 1).segments()).isEmpty();
        assertThat(machine.image().remoteManifest(again.topicId(), 1).segments()).isEmpty();
    }

    private static UpdateRemoteLog update(TopicImage topic, int partition, long start, List<RemoteSegment> removed,
                                          List<RemoteSegment> added) throws IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (RemoteSegment segment : added) {
            bytes.add(segment.toBytes());
        }
        return new UpdateRemoteLog(topic.topicId(), partition, start,
                removed.stream().map(RemoteSegment::segmentId).toList(), bytes);
    }

    @Test
    void updateRemoteLogMovesTheStartAndSwapsSegmentsAtomically() throws IOException {
        TopicImage orders = create("orders", 1, Map.of());
        RemoteSegment first = remoteSegment(orders, 0, 0, 99);
        RemoteSegment second = remoteSegment(orders, 0, 100, 199);
        RemoteSegment third = remoteSegment(orders, 0, 200, 299);
        for (RemoteSegment segment : List.of(first, second, third)) {
            machine.apply(add(orders, segment));
        }

        assertThat(machine.apply(update(orders, 0, 150, List.of(), List.of()))).isEqualTo(MetadataResult.ok());
        RemoteManifest trimmed = machine.image().remoteManifest(orders.topicId(), 0);
        assertThat(trimmed.segments()).containsExactly(second, third);
        assertThat(trimmed.startOffset()).isEqualTo(150);
        assertThat(trimmed.segmentFor(149)).isEmpty();
        assertThat(trimmed.segmentFor(150)).contains(second);

        RemoteSegment compacted = remoteSegment(orders, 0, 100, 199);
        assertThat(machine.apply(update(orders, 0, 0, List.of(second), List.of(compacted))))
                .isEqualTo(MetadataResult.ok());
        assertThat(machine.image().remoteManifest(orders.topicId(), 0))
                .isEqualTo(new RemoteManifest(150, List.of(compacted, third)));

        MetadataImage before = machine.image();
        assertError(update(orders, 0, 0, List.of(second), List.of(compacted)), Errors.INVALID_REQUEST);
        assertThat(machine.image()).as("a lost race changes nothing").isSameAs(before);
        assertError(update(orders, 1, 0, List.of(), List.of()), Errors.UNKNOWN_TOPIC_OR_PARTITION);

        assertThat(machine.apply(add(orders, remoteSegment(orders, 0, 0, 99)))).as("below the start")
                .isEqualTo(MetadataResult.ok());
        assertThat(machine.image()).isSameAs(before);

        assertThat(machine.apply(update(orders, 0, 300, List.of(), List.of()))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().remoteManifest(orders.topicId(), 0).segments()).isEmpty();
    }

    @Test
    void version0SnapshotsStayReadable() throws IOException {
        assertReadsSnapshot("53544d44" + "00"                   // magic, version 0
                + "0000000000000007" + "00000000000003e8"      // image version 7, next producer id 1000
                + "00000000" + "00000000",                     // no topics, no brokers
                MetadataImage.of(List.of(), List.of(), 1000, 7));
    }

    /** Snapshots from before replica assignments put every partition on the lowest registered broker. */
    @Test
    void snapshotsWithoutAssignmentsGiveThePartitionsToTheLowestBroker() throws IOException {
        Uuid id = Uuid.fromString("AQIDBAUGBwgJCgsMDQ4PEA");
        assertReadsSnapshot("53544d44" + "00"                   // magic, version 0
                        + "0000000000000007" + "0000000000000000"  // image version 7, next producer id 0
                        + "00000001" + "00000001" + "74" + "0102030405060708090a0b0c0d0e0f10" // topic "t", its id
                        + "00000002" + "0001" + "00000000"         // 2 partitions, replication factor 1, no configs
                        + "00000001" + "00000003" + "00000001" + "68" + "00002384" + "ffffffff", // broker 3 at h:9092
                MetadataImage.of(null, List.of(new TopicImage("t", id, Collections.nCopies(2, PartitionImage.assigned(List.of(3))),
                        (short) 1, Map.of())), List.of(new BrokerImage(3, unnamed("h", 9092), null, false)), Map.of(),
                        Map.of(), Map.of(),
                        SecurityImage.EMPTY, 0, 7));
    }

    @Test
    void theFirstClusterIdCommittedStays() {
        assertThat(machine.image().clusterId()).isEmpty();
        assertThat(machine.apply(new SetClusterId("first")).isError()).isFalse();
        assertThat(machine.apply(new SetClusterId("second")).isError()).isFalse();
        assertThat(machine.image().clusterId()).contains("first");
        assertThat(machine.image().version()).isEqualTo(1);
        assertThat(machine.apply(new SetClusterId(" ")).isError()).isFalse(); // named already: ignored
    }

    @Test
    void partitionsGoToTheirAssignedReplicasWhichMustBeRegistered() {
        machine.apply(new RegisterBroker(1, plaintext("h", 9092), "a"));
        machine.apply(new RegisterBroker(2, plaintext("h", 9093), "b"));
        Uuid id = Uuid.randomUuid();

        assertThat(machine.apply(new CreateTopic("t", id, 2, (short) 2, Map.of(), List.of(List.of(1, 2), List.of(2, 3))))
                .error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(machine.apply(new CreateTopic("t", id, 1, (short) 2, Map.of(), List.of(List.of(1, 1))))
                .error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(machine.apply(new CreateTopic("t", id, 1, (short) 2, Map.of(), List.of(List.of(1))))
                .error()).isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
        assertThat(machine.image().topics()).isEmpty();

        assertThat(machine.apply(new CreateTopic("t", id, 2, (short) 2, Map.of(), List.of(List.of(1, 2), List.of(2, 1))))
                .isError()).isFalse();
        assertThat(machine.apply(new CreatePartitions("t", 3, List.of(List.of(2, 1)))).isError()).isFalse();
        TopicImage topic = machine.image().topic("t").orElseThrow();
        assertThat(topic.partitionStates()).containsExactly(
                new PartitionImage(List.of(1, 2), List.of(1, 2), 1, 0),
                new PartitionImage(List.of(2, 1), List.of(2, 1), 2, 0),
                new PartitionImage(List.of(2, 1), List.of(2, 1), 2, 0));
        assertThat(machine.apply(new CreatePartitions("t", 4, List.of(List.of(3, 1)))).error())
                .isEqualTo(Errors.INVALID_REPLICA_ASSIGNMENT);
    }

    @Test
    void partitionsWithoutAnAssignmentGoToTheLowestBrokerOrTheFirstToRegister() {
        machine.apply(new CreateTopic("early", Uuid.randomUuid(), 2, (short) 1, Map.of(), List.of()));
        assertThat(machine.image().topic("early").orElseThrow().partition(0).leader()).isEqualTo(PartitionImage.NO_LEADER);

        machine.apply(new RegisterBroker(5, plaintext("h", 9092), null));
        machine.apply(new RegisterBroker(2, plaintext("h", 9093), null));
        machine.apply(new CreateTopic("late", Uuid.randomUuid(), 1, (short) 1, Map.of(), List.of()));

        assertThat(machine.image().topic("early").orElseThrow().partitionStates())
                .containsOnly(PartitionImage.assigned(List.of(5)));
        assertThat(machine.image().topic("late").orElseThrow().partitionStates())
                .containsOnly(PartitionImage.assigned(List.of(2)));
    }

    /**
     * Version 6, the last with one host and port per broker: read back as that broker's endpoint on any listener (its
     * one listener was named after its security protocol, which the snapshot did not keep), which the broker replaces
     * when it registers again at its next start.
     */
    @Test
    void version6SnapshotsReadEachBrokersOneEndpointAsOnEveryListener() throws IOException {
        assertReadsSnapshot("53544d44" + "06"                   // magic, version 6
                        + "0000000000000007" + "0000000000000000"  // image version 7, next producer id 0
                        + "00000000"                               // no topics
                        + "00000001" + "00000002" + "00000001" + "68" + "00002384" // broker 2 at h:9092
                        + "00000001" + "61"                        // in rack "a"
                        + "00000000" + "00000000"                  // no remote segments, no tiered log starts
                        + "00000001" + "63" + "01"                 // cluster "c", broker 2 fenced
                        + "00000000" + "00000000"                  // no directories, no dynamic broker configs
                        + "00000000" + "00000000" + "00000000",    // no SCRAM users, ACLs, client quotas
                MetadataImage.of("c", List.of(), List.of(new BrokerImage(2, unnamed("h", 9092), "a", true)),
                        Map.of(), Map.of(), Map.of(), SecurityImage.EMPTY, 0, 7));
        BrokerImage unnamed = new BrokerImage(2, unnamed("h", 9092), "a", false);
        assertThat(unnamed.endpoint("SASL_SSL")).map(Endpoint::port).contains(9092);
        assertThat(unnamed.endpoint("PLAINTEXT")).map(Endpoint::host).contains("h");
    }

    /** Version 7 as this build writes it: if this fails, the format changed; add a version instead. */
    @Test
    void version7SnapshotsHoldEachBrokersEndpointsByListener() throws IOException {
        String hex = "53544d44" + "07"                          // magic, version 7
                + "0000000000000007" + "0000000000000000"      // image version 7, next producer id 0
                + "00000000"                                   // no topics
                + "00000001" + "00000002"                      // broker 2
                + "00000002"                                   // with 2 endpoints:
                + "00000008" + "494e5445524e414c" + "00000001" + "68" + "000023e8" // INTERNAL://h:9192
                + "00000008" + "45585445524e414c" + "00000001" + "78" + "00002384" // EXTERNAL://x:9092
                + "ffffffff"                                   // no rack
                + "00000000" + "00000000"                      // no remote segments, no tiered log starts
                + "00000001" + "63" + "00"                     // cluster "c", broker 2 not fenced
                + "00000000" + "00000000"                      // no directories, no dynamic broker configs
                + "00000000" + "00000000" + "00000000";        // no SCRAM users, ACLs, client quotas
        MetadataImage image = MetadataImage.of("c", List.of(), List.of(new BrokerImage(2, List.of(
                        new Endpoint("INTERNAL", "h", 9192), new Endpoint("EXTERNAL", "x", 9092)), null, false)),
                Map.of(), Map.of(), Map.of(), SecurityImage.EMPTY, 0, 7);
        assertReadsSnapshot(hex, image);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        MetadataSnapshot.write(image, new DataOutputStream(written));
        assertThat(HexFormat.of().formatHex(written.toByteArray())).isEqualTo(hex);
    }

    private static void assertReadsSnapshot(String hex, MetadataImage expected) throws IOException {
        byte[] bytes = HexFormat.of().parseHex(hex);
        assertThat(MetadataSnapshot.read(new DataInputStream(new ByteArrayInputStream(bytes))))
                .isEqualTo(expected);
    }

    @Test
    void snapshotRoundTrip() throws IOException {
        TopicImage orders = create("orders", 3, Map.of("retention.ms", "1000", "cleanup.policy", "compact"));
        machine.apply(add(orders, remoteSegment(orders, 2, 50, 60)));
        machine.apply(add(orders, remoteSegment(orders, 2, 0, 49)));
        machine.apply(add(orders, remoteSegment(orders, 0, 0, 9)));
        machine.apply(update(orders, 0, 5, List.of(), List.of()));
        create("payments", 1, Map.of());
        machine.apply(new AllocateProducerIds(2000));
        machine.apply(new RegisterBroker(1, plaintext("localhost", 9092), "rack-1"));
        machine.apply(new RegisterBroker(2, List.of(new Endpoint("INTERNAL", "localhost", 9193),
                new Endpoint("EXTERNAL", "broker-2.example", 9093)), null));
        machine.apply(new CreateTopic("placed", Uuid.randomUuid(), 2, (short) 2, Map.of(),
                List.of(List.of(1, 2), List.of(2, 1))));
        machine.apply(new SetClusterId("cluster-1"));
        machine.apply(new MetadataCommand.RegisterDirectory(2, Uuid.randomUuid()));
        machine.apply(new MetadataCommand.RegisterDirectory(1, Uuid.randomUuid()));
        machine.apply(new MetadataCommand.RegisterBroker(3, plaintext("localhost", 9094), null));
        machine.apply(new MetadataCommand.ReassignPartition(machine.image().topic("placed").orElseThrow().topicId(), 1,
                List.of(3, 1)));
        machine.apply(new MetadataCommand.AlterBrokerConfigs("2", Map.of("leader.replication.throttled.rate", "10"),
                Set.of()));
        machine.apply(new UpsertScramCredential("alice", ScramMechanism.SCRAM_SHA_512, CREDENTIAL, true));
        machine.apply(new UpsertScramCredential("alice", ScramMechanism.SCRAM_SHA_256, OTHER_CREDENTIAL, true));
        machine.apply(new UpsertScramCredential("bob", ScramMechanism.SCRAM_SHA_256, CREDENTIAL, true));
        machine.apply(new CreateAcl(Uuid.randomUuid(), ACL));
        machine.apply(new MetadataCommand.AlterClientQuota(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "bob")),
                Map.of("producer_byte_rate", 2048.0), Set.of()));

        byte[] snapshot = write(machine);
        MetadataStateMachine restored = new MetadataStateMachine();
        List<MetadataImage> seen = new ArrayList<>();
        restored.addListener(seen::add);
        restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot)));

        assertThat(restored.image()).isEqualTo(machine.image());
        assertThat(restored.image().topic(machine.image().topic("orders").orElseThrow().topicId())).isPresent();
        assertThat(seen).containsExactly(restored.image());
        assertThat(restored.image().remoteManifest(orders.topicId(), 2).segments()).extracting(RemoteSegment::baseOffset)
                .containsExactly(0L, 50L);
        assertThat(write(restored)).isEqualTo(snapshot);
        // The restored machine carries on from the same state.
        assertThat(restored.apply(new AllocateProducerIds(1)).value()).isEqualTo(2000);
    }

    @Test
    void emptySnapshotRoundTrip() throws IOException {
        MetadataStateMachine restored = new MetadataStateMachine();
        restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(write(machine))));
        assertThat(restored.image()).isEqualTo(MetadataImage.EMPTY);
    }

    @Test
    void foreignOrNewerSnapshotsAreRejected() throws IOException {
        byte[] snapshot = write(machine);
        byte[] foreign = snapshot.clone();
        foreign[0] = 0;
        assertThatThrownBy(() -> new MetadataStateMachine().readContentFrom(new DataInputStream(new ByteArrayInputStream(foreign))))
                .isInstanceOf(IOException.class).hasMessageContaining("not a Strata metadata snapshot");
        byte[] newer = snapshot.clone();
        newer[4] = 9;
        assertThatThrownBy(() -> new MetadataStateMachine().readContentFrom(new DataInputStream(new ByteArrayInputStream(newer))))
                .isInstanceOf(IOException.class).hasMessageContaining("version 9");
    }

    private static byte[] write(MetadataStateMachine stateMachine) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        stateMachine.writeContentTo(out);
        out.flush();
        return bytes.toByteArray();
    }

    @Test
    void theLeaderShrinksAndExpandsTheInSyncReplicasOfItsOwnEpoch() {
        for (int id = 1; id <= 3; id++) {
            assertThat(machine.apply(new RegisterBroker(id, plaintext("h", 9092), null)))
                    .isEqualTo(MetadataResult.ok());
        }
        Uuid id = Uuid.randomUuid();
        machine.apply(new CreateTopic("t", id, 1, (short) 3, Map.of(), List.of(List.of(1, 2, 3))));

        assertThat(machine.apply(new AlterPartition(id, 0, 1, 0, List.of(1, 2)))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().topic(id).orElseThrow().partition(0))
                .isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1, 2), 1, 0));
        // Kept in replica order whatever order the leader sent.
        machine.apply(new AlterPartition(id, 0, 1, 0, List.of(3, 2, 1)));
        assertThat(machine.image().topic(id).orElseThrow().partition(0).isr()).containsExactly(1, 2, 3);

        assertError(new AlterPartition(id, 0, 2, 0, List.of(2)), Errors.FENCED_LEADER_EPOCH);
        assertError(new AlterPartition(id, 0, 1, 1, List.of(1)), Errors.FENCED_LEADER_EPOCH);
        assertError(new AlterPartition(id, 0, 1, 0, List.of(2, 3)), Errors.INVALID_REQUEST);
        assertError(new AlterPartition(id, 0, 1, 0, List.of(1, 4)), Errors.INVALID_REQUEST);
        assertError(new AlterPartition(id, 1, 1, 0, List.of(1)), Errors.UNKNOWN_TOPIC_OR_PARTITION);

        machine.apply(new SetBrokerFenced(3, true));
        assertThat(machine.image().topic(id).orElseThrow().partition(0).isr()).containsExactly(1, 2);
        assertError(new AlterPartition(id, 0, 1, 0, List.of(1, 2, 3)), Errors.INELIGIBLE_REPLICA);
    }

    /** Brokers 1 to 3 and a topic {@code t} on them, broker 1 its preferred leader. */
    private Uuid replicatedTopic() {
        for (int id = 1; id <= 3; id++) {
            machine.apply(new RegisterBroker(id, plaintext("h", 9092), null));
        }
        Uuid id = Uuid.randomUuid();
        machine.apply(new CreateTopic("t", id, 1, (short) 3, Map.of(), List.of(List.of(1, 2, 3))));
        return id;
    }

    private PartitionImage partition(Uuid topicId) {
        return machine.image().topic(topicId).orElseThrow().partition(0);
    }

    @Test
    void aPreferredElectionGivesTheLeadershipBackToTheFirstReplicaInANewEpoch() {
        Uuid id = replicatedTopic();
        assertError(new ElectLeader(id, 0, Election.PREFERRED), Errors.ELECTION_NOT_NEEDED);

        machine.apply(new SetBrokerFenced(1, true));
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(2, 3), 2, 1));
        assertError(new ElectLeader(id, 0, Election.PREFERRED), Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        machine.apply(new SetBrokerFenced(1, false));
        // Back but not in sync yet: it cannot lead.
        assertError(new ElectLeader(id, 0, Election.PREFERRED), Errors.PREFERRED_LEADER_NOT_AVAILABLE);
        machine.apply(new AlterPartition(id, 0, 2, 1, List.of(1, 2, 3)));

        assertThat(machine.apply(new ElectLeader(id, 0, Election.PREFERRED))).isEqualTo(MetadataResult.ok());
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1, 2, 3), 1, 2));
        assertError(new ElectLeader(id, 1, Election.PREFERRED), Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertError(new ElectLeader(Uuid.randomUuid(), 0, Election.PREFERRED), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void onlyAFencedBrokerIsUnregisteredAndOnceBackItLeadsAgainWhereItWasLastInSync() {
        Uuid id = replicatedTopic();
        assertError(new MetadataCommand.UnregisterBroker(3), Errors.INVALID_REQUEST);
        assertError(new MetadataCommand.UnregisterBroker(9), Errors.BROKER_ID_NOT_REGISTERED);
        machine.apply(new AlterPartition(id, 0, 1, 0, List.of(1)));
        machine.apply(new SetBrokerFenced(1, true));

        assertThat(machine.apply(new MetadataCommand.UnregisterBroker(1))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().broker(1)).isEmpty();
        assertThat(partition(id)).as("its replicas stay, offline")
                .isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1), PartitionImage.NO_LEADER, 1));

        machine.apply(new RegisterBroker(1, plaintext("h", 9092), null));
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1), 1, 2));
    }

    @Test
    void anUncleanElectionTakesAnOutOfSyncReplicaOnlyWhenAllowedAndNeeded() {
        Uuid id = replicatedTopic();
        assertError(new ElectLeader(id, 0, Election.UNCLEAN), Errors.ELECTION_NOT_NEEDED);
        machine.apply(new AlterPartition(id, 0, 1, 0, List.of(1)));
        machine.apply(new SetBrokerFenced(1, true));
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1), PartitionImage.NO_LEADER, 1));

        assertError(new ElectLeader(id, 0, Election.IN_SYNC), Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        assertThat(machine.apply(new ElectLeader(id, 0, Election.UNCLEAN))).isEqualTo(MetadataResult.ok());
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(2), 2, 2));

        machine.apply(new SetBrokerFenced(2, true));
        machine.apply(new SetBrokerFenced(3, true));
        assertError(new ElectLeader(id, 0, Election.UNCLEAN), Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
    }

    @Test
    void aBrokerBackOnANewDirectoryLeavesEveryInSyncReplicaSetAndLeadsNothing() {
        Uuid id = replicatedTopic();
        Uuid alone = Uuid.randomUuid();
        machine.apply(new CreateTopic("alone", alone, 1, (short) 1, Map.of(), List.of(List.of(1))));
        Uuid first = Uuid.randomUuid();
        assertThat(machine.apply(new MetadataCommand.RegisterDirectory(1, first))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().directory(1)).contains(first);
        assertThat(partition(id)).as("a first registration changes no partition")
                .isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1, 2, 3), 1, 0));
        MetadataImage registered = machine.image();
        machine.apply(new MetadataCommand.RegisterDirectory(1, first));
        assertThat(machine.image()).isSameAs(registered);

        Uuid second = Uuid.randomUuid();
        machine.apply(new MetadataCommand.RegisterDirectory(1, second));
        assertThat(machine.image().directory(1)).contains(second);
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(2, 3), 2, 1));
        assertThat(machine.image().topic(alone).orElseThrow().partition(0))
                .as("its last in-sync replica is gone: no leader until an unclean election")
                .isEqualTo(new PartitionImage(List.of(1), List.of(), PartitionImage.NO_LEADER, 1));
        assertError(new MetadataCommand.RegisterDirectory(-1, second), Errors.INVALID_REQUEST);
    }

    @Test
    void aReassignmentAddsReplicasThenSettlesOnItsTargetOnceTheyAreInSync() {
        Uuid id = replicatedTopic();
        machine.apply(new RegisterBroker(4, plaintext("h", 9092), null));
        assertThat(machine.apply(new ReassignPartition(id, 0, List.of(4, 2, 3)))).isEqualTo(MetadataResult.ok());
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(4, 2, 3, 1), List.of(2, 3, 1), 1, 0,
                List.of(4), List.of(1)));

        machine.apply(new AlterPartition(id, 0, 1, 0, List.of(1, 2)));
        machine.apply(new AlterPartition(id, 0, 1, 0, List.of(1, 2, 4)));
        assertThat(partition(id).isReassigning()).as("broker 3 of the target is not in sync").isTrue();
        // All of the target in sync: the partition settles on it, and broker 1, no replica any more, hands over.
        machine.apply(new AlterPartition(id, 0, 1, 0, List.of(1, 2, 3, 4)));
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(4, 2, 3), List.of(4, 2, 3), 4, 1));
    }

    @Test
    void aReassignmentIsReplacedOrCancelledBackToTheOriginalReplicas() {
        Uuid id = replicatedTopic();
        machine.apply(new RegisterBroker(4, plaintext("h", 9092), null));
        machine.apply(new RegisterBroker(5, plaintext("h", 9092), null));
        machine.apply(new ReassignPartition(id, 0, List.of(1, 2, 4)));
        machine.apply(new ReassignPartition(id, 0, List.of(1, 2, 5)));
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 5, 3), List.of(1, 2, 3), 1, 0,
                List.of(5), List.of(3)));

        assertThat(machine.apply(new ReassignPartition(id, 0, List.of()))).isEqualTo(MetadataResult.ok());
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(1, 2, 3), List.of(1, 2, 3), 1, 0));
        assertError(new ReassignPartition(id, 0, List.of()), Errors.NO_REASSIGNMENT_IN_PROGRESS);
    }

    @Test
    void aReassignmentWithoutNewReplicasSettlesAtOnce() {
        Uuid id = replicatedTopic();
        assertThat(machine.apply(new ReassignPartition(id, 0, List.of(3, 2)))).isEqualTo(MetadataResult.ok());
        assertThat(partition(id)).isEqualTo(new PartitionImage(List.of(3, 2), List.of(3, 2), 3, 1));
    }

    @Test
    void reassignmentsToBrokersThatCannotHoldAReplicaAreRefused() {
        Uuid id = replicatedTopic();
        assertError(new ReassignPartition(id, 0, List.of(1, 9)), Errors.INVALID_REPLICA_ASSIGNMENT);
        assertError(new ReassignPartition(id, 0, List.of(1, 1)), Errors.INVALID_REPLICA_ASSIGNMENT);
        machine.apply(new SetBrokerFenced(3, true));
        assertError(new ReassignPartition(id, 0, List.of(1, 3)), Errors.INVALID_REPLICA_ASSIGNMENT);
        assertError(new ReassignPartition(id, 5, List.of(1, 2)), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    @Test
    void brokerConfigsAreSetAndDeletedPerBroker() {
        String rate = "leader.replication.throttled.rate";
        assertThat(machine.apply(new AlterBrokerConfigs("1", Map.of(rate, "10"), Set.of()))).isEqualTo(MetadataResult.ok());
        machine.apply(new AlterBrokerConfigs("", Map.of(rate, "20"), Set.of()));
        assertThat(machine.image().brokerConfigs("1")).containsExactly(Map.entry(rate, "10"));
        assertThat(machine.image().brokerConfigs("")).containsExactly(Map.entry(rate, "20"));
        machine.apply(new AlterBrokerConfigs("1", Map.of(), Set.of(rate)));
        assertThat(machine.image().brokerConfigs("1")).isEmpty();
        assertError(new AlterBrokerConfigs("one", Map.of(rate, "1"), Set.of()), Errors.INVALID_REQUEST);
        assertError(new AlterBrokerConfigs("1", Map.of(rate, "1"), Set.of(rate)), Errors.INVALID_REQUEST);
    }

    private static final ScramCredentialImage CREDENTIAL = new ScramCredentialImage(new byte[] {1, 2}, new byte[] {3},
            new byte[] {4}, 4096);
    private static final ScramCredentialImage OTHER_CREDENTIAL = new ScramCredentialImage(new byte[] {5}, new byte[] {6},
            new byte[] {7, 8}, 8192);

    private static final AclBinding ACL = new AclBinding(new ResourcePattern(ResourceType.GROUP, "billing",
            PatternType.LITERAL), new AccessControlEntry("User:bob", "*", AclOperation.READ, AclPermissionType.ALLOW));

    @Test
    void clientQuotasAreSetAndRemovedPerEntity() {
        ClientQuotaEntity bob = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "bob"));
        machine.apply(new MetadataCommand.AlterClientQuota(bob, Map.of("producer_byte_rate", 2048.0,
                "consumer_byte_rate", 4096.0), Set.of()));
        assertThat(machine.image().security().quotas(bob)).isEqualTo(Map.of("producer_byte_rate", 2048.0,
                "consumer_byte_rate", 4096.0));
        machine.apply(new MetadataCommand.AlterClientQuota(bob, Map.of(), Set.of("producer_byte_rate")));
        assertThat(machine.image().security().quotas(bob)).isEqualTo(Map.of("consumer_byte_rate", 4096.0));
        machine.apply(new MetadataCommand.AlterClientQuota(bob, Map.of(), Set.of("consumer_byte_rate")));
        assertThat(machine.image().security().quotas()).isEmpty();
    }

    @Test
    void aclsAreCreatedOnceAndDeletedById() {
        Uuid id = Uuid.randomUuid();
        assertThat(machine.apply(new CreateAcl(id, ACL))).isEqualTo(MetadataResult.ok());
        long version = machine.image().version();
        assertThat(machine.apply(new CreateAcl(Uuid.randomUuid(), ACL))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().version()).as("the same ACL again changes nothing").isEqualTo(version);
        AclBinding other = new AclBinding(ACL.pattern(), new AccessControlEntry("User:carol", "*", AclOperation.READ,
                AclPermissionType.ALLOW));
        assertError(new CreateAcl(id, other), Errors.INVALID_REQUEST);
        assertThat(machine.image().security().acls()).containsExactly(Map.entry(id, ACL));
        assertThat(machine.apply(new DeleteAcls(List.of(id, Uuid.randomUuid())))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().security().acls()).isEmpty();
    }

    @Test
    void scramCredentialsAreSetReplacedAndDeletedPerUserAndMechanism() {
        ScramMechanism sha512 = ScramMechanism.SCRAM_SHA_512;
        assertThat(machine.apply(new UpsertScramCredential("alice", sha512, CREDENTIAL, true))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().security().scramCredential("alice", sha512)).contains(CREDENTIAL);
        assertThat(machine.image().security().scramCredential("alice", ScramMechanism.SCRAM_SHA_256)).isEmpty();

        long version = machine.image().version();
        machine.apply(new UpsertScramCredential("alice", sha512, OTHER_CREDENTIAL, false));
        assertThat(machine.image().security().scramCredential("alice", sha512)).as("a bootstrap user keeps its credential")
                .contains(CREDENTIAL);
        assertThat(machine.image().version()).isEqualTo(version);
        machine.apply(new UpsertScramCredential("alice", sha512, OTHER_CREDENTIAL, true));
        assertThat(machine.image().security().scramCredential("alice", sha512)).contains(OTHER_CREDENTIAL);

        assertThat(machine.apply(new DeleteScramCredential("alice", sha512))).isEqualTo(MetadataResult.ok());
        assertThat(machine.image().security().scramCredentials()).isEmpty();
        assertError(new DeleteScramCredential("alice", sha512), Errors.RESOURCE_NOT_FOUND);
        assertError(new UpsertScramCredential("", sha512, CREDENTIAL, true), Errors.UNACCEPTABLE_CREDENTIAL);
        assertThat(CREDENTIAL.toString()).doesNotContain("[");
    }

    private void assertError(MetadataCommand command, Errors expected) {
        MetadataImage before = machine.image();
        MetadataResult result = machine.apply(command);
        assertThat(result.error()).as("%s", command).isEqualTo(expected);
        assertThat(result.message()).as("%s", command).isNotBlank();
        assertThat(machine.image()).as("a failed %s changes nothing", command).isSameAs(before);
    }

    /** The one endpoint of a broker whose only listener is Kafka's default, {@code PLAINTEXT}. */
    private static List<Endpoint> plaintext(String host, int port) {
        return List.of(new Endpoint("PLAINTEXT", host, port));
    }

    /** The one endpoint of a registration from before brokers had several listeners. */
    private static List<Endpoint> unnamed(String host, int port) {
        return List.of(new Endpoint(Endpoint.UNNAMED_LISTENER, host, port));
    }
}
