package io.strata.broker.group;

import io.strata.broker.config.Configuration;
import io.strata.broker.config.GroupsConfig;
import io.strata.broker.testing.TestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Committed offsets that no longer count go, through tombstones, and so do the Empty groups they
 * leave without offsets: those of topics deleted while no coordinator held them, and expired ones.
 */
@Timeout(120)
class OffsetCleanerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;
    @TempDir
    Path saved;

    @Test
    void offsetsOfATopicDeletedWhileTheCoordinatorWasDownAreGoneAfterTheRestart() throws Exception {
        TopicPartition kept = new TopicPartition("kept", 0);
        TopicPartition gone = new TopicPartition("gone", 0);
        try (TestBroker broker = TestBroker.start(dataDir)) {
            broker.createTopic("kept", 1, Map.of());
            broker.createTopic("gone", 1, Map.of());
            try (Admin admin = broker.admin()) {
                admin.alterConsumerGroupOffsets("both", Map.of(kept, new OffsetAndMetadata(4),
                        gone, new OffsetAndMetadata(5))).all().get();
                admin.alterConsumerGroupOffsets("only-gone", Map.of(gone, new OffsetAndMetadata(6))).all().get();
            }
            // The offsets as they were before the deletion, which a coordinator that was down when
            // the topic went (or crashed before its tombstones were written) finds at its next start.
            broker.restart(() -> copyOffsetsTopic(dataDir.resolve("logs"), saved));
            try (Admin admin = broker.admin()) {
                admin.deleteTopics(List.of("gone")).all().get();
            }
            broker.restart(() -> {
                deleteOffsetsTopic(dataDir.resolve("logs"));
                copyOffsetsTopic(saved, dataDir.resolve("logs"));
            });
            try (Admin admin = broker.admin()) {
                assertThat(admin.listConsumerGroupOffsets("both").partitionsToOffsetAndMetadata().get())
                        .containsOnlyKeys(kept);
                assertThat(groupIds(admin)).contains("both").doesNotContain("only-gone");
            }

            // Removed by records, not by a filter at read time: a topic of the same name finds nothing.
            broker.restart();
            broker.createTopic("gone", 1, Map.of());
            try (Admin admin = broker.admin()) {
                assertThat(admin.listConsumerGroupOffsets("both").partitionsToOffsetAndMetadata().get())
                        .containsOnlyKeys(kept);
                assertThat(groupIds(admin)).doesNotContain("only-gone");
            }
        }
    }

    @Test
    void offsetsOfGroupsWithoutMembersExpireAfterTheRetentionAndTheEmptyGroupsGo() throws Exception {
        long retentionMs = 3000;
        try (TestBroker broker = TestBroker.start(dataDir,
                Map.of("strata.groups.offsets-retention-check-interval", "100ms"),
                settings -> settings.withGroups(settings.groups().withOffsetsRetentionMs(retentionMs)));
             Admin admin = broker.admin()) {
            broker.createTopic("events", 2, Map.of());
            try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("events", i % 2, null, ("e" + i).getBytes())).get();
                }
            }
            TopicPartition p0 = new TopicPartition("events", 0);
            admin.alterConsumerGroupOffsets("standalone", Map.of(p0, new OffsetAndMetadata(3))).all().get();

            Set<String> sink = ConcurrentHashMap.newKeySet();
            long closing;
            try (PollingConsumer consumer = new PollingConsumer(broker, "member", "members", "events", Map.of(), sink)) {
                await().atMost(TIMEOUT).until(() -> sink.size() == 10);
                // The standalone group's offset expires on its own schedule; the member keeps its group's offsets.
                await().atMost(TIMEOUT).until(() -> !groupIds(admin).contains("standalone"));
                assertThat(admin.listConsumerGroupOffsets("standalone").partitionsToOffsetAndMetadata().get()).isEmpty();
                Thread.sleep(retentionMs + 500);
                assertThat(admin.listConsumerGroupOffsets("members").partitionsToOffsetAndMetadata().get())
                        .containsOnlyKeys(p0, new TopicPartition("events", 1));
                closing = System.nanoTime();
                consumer.close();
            }

            await().atMost(TIMEOUT).until(() -> !groupIds(admin).contains("members"));
            // Counted from when the group became Empty, not from the commits, which are older than the retention.
            assertThat(Duration.ofNanos(System.nanoTime() - closing)).isGreaterThanOrEqualTo(Duration.ofMillis(retentionMs));
            assertThat(admin.listConsumerGroupOffsets("members").partitionsToOffsetAndMetadata().get()).isEmpty();

            // The removal is stored: a restart does not bring them back.
            broker.restart();
            assertThat(groupIds(admin)).doesNotContain("standalone", "members");
        }
    }

    @Test
    void aStandaloneGroupsOffsetExpiresSevenDaysAfterItsCommitByDefault() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir)) {
            broker.createTopic("events", 1, Map.of());
            // The coordinator's clock starts seven days back and the test moves it up to the broker's: records
            // from the future would be refused (message.timestamp.after.max.ms), those from the past are not.
            SettableTime time = new SettableTime(Duration.ofDays(7).negated());
            // Kafka's retention; only the check runs often, in real time.
            GroupConfig config = GroupConfig.from(Configuration.of(
                    Map.of("strata.groups.offsets-retention-check-interval", "20ms")).getConfigMapping(GroupsConfig.class));
            try (GroupCoordinator coordinator = new GroupCoordinator(config, broker.broker().partitions(),
                    broker.broker().topicAdmin(), null, false, time)) {
                coordinator.start(broker.broker().partitions().loaded());
                commitStandaloneOffset(coordinator, 3);

                time.advance(Duration.ofDays(7).minusSeconds(10));
                Thread.sleep(200);
                assertThat(committed(coordinator)).isEqualTo(3);
                assertThat(listed(coordinator)).contains("standalone");

                time.advance(Duration.ofSeconds(10));
                await().atMost(TIMEOUT).until(() -> committed(coordinator) == -1 && !listed(coordinator).contains("standalone"));
            }
        }
    }

    @Test
    void offsetsPastTheRetentionAtStartUpAreGoneRightAfterTheLoad() throws Exception {
        try (TestBroker broker = TestBroker.start(dataDir)) {
            broker.createTopic("events", 1, Map.of());
            // Kafka's retention and check interval (seven days, ten minutes): within this test only a pass
            // at load can expire anything.
            GroupConfig config = GroupConfig.from(Configuration.defaults(GroupsConfig.class));
            SettableTime eightDaysBack = new SettableTime(Duration.ofDays(8).negated());
            try (GroupCoordinator committing = new GroupCoordinator(config, broker.broker().partitions(),
                    broker.broker().topicAdmin(), null, false, eightDaysBack)) {
                committing.start(broker.broker().partitions().loaded());
                commitStandaloneOffset(committing, 3);
                assertThat(committed(committing)).isEqualTo(3);
            }

            try (GroupCoordinator restarted = new GroupCoordinator(config, broker.broker().partitions(),
                    broker.broker().topicAdmin(), null, false, Time.SYSTEM)) {
                restarted.start(broker.broker().partitions().loaded());
                restarted.ready().get(30, TimeUnit.SECONDS);
                assertThat(committed(restarted)).isEqualTo(-1);
                assertThat(listed(restarted)).doesNotContain("standalone");
            }
        }
    }

    /** Commits {@code offset} of events-0 for the group "standalone", which has no members. */
    private static void commitStandaloneOffset(GroupCoordinator coordinator, long offset) throws Exception {
        coordinator.commitOffsets(new ClientContext((short) 9, "admin", "/127.0.0.1"), new OffsetCommitRequestData()
                .setGroupId("standalone").setGenerationIdOrMemberEpoch(-1)
                .setTopics(List.of(new OffsetCommitRequestTopic().setName("events").setPartitions(List.of(
                        new OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(offset))))))
                .get(30, TimeUnit.SECONDS);
    }

    private static long committed(GroupCoordinator coordinator) throws Exception {
        return coordinator.fetchOffsets("standalone", List.of(new OffsetFetchRequestTopics().setName("events")
                .setPartitionIndexes(List.of(0)))).get(30, TimeUnit.SECONDS).topics().get(0).partitions().get(0)
                .committedOffset();
    }

    private static List<String> listed(GroupCoordinator coordinator) throws Exception {
        return coordinator.listGroups(List.of(), List.of()).get(30, TimeUnit.SECONDS).stream()
                .map(ListedGroup::groupId).toList();
    }

    /** The system clock shifted by what the test says. */
    private static final class SettableTime extends AdjustedSystemTime {
        private final AtomicLong offsetMs;

        SettableTime(Duration offset) {
            offsetMs = new AtomicLong(offset.toMillis());
        }

        void advance(Duration duration) {
            offsetMs.addAndGet(duration.toMillis());
        }

        @Override
        public long milliseconds() {
            return super.milliseconds() + offsetMs.get();
        }

        @Override
        public long nanoseconds() {
            return super.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(offsetMs.get());
        }
    }

    private static Set<String> groupIds(Admin admin) throws Exception {
        return Set.copyOf(admin.listConsumerGroups().all().get().stream().map(ConsumerGroupListing::groupId).toList());
    }

    private static void copyOffsetsTopic(Path fromLogs, Path toLogs) {
        try (Stream<Path> dirs = Files.list(fromLogs)) {
            for (Path dir : dirs.filter(OffsetCleanerTest::isOffsetsTopicDir).toList()) {
                Path target = toLogs.resolve(dir.getFileName().toString());
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path file : files.toList()) {
                        Files.copy(file, target.resolve(dir.relativize(file).toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteOffsetsTopic(Path logs) {
        try (Stream<Path> dirs = Files.list(logs)) {
            for (Path dir : dirs.filter(OffsetCleanerTest::isOffsetsTopicDir).toList()) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isOffsetsTopicDir(Path dir) {
        return dir.getFileName().toString().startsWith(Topic.GROUP_METADATA_TOPIC_NAME + "-");
    }
}
