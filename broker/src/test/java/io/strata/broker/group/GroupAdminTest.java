package io.strata.broker.group;

import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The Admin client's consumer group operations, which the kafka-consumer-groups tool is built on. */
@Timeout(60)
class GroupAdminTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path dataDir;
    static TestBroker broker;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        broker = TestBroker.start(dataDir);
        admin = broker.admin();
        broker.createTopic("events", 3, Map.of());
        broker.createTopic("other", 2, Map.of());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("events", i % 3, null, ("e" + i).getBytes())).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        admin.close();
        broker.close();
    }

    @Test
    void activeGroupIsListedDescribedAndProtectedFromDeletion() throws Exception {
        String group = "active";
        Set<String> sink = ConcurrentHashMap.newKeySet();
        try (PollingConsumer consumer = new PollingConsumer(broker, "active-client", group, "events", Map.of(), sink)) {
            await().atMost(TIMEOUT).until(() -> sink.size() == 30);
            await().atMost(TIMEOUT).until(() -> GroupTests.stableAssignments(admin, group) != null);

            assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId).contains(group);
            Map<String, ConsumerGroupListing> stable = listed(new ListConsumerGroupsOptions().inGroupStates(Set.of(GroupState.STABLE)));
            assertThat(stable).containsKey(group);
            assertThat(stable.get(group).groupState()).contains(GroupState.STABLE);
            assertThat(stable.get(group).type()).contains(GroupType.CLASSIC);
            assertThat(stable.get(group).isSimpleConsumerGroup()).isFalse();
            assertThat(listed(new ListConsumerGroupsOptions().inGroupStates(Set.of(GroupState.EMPTY)))).doesNotContainKey(group);

            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
            assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(description.type()).isEqualTo(GroupType.CLASSIC);
            assertThat(description.partitionAssignor()).isEqualTo("range");
            assertThat(description.coordinator().id()).isEqualTo(broker.broker().identity().nodeId());
            assertThat(description.members()).hasSize(1);
            MemberDescription member = description.members().iterator().next();
            assertThat(member.clientId()).isEqualTo("active-client");
            assertThat(member.host()).isEqualTo("/127.0.0.1");
            assertThat(member.assignment().topicPartitions()).isEqualTo(GroupTests.partitions("events", 3));

            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            assertThat(committed).hasSize(3).allSatisfy((tp, offset) -> assertThat(offset.offset()).isEqualTo(10));

            assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get())
                    .hasCauseInstanceOf(GroupNotEmptyException.class);
            assertThatThrownBy(() -> admin.alterConsumerGroupOffsets(group,
                    Map.of(new TopicPartition("events", 0), new OffsetAndMetadata(0))).all().get())
                    .hasCauseInstanceOf(UnknownMemberIdException.class);
            assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets(group, Set.of(new TopicPartition("events", 0))).all().get())
                    .hasCauseInstanceOf(GroupSubscribedToTopicException.class);
        }
        // The consumer left: the group is empty, with its offsets.
        ConsumerGroupDescription empty = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
        assertThat(empty.groupState()).isEqualTo(GroupState.EMPTY);
        assertThat(empty.members()).isEmpty();
        admin.deleteConsumerGroups(List.of(group)).all().get();
        assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId).doesNotContain(group);
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEmpty();
    }

    @Test
    void offsetsOfAnEmptyGroupCanBeAlteredListedAndDeleted() throws Exception {
        String group = "offline";
        TopicPartition e0 = new TopicPartition("events", 0);
        TopicPartition e1 = new TopicPartition("events", 1);
        TopicPartition o0 = new TopicPartition("other", 0);
        admin.alterConsumerGroupOffsets(group, Map.of(
                e0, new OffsetAndMetadata(4, "four"),
                e1, new OffsetAndMetadata(7),
                o0, new OffsetAndMetadata(0))).all().get();

        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        assertThat(offsets).containsOnlyKeys(e0, e1, o0);
        assertThat(offsets.get(e0).offset()).isEqualTo(4);
        assertThat(offsets.get(e0).metadata()).isEqualTo("four");
        assertThat(offsets.get(e1).metadata()).isEmpty();

        // A group that only commits is a simple consumer group, Empty.
        ConsumerGroupListing listing = listed(new ListConsumerGroupsOptions()).get(group);
        assertThat(listing.isSimpleConsumerGroup()).isTrue();
        assertThat(listing.groupState()).contains(GroupState.EMPTY);

        // Lag: 10 records per partition of events, 0 in other.
        assertThat(broker.broker().groupCoordinator().lag(group).get())
                .extracting(lag -> lag.partition() + "=" + lag.lag())
                .containsExactly("events-0=6", "events-1=3", "other-0=0");

        admin.deleteConsumerGroupOffsets(group, Set.of(e1, o0)).all().get();
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).containsOnlyKeys(e0);

        // The consumer starts where the offsets say.
        try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(GroupTests.consumerProps("resumer", group))) {
            consumer.assign(List.of(e0));
            var records = consumer.poll(Duration.ofSeconds(5));
            for (int i = 0; records.isEmpty() && i < 20; i++) {
                records = consumer.poll(Duration.ofMillis(250));
            }
            assertThat(records.iterator().next().offset()).isEqualTo(4);
        }
    }

    @Test
    void errorsAreKafkasOwn() throws Exception {
        assertThatThrownBy(() -> admin.describeConsumerGroups(List.of("no-such-group")).all().get())
                .hasCauseInstanceOf(GroupIdNotFoundException.class);
        assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of("no-such-group")).all().get())
                .hasCauseInstanceOf(GroupIdNotFoundException.class);
        assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets("no-such-group", Set.of(new TopicPartition("events", 0)))
                .all().get())
                .hasCauseInstanceOf(GroupIdNotFoundException.class);
        assertThat(admin.listConsumerGroupOffsets("no-such-group").partitionsToOffsetAndMetadata().get()).isEmpty();
        assertThatThrownBy(() -> admin.alterConsumerGroupOffsets("bad-topic-group",
                Map.of(new TopicPartition("no-such-topic", 0), new OffsetAndMetadata(1))).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> admin.alterConsumerGroupOffsets("bad-topic-group",
                Map.of(new TopicPartition("events", 99), new OffsetAndMetadata(1))).all().get())
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        // Nothing was stored by the failed commits.
        assertThat(admin.listConsumerGroupOffsets("bad-topic-group").partitionsToOffsetAndMetadata().get()).isEmpty();
    }

    @Test
    void offsetsOfADeletedTopicGoWithIt() throws Exception {
        String group = "outlived";
        broker.createTopic("short-lived", 1, Map.of());
        TopicPartition tp = new TopicPartition("short-lived", 0);
        admin.alterConsumerGroupOffsets(group, Map.of(tp, new OffsetAndMetadata(5),
                new TopicPartition("other", 1), new OffsetAndMetadata(0))).all().get();
        admin.deleteTopics(List.of("short-lived")).all().get();
        broker.createTopic("short-lived", 1, Map.of());
        // Not even for a moment does the new topic of the same name see the old topic's offset.
        assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get())
                .containsOnlyKeys(new TopicPartition("other", 1));
        await().atMost(TIMEOUT).until(() -> broker.broker().groupCoordinator().lag(group).get().size() == 1);
    }

    private static Map<String, ConsumerGroupListing> listed(ListConsumerGroupsOptions options) throws Exception {
        Map<String, ConsumerGroupListing> result = new java.util.HashMap<>();
        admin.listConsumerGroups(options).all().get().forEach(listing -> result.put(listing.groupId(), listing));
        return result;
    }

    @Test
    void listingGroupsOnAFreshBrokerDoesNotCreateTheOffsetsTopic(@TempDir Path freshDir) throws Exception {
        try (TestBroker fresh = TestBroker.start(freshDir); Admin freshAdmin = fresh.admin()) {
            assertThat(freshAdmin.listConsumerGroups().all().get()).isEmpty();
            assertThat(fresh.broker().metadataImage().topic("__consumer_offsets")).isEmpty();
            // Describing finds the coordinator first, which, as with Kafka, creates the topic.
            assertThatThrownBy(() -> freshAdmin.describeConsumerGroups(List.of("nobody")).all().get())
                    .hasCauseInstanceOf(GroupIdNotFoundException.class);
        }
    }
}
